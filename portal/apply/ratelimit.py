"""Fixed-window rate limits on Django's cache, for the forms residents post without signing in.

allauth's limiter reads allauth's own settings (and tests switch those off), so the resident
forms count here instead: one cache key per scope, identifier and window. In production the
cache must be shared by every web process — the database cache (``createcachetable``) or
Redis/Memcached; the default per-process local-memory cache only limits one process.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

# scope -> (requests allowed, window in seconds)
DEFAULT_RATES: dict[str, tuple[int, int]] = {
    "apply_submit_ip": (10, 60 * 60),
    "save_link_ip": (5, 60 * 60),
    "track_ip": (20, 10 * 60),
    "track_reference": (5, 10 * 60),
    "track_reply_ip": (20, 60 * 60),
}


def client_ip(request: HttpRequest) -> str:
    """The address the request came from. Behind a proxy, configure it to set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(scope: str, identifier: str) -> bool:
    """Count one attempt; False once ``scope``'s limit for ``identifier`` is used up."""
    rates = DEFAULT_RATES | getattr(settings, "PORTAL_RATE_LIMITS", {})
    limit, window = rates[scope]
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:32]
    key = f"portal-rl:{scope}:{digest}:{int(time.time() // window)}"
    if cache.add(key, 1, timeout=window + 5):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= limit
