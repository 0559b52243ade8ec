"""The sliding window in PostgreSQL: exact, not extended by attempts, not flushed by floods."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from services.actions import ratelimit
from services.models import RateLimitHit

pytestmark = pytest.mark.django_db


def test_limit_holds_exactly_and_slides():
    results = [ratelimit.allow("t", "a", limit=3, window=60) for _ in range(5)]
    assert results == [True, True, True, False, False]
    # Refusals are not stored, so they do not extend the window.
    assert RateLimitHit.objects.filter(scope="t").count() == 3
    # Age the first attempt out of the window: exactly one more is allowed.
    first = RateLimitHit.objects.filter(scope="t").order_by("at").first()
    RateLimitHit.objects.filter(pk=first.pk).update(at=timezone.now() - timedelta(seconds=61))
    assert ratelimit.allow("t", "a", limit=3, window=60) is True
    assert ratelimit.allow("t", "a", limit=3, window=60) is False


def test_other_identifiers_and_a_flooded_cache_do_not_reset_it():
    for _ in range(3):
        assert ratelimit.allow("t", "victim", limit=3, window=60)
    for n in range(400):
        cache.set(f"flood-{n}", n)
        ratelimit.allow("t", f"other-{n}", limit=3, window=60)
    cache.clear()
    assert ratelimit.allow("t", "victim", limit=3, window=60) is False


def test_prune_keeps_rows_inside_the_window():
    ratelimit.allow("track_ip", "a")
    RateLimitHit.objects.create(scope="track_ip", key="x", at=timezone.now() - timedelta(days=2))
    assert ratelimit.prune() == 1
    assert RateLimitHit.objects.count() == 1


def test_refund_gives_back_only_the_newest_attempt():
    for _ in range(3):
        assert ratelimit.allow("t", "a", limit=3, window=60)
    assert ratelimit.refund("t", "a") is True
    assert RateLimitHit.objects.filter(scope="t").count() == 2
    assert ratelimit.allow("t", "a", limit=3, window=60) is True
    assert ratelimit.allow("t", "a", limit=3, window=60) is False
    assert ratelimit.refund("t", "nobody") is False


def test_a_window_longer_than_prune_keeps_is_refused(settings):
    settings.PORTAL_RATE_LIMITS = {}
    with pytest.raises(ImproperlyConfigured):
        ratelimit.allow("t", "a", limit=1, window=ratelimit.longest_window() + 1)
    settings.PORTAL_RATE_LIMITS = {"daily": (1, 86400)}
    assert ratelimit.allow("daily", "a") is True
    assert ratelimit.longest_window() == 86400
