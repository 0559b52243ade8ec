"""Request-wide policies: the Content Security Policy and staff two-factor enrolment."""

from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware as BaseCSPMiddleware
from django.shortcuts import redirect
from django.urls import reverse

ADMIN_PREFIX = "/admin/"


class ContentSecurityPolicyMiddleware(BaseCSPMiddleware):
    """Django's CSP middleware, with the editors' admin given the one relaxation it needs.

    Everything residents and staff see on the site and the desk gets ``SECURE_CSP``
    (no inline script or style). The Wagtail admin's editors get ``PORTAL_ADMIN_CSP``.
    """

    def process_response(self, request, response):
        if request.path.startswith(ADMIN_PREFIX) and not hasattr(response, "_csp_config"):
            response._csp_config = settings.PORTAL_ADMIN_CSP
        return super().process_response(request, response)


class StaffMfaMiddleware:
    """Staff must set up an authenticator app before they use the desk or the admin.

    Turned on by ``PORTAL_STAFF_MFA_REQUIRED`` (production's default). A staff user without a
    TOTP authenticator is sent to allauth's set-up page; the pages needed to get there (the
    account and MFA pages, logout, static files) stay reachable.
    """

    protected_prefixes = ("/desk/", ADMIN_PREFIX)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PORTAL_STAFF_MFA_REQUIRED and self._needs_enrolment(request):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)

    def _needs_enrolment(self, request) -> bool:
        if not request.path.startswith(self.protected_prefixes):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return False
        from allauth.mfa.models import Authenticator

        return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
