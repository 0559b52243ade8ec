"""Request-wide policies: the Content Security Policy, staff two-factor enrolment, the
resident's language (cookie, then their account), and personal pages kept out of caches."""

from django.conf import settings
from django.middleware.csp import ContentSecurityPolicyMiddleware as BaseCSPMiddleware
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from portal.languages import SESSION_KEY, remember_language

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


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, and responses say they vary by ``Cookie``.

    URLs carry no language: the same address is served in the language of the
    ``portal_language`` cookie (or ``Accept-Language``). Django adds ``Vary: Accept-Language``;
    without ``Cookie`` too a shared cache could hand one resident's language to another.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))
        return response


class AccountLanguageMiddleware:
    """A signed-in resident without a language cookie gets the language saved on their account.

    After ``AuthenticationMiddleware``. The language is read from the session, where sign-in
    put it (``portal.languages``), so this costs no query; the cookie is then set, and a
    cookie the resident set wins.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = None
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                language = request.session.get(SESSION_KEY) or None
            if language is not None:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language is not None and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            remember_language(response, language)  # unless the view just set another
        return response


class PersonalPagesNoStoreMiddleware:
    """Pages with personal data are never kept by the browser or any cache in between.

    On a shared counter PC the back button or the disk cache must not show the previous
    resident's case. So every response is sent with ``Cache-Control: no-store`` (Django's
    ``add_never_cache_headers``: ``max-age=0, no-cache, no-store, must-revalidate, private``)
    when any of these holds:

    * the path is under a personal prefix (``PERSONAL_PREFIXES``: the desk, /track/ and its
      results, /my/, allauth's /accounts/, the CMS, the API) — whoever asks, signed in or not;
    * the visitor is signed in (staff or resident: every page may show who they are);
    * the visitor has a session, which only a personal journey creates for someone not signed
      in (a case found with /track/, an application in progress, a reply being written).

    One place, keyed on who is asking rather than on a list of views, so a new personal view
    cannot forget it (``tests/portal/test_no_store.py`` walks the URL configuration). Public
    pages and the site search, asked for by a visitor without a session, stay cacheable.
    After ``AuthenticationMiddleware``, so every response from later middleware and views
    passes through it. A view's own stricter headers are kept (this only adds).
    """

    PERSONAL_PREFIXES = ("/desk/", "/track/", "/my/", "/accounts/", ADMIN_PREFIX, "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.is_personal(request):
            add_never_cache_headers(response)
        return response

    def is_personal(self, request) -> bool:
        if request.path.startswith(self.PERSONAL_PREFIXES):
            return True
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        session = getattr(request, "session", None)
        return session is not None and not session.is_empty()
