"""Rate limits as true sliding windows in PostgreSQL, for every limited action.

Why not the cache: ``cache.incr`` on Django's database cache re-sets the key with a fresh
timeout (each attempt pushes the expiry back, so pausing gives a new allowance), and a cache
culls keys once it is full (an attacker floods it with other keys and the counter is gone).
django-ratelimit and allauth's limiter both count in the cache, so neither fits; the sign-in
pages' limits come here too (``portal.account_limits``). Here every allowed attempt is a row;
an attempt is allowed while fewer than ``limit`` rows of the same scope and key lie inside the
last ``window`` seconds. The window slides: waiting half of it frees only the attempts older
than a window. Concurrent attempts on one key are serialised by a transaction-scoped advisory
lock (``pg_advisory_xact_lock``), so a race cannot overshoot the limit. Rows older than the
longest window are pruned by ``prune()`` (run by ``manage.py tick``); nothing else deletes
them except ``refund()``.

Refused attempts are not stored: a flood of refusals costs one indexed count each and cannot
grow the table, and cannot keep a victim locked out for longer than a window either.

The clock is the web process's (taken after the lock is held). Hosts keep their clocks in step
with NTP; a skew of a second between hosts moves a window's edge by that second, no more.
SQLite (the embedded demo) has no advisory locks: its single writer serialises the inserts,
but two concurrent requests may both read the count before either writes.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone

from services.models import RateLimitHit

# scope -> (attempts allowed, window in seconds). Overridden per deployment by the setting
# PORTAL_RATE_LIMITS (same shape); partners carry their own per-minute limit.
DEFAULT_RATES: dict[str, tuple[int, int]] = {
    # The resident forms (portal.apply, portal.resident).
    "apply_submit_ip": (10, 60 * 60),
    "save_link_ip": (5, 60 * 60),
    "track_ip": (20, 10 * 60),
    "track_reference": (5, 10 * 60),
    "track_reply_ip": (20, 60 * 60),
    # Signing in, signing up and resetting a password (allauth, through
    # portal.account_limits). The numbers are allauth's own defaults, which these replace.
    "login_ip": (30, 60),  # every sign-in form posted from one address
    "login_failed_ip": (10, 60),  # failed passwords from one address
    "login_failed_account": (5, 5 * 60),  # failed passwords for one email address
    "mfa_failed_user": (5, 5 * 60),  # wrong authenticator codes for one user
    "signup_ip": (20, 60),
    "reset_password_ip": (20, 60),
    "reset_password_account": (5, 60),  # reset mails asked for one email address
    "reset_password_from_key_ip": (20, 60),
    # A text that is a bare reference, answered with the case's status (channels.sms).
    "sms_status_sender": (10, 60 * 60),
    # Proving a mobile number (services.actions.phones): texts cost money and can pester a
    # stranger's phone, so codes are limited per account and per number; tries per account,
    # on top of the three each code allows.
    "phone_code_user": (5, 60 * 60),
    "phone_code_number": (3, 60 * 60),
    "phone_code_try_user": (10, 60 * 60),
}


def rates() -> dict[str, tuple[int, int]]:
    return DEFAULT_RATES | getattr(settings, "PORTAL_RATE_LIMITS", {})


def longest_window() -> int:
    """Seconds a row must be kept: the longest configured window, an hour at least."""
    return max([window for _limit, window in rates().values()] + [3600])


def digest(identifier: str) -> str:
    return hashlib.sha256(identifier.encode("utf-8", "surrogatepass")).hexdigest()


def _rate(scope: str, limit: int | None, window: int | None) -> tuple[int, int]:
    if limit is None or window is None:
        configured_limit, configured_window = rates()[scope]
        limit = configured_limit if limit is None else limit
        window = configured_window if window is None else window
    if window > longest_window():
        # prune() would delete rows still inside this window and so refill it early.
        raise ImproperlyConfigured(
            f"Rate limit window {window}s for {scope!r} is longer than the longest configured "
            "window: add the scope to PORTAL_RATE_LIMITS."
        )
    return limit, window


def allow(
    scope: str, identifier: str, *, limit: int | None = None, window: int | None = None
) -> bool:
    """Count one attempt of ``scope`` by ``identifier``; False (and nothing counted) once the
    limit for the last ``window`` seconds is used up. ``limit``/``window`` default to the
    scope's configured rate."""
    limit, window = _rate(scope, limit, window)
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


def refund(scope: str, identifier: str) -> bool:
    """Give back the newest attempt of ``scope`` by ``identifier`` (True if there was one).

    For limits that count failures: a sign-in attempt is counted before the password is
    checked (so a race cannot slip past), and refunded when it succeeds — as allauth rolls
    back its own usage. Only that one attempt: a success never wipes earlier failures, so an
    attacker cannot reset the count by signing in to an account of their own in between.
    """
    key = digest(identifier)
    with transaction.atomic():
        newest = (
            RateLimitHit.objects.select_for_update()
            .filter(scope=scope, key=key)
            .order_by("-at", "-pk")
            .values_list("pk", flat=True)
            .first()
        )
        if newest is None:
            return False
        RateLimitHit.objects.filter(pk=newest).delete()
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
    deleted, _ = RateLimitHit.objects.filter(
        at__lt=timezone.now() - timedelta(seconds=longest_window())
    ).delete()
    return deleted
