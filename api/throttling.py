"""Each partner's own request rate (``Partner.rate_limit`` per minute), counted by the
project's sliding windows in PostgreSQL (``services.actions.ratelimit``), not DRF's cache
throttles: a cache forgets under pressure and resets a window on every hit (the reasons are in
that module)."""

from rest_framework.throttling import BaseThrottle

from services.actions import ratelimit
from services.models import Partner

WINDOW = 60


class PartnerRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        partner = request.auth
        if not isinstance(partner, Partner):
            return True  # refused before this by authentication or permission
        return ratelimit.allow("partner", str(partner.pk), limit=partner.rate_limit, window=WINDOW)

    def wait(self) -> float:
        return WINDOW
