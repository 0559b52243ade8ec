"""Every error is JSON of one shape: ``{"detail": "…", "code": "…", "errors": {field: […]}}``.

DRF's own handler decides the status (400, 401, 403, 404, 405, 406, 415, 429); this only
reshapes the body so a client reads one format (``errors`` only on a 400 with fields).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler as drf_handler


class Conflict(APIException):
    """The case is not in a state that allows this (a status change the workflow refuses)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _first_code(codes) -> str:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, list | tuple) and codes:
        return _first_code(codes[0])
    if isinstance(codes, dict) and codes:
        return _first_code(next(iter(codes.values())))
    return "error"


def _flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _flatten(v)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _flatten(item)]
    return [str(value)]


def exception_handler(exc, context):
    response = drf_handler(exc, context)
    if response is None:
        return None
    data = response.data
    body = {"detail": "", "code": "error"}
    if isinstance(exc, APIException):
        body["code"] = _first_code(exc.get_codes())
    elif isinstance(exc, Http404):
        body["code"] = "not_found"
    elif isinstance(exc, PermissionDenied):
        body["code"] = "permission_denied"
    if isinstance(data, dict) and set(data) == {"detail"}:
        body["detail"] = str(data["detail"])
    elif isinstance(data, dict):
        body["detail"] = "The request has errors."
        body["code"] = "invalid"
        body["errors"] = {str(field): _flatten(messages) for field, messages in data.items()}
    else:
        body["detail"] = " ".join(_flatten(data)) or "The request has errors."
        body["code"] = "invalid"
    response.data = body
    return response
