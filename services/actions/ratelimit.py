"""Rate limits as true sliding windows in PostgreSQL, for every limited action.

Why not the cache: ``cache.incr`` on Django's database cache re-sets the key with a fresh
timeout (each attempt pushes the expiry back, so pausing gives a new allowance), and a cache
culls keys once it is full (an attacker floods it with other keys and the counter is gone).
django-ratelimit and allauth's limiter both count in the cache, so neither fits. Here every
allowed attempt is a row; an attempt is allowed while fewer than ``limit`` rows of the same
scope and key lie inside the last ``window`` seconds. The window slides: waiting half of it
frees only the attempts older than a window. Concurrent attempts on one key are serialised by a
transaction-scoped advisory lock, so a race cannot overshoot the limit. Rows older than the
longest window are pruned by ``prune()`` (run by ``manage.py tick``); nothing else deletes them.

Refused attempts are not stored: a flood of refusals costs one indexed count each and cannot
grow the table.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from services.models import RateLimitHit

# scope -> (attempts allowed, window in seconds). Overridden per deployment by the setting
# PORTAL_RATE_LIMITS (same shape); partners carry their own per-minute limit.
DEFAULT_RATES: dict[str, tuple[int, int]] = {
    "apply_submit_ip": (10, 60 * 60),
    "save_link_ip": (5, 60 * 60),
    "track_ip": (20, 10 * 60),
    "track_reference": (5, 10 * 60),
    "track_reply_ip": (20, 60 * 60),
}


def rates() -> dict[str, tuple[int, int]]:
    return DEFAULT_RATES | getattr(settings, "PORTAL_RATE_LIMITS", {})


def digest(identifier: str) -> str:
    return hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()


def allow(
    scope: str, identifier: str, *, limit: int | None = None, window: int | None = None
) -> bool:
    """Count one attempt of ``scope`` by ``identifier``; False (and nothing counted) once the
    limit for the last ``window`` seconds is used up. ``limit``/``window`` default to the
    scope's configured rate."""
    if limit is None or window is None:
        configured_limit, configured_window = rates()[scope]
        limit = configured_limit if limit is None else limit
        window = configured_window if window is None else window
    key = digest(identifier)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"rl:{scope}:{key}"]
                )
        now = timezone.now()
        used = RateLimitHit.objects.filter(
            scope=scope, key=key, at__gt=now - timedelta(seconds=window)
        ).count()
        if used >= limit:
            return False
        RateLimitHit.objects.create(scope=scope, key=key, at=now)
        return True


def remaining(scope: str, identifier: str) -> int:
    """Attempts still allowed now (for messages such as "try again in …")."""
    limit, window = rates()[scope]
    used = RateLimitHit.objects.filter(
        scope=scope,
        key=digest(identifier),
        at__gt=timezone.now() - timedelta(seconds=window),
    ).count()
    return max(limit - used, 0)


def prune() -> int:
    """Delete rows older than the longest configured window (an hour at least)."""
    longest = max([window for _limit, window in rates().values()] + [3600])
    deleted, _ = RateLimitHit.objects.filter(
        at__lt=timezone.now() - timedelta(seconds=longest)
    ).delete()
    return deleted
