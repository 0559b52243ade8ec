"""The resident forms' rate limits: a thin front on ``services.actions.ratelimit`` (true
sliding windows in PostgreSQL, see there) plus the client address."""

from django.http import HttpRequest

from services.actions.ratelimit import allow

__all__ = ["allow", "client_ip"]


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind a proxy, configure it to set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"
