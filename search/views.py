"""The desk's one search box and its suggestions: staff only, permission-filtered.

Thin views: the backend applies the user's permissions inside the query; a view never
filters a list of results afterwards. The page works without JavaScript (a GET form); the
JSON suggestions are an extra for a search box that wants them.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from search.backends import get_backend
from search.query import MAX_QUERY_LENGTH
from services.permissions import is_staff_member


def _staff_only(request) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied


@never_cache
@require_GET
@login_required
def desk_search(request):
    _staff_only(request)
    text = (request.GET.get("q") or "")[: MAX_QUERY_LENGTH * 2]
    results = get_backend().search(request.user, text) if text.strip() else None
    return render(
        request,
        "search/desk_search.html",
        {"query": text.strip()[:MAX_QUERY_LENGTH], "results": results},
    )


@never_cache
@require_GET
@login_required
def suggest(request):
    _staff_only(request)
    text = (request.GET.get("q") or "")[: MAX_QUERY_LENGTH * 2]
    suggestions = get_backend().suggest(request.user, text) if len(text.strip()) >= 2 else []
    return JsonResponse({"suggestions": [s.as_dict() for s in suggestions]})
