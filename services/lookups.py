"""Catalogue look-ups made on every intake, cached in the process for a short while.

Every inbound text, email or call asks the same questions of the catalogue: which council and
service does the number or mailbox belong to, which team delivers the service and from which
office, which days is the council closed. The answers change a few times a year, so they are
kept in the ``catalogue`` cache (settings ``CACHES["catalogue"]``: Django's local-memory cache,
``PORTAL_CATALOGUE_CACHE_SECONDS``, default 60 s) instead of costing six queries per message.

Saving or deleting any catalogue row clears the cache at once in the process that saved it;
other processes see the change within the timeout. Pointing ``CACHES["catalogue"]`` at a
shared cache (Redis, Memcached) makes the clearing immediate everywhere.
"""

import datetime
import hashlib

from django.core.cache import caches
from django.db.models.signals import post_delete, post_save

from services.models import Closure, ContactPoint, Council, Office, ReferralBody, Service, Team

ALIAS = "catalogue"
_MISSING = "missing"  # cached "no such row", so a wrong number does not query every time


def _cache():
    return caches[ALIAS]


def remember(key: str, fetch):
    """The cached value for ``key``, fetched (and cached, ``None`` included) on a miss."""
    cache = _cache()
    value = cache.get(key)
    if value is None:
        value = fetch()
        cache.set(key, _MISSING if value is None else value)
    return None if value == _MISSING else value


def contact_point(channel: str, address: str) -> ContactPoint | None:
    """The contact point (number dialled, mailbox written to) with its council and service."""
    address = (address or "").strip().lower()
    # The address comes from outside (a From/To header): hash it into a short, safe cache key.
    digest = hashlib.sha256(f"{channel}\n{address}".encode("utf-8", "surrogatepass")).hexdigest()
    return remember(
        f"point:{digest}",
        lambda: (
            ContactPoint.objects.select_related("council", "service")
            .filter(channel=channel, address=address)
            .first()
        ),
    )


def service_by_slug(slug: str) -> Service | None:
    return remember(f"service-slug:{slug}", lambda: _routable().filter(slug=slug).first())


def routable_service(service: Service) -> Service:
    """``service`` with the councils, team and office that routing reads already loaded."""
    if service.pk is None:
        return service
    return remember(f"service:{service.pk}", lambda: _routable().filter(pk=service.pk).first())


def councils_by_code() -> dict[str, Council]:
    return remember("councils", lambda: {c.code: c for c in Council.objects.all()})


def closures(council: Council) -> frozenset[datetime.date]:
    """The whole-council closure days (office closures are the offices' own business)."""
    return remember(
        f"closures:{council.pk}",
        lambda: frozenset(
            Closure.objects.filter(council=council, office__isnull=True).values_list(
                "date", flat=True
            )
        ),
    )


def _routable():
    return Service.objects.select_related(
        "responsible_council", "delivering_council", "delivering_team__office"
    )


def clear(**kwargs) -> None:
    _cache().clear()


def connect_signals() -> None:
    for model in (ContactPoint, Council, Office, Team, Service, Closure, ReferralBody):
        post_save.connect(clear, sender=model, dispatch_uid=f"lookups-save-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"lookups-delete-{model.__name__}")
