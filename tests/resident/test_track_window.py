"""/track/'s limits through the real view, in real time: a true window that waiting half of it,
flooding the cache and racing it cannot refill (issue 21, "Rate limits can be refilled").

The old limiter counted in the cache in fixed windows (``int(time.time() // window)``): the
first test starts in the second half of such a window, so its half-window wait crosses into
the next one, where the old code gave a fresh allowance; it also cleared the cache, which
wiped the old counters. Windows are seconds long (settings override) and the waits are real.
"""

import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from services import reference as references
from services.actions import ratelimit
from services.models import RateLimitHit

WINDOW = 30  # seconds: long enough for the flood below on a loaded machine
LIMIT = 3
ADDRESS = "203.0.113.7"


def _track(client, address=ADDRESS):
    # A well-formed reference of no case: only the address limit decides (the per-reference
    # limit is set high below), and an allowed lookup is a 200 "could not find".
    return client.post(
        "/track/",
        {"reference": references.make_reference(12345678), "contact": "x@example.com"},
        REMOTE_ADDR=address,
    ).status_code


def _sleep_until(moment: float) -> None:
    time.sleep(max(moment - time.time(), 0))


@pytest.fixture
def small_window(settings):
    settings.PORTAL_RATE_LIMITS = {"track_ip": (LIMIT, WINDOW), "track_reference": (10_000, 60)}


@pytest.mark.django_db
def test_the_limit_holds_across_half_a_window_and_a_flooded_cache(client, small_window):
    # Start a quarter past the middle of a fixed window of the old code.
    now = time.time()
    start = now - now % WINDOW + WINDOW / 2 + 0.25
    _sleep_until(start if start > now else start + WINDOW)

    first = time.time()
    assert _track(client) == 200
    _sleep_until(first + 2)
    second = time.time()
    assert [_track(client), _track(client)] == [200, 200]
    assert _track(client) == 429  # the limit, exactly

    # Flood the cache with other keys and 400 other addresses, then empty it.
    for n in range(400):
        cache.set(f"flood-{n}", "x" * 100)
        ratelimit.allow("track_ip", f"198.51.100.{n % 250}-{n}")
    cache.clear()
    assert _track(client) == 429
    assert _track(client, "198.51.100.99") == 200  # another address is not held up

    # Half a window after the first lookup (and past the old code's window boundary).
    _sleep_until(first + WINDOW / 2)
    assert time.time() < first + WINDOW, "the machine was too slow for this timing"
    assert [_track(client) for _ in range(3)] == [429, 429, 429]
    assert RateLimitHit.objects.filter(key=ratelimit.digest(ADDRESS)).count() == LIMIT

    # The first lookup leaves the window: exactly one lookup comes back.
    _sleep_until(first + WINDOW + 0.3)
    assert time.time() < second + WINDOW, "the machine was too slow for this timing"
    assert [_track(client), _track(client)] == [200, 429]

    # The other two leave: exactly two more.
    _sleep_until(second + WINDOW + 1.5)
    assert [_track(client), _track(client), _track(client)] == [200, 200, 429]


@pytest.mark.django_db(transaction=True)
def test_a_race_on_one_address_lets_through_exactly_the_limit(postgres_only, settings):
    settings.PORTAL_RATE_LIMITS = {"track_ip": (4, 60), "track_reference": (10_000, 60)}
    threads = 12
    barrier = threading.Barrier(threads)
    answers: list[int] = []
    lock = threading.Lock()

    def lookup():
        try:
            client = Client()
            barrier.wait(timeout=30)
            status = _track(client)
            with lock:
                answers.append(status)
        finally:
            connection.close()

    workers = [threading.Thread(target=lookup) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(answers) == [200] * 4 + [429] * 8
    assert RateLimitHit.objects.filter(scope="track_ip").count() == 4


@pytest.mark.django_db
def test_ipv6_addresses_are_counted_by_their_64(client, settings):
    settings.PORTAL_RATE_LIMITS = {"track_ip": (2, 60), "track_reference": (10_000, 60)}
    assert _track(client, "2001:db8:1:2::1") == 200
    assert _track(client, "2001:db8:1:2:ffff::9") == 200  # same /64: one customer
    assert _track(client, "2001:db8:1:2::abcd") == 429
    assert _track(client, "2001:db8:1:3::1") == 200  # the next /64 is someone else
    assert _track(client, "::ffff:192.0.2.1") == 200  # IPv4-mapped counts as the IPv4 address
    assert _track(client, "192.0.2.1") == 200
    assert _track(client, "192.0.2.1") == 429
