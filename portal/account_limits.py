"""allauth's sign-in, sign-up and password-reset limits, counted in PostgreSQL.

allauth's own limiter keeps its history in Django's cache, which an attacker can flush by
filling it (the production database cache culls a share of its keys once it is full), and so
refill the allowance of an account being guessed. These limits count in
``services.actions.ratelimit`` instead (true sliding windows, rows in PostgreSQL), at the same
points and with the same answers as allauth's:

* every sign-in, sign-up, reset-request and reset-from-link form posted from one address
  (``AccountRateLimitMiddleware``, keyed on allauth's URL names; over the limit: allauth's own
  429 response, ``allauth.core.ratelimit.respond_429``, which renders ``429.html``);
* a reset mail asked for one email address (the same middleware: allauth limits it per key);
* failed passwords, per address and per email address (``AccountAdapter.pre_authenticate``:
  counted before the password is checked, given back when it was right, as allauth does; over
  the limit: allauth's "Too many failed login attempts" form error);
* wrong authenticator codes per user at sign-in, re-authentication and set-up (the MFA forms
  below, through ``MFA_FORMS``; allauth's message);
* failed passwords at the Wagtail admin's own sign-in page, where it is not routed through
  allauth (``PORTAL_STAFF_MFA_REQUIRED`` off: development and the demo), with the same scopes
  (``WagtailLoginForm``, through ``WAGTAILADMIN_USER_LOGIN_FORM``).

The settings switch allauth's own counters off for exactly these actions (``None`` in
``ACCOUNT_RATE_LIMITS``); the ones it keeps need a signed-in session (change password, manage
email, re-authenticate) or are the confirmation mail's cool-down, none of which a cache flush
by an anonymous attacker helps with.
"""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core.ratelimit import respond_429
from allauth.mfa.base.forms import AuthenticateForm as BaseAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as BaseReauthenticateForm
from allauth.mfa.totp.forms import ActivateTOTPForm as BaseActivateTOTPForm
from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm as BaseWagtailLoginForm

from portal.apply.ratelimit import allow, client_ip, refund

# allauth URL name -> our scope for every form posted to it from one address.
PER_ADDRESS = {
    "account_login": "login_ip",
    "account_signup": "signup_ip",
    "account_reset_password": "reset_password_ip",
    "account_reset_password_from_key": "reset_password_from_key_ip",
}
UNLIMITED_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _login(credentials: dict) -> str:
    return str(credentials.get("email", credentials.get("username", ""))).strip().lower()


class AccountRateLimitMiddleware:
    """allauth's per-address view limits (its ``rate_limit`` decorator) on our windows.

    After ``CsrfViewMiddleware``, so a forged post is refused before it counts; GET is never
    limited, as in allauth.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        scope = PER_ADDRESS.get(match.url_name if match else "")
        if scope is None or request.method in UNLIMITED_METHODS:
            return None
        if not allow(scope, client_ip(request)):
            return respond_429(request)
        if scope == "reset_password_ip":
            email = request.POST.get("email", "").strip().lower()
            if email and not allow("reset_password_account", email):
                return respond_429(request)
        return None


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, with failed passwords counted on our windows (see the module)."""

    def pre_authenticate(self, request, **credentials) -> None:
        # allauth's own login_failed limit is off (ACCOUNT_RATE_LIMITS), so super() counts
        # nothing; it is called in case a later allauth adds other checks here.
        super().pre_authenticate(request, **credentials)
        self._portal_failed = []
        for scope, identifier in (
            ("login_failed_ip", client_ip(request)),
            ("login_failed_account", _login(credentials)),
        ):
            if not allow(scope, identifier):
                raise self.validation_error("too_many_login_attempts")
            self._portal_failed.append((scope, identifier))

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            # A right password was not a failure: give back what pre_authenticate counted.
            for scope, identifier in getattr(self, "_portal_failed", []):
                refund(scope, identifier)
        self._portal_failed = []
        return user


class _CodeLimit:
    """Wrong authenticator codes per user, before allauth checks the code (which then counts
    nothing of its own: ``login_failed`` is off). A right code gives the attempt back."""

    limit_error = "too_many_login_attempts"

    def clean_code(self):
        identifier = f"user:{self.user.pk}"
        if not allow("mfa_failed_user", identifier):
            raise get_account_adapter().validation_error(self.limit_error)
        code = super().clean_code()
        refund("mfa_failed_user", identifier)
        return code


class AuthenticateForm(_CodeLimit, BaseAuthenticateForm):
    """The second step of signing in (authenticator or recovery code)."""


class ReauthenticateForm(_CodeLimit, BaseReauthenticateForm):
    """Confirming a sensitive change with a code."""


class ActivateTOTPForm(_CodeLimit, BaseActivateTOTPForm):
    """Setting up an authenticator app (allauth answers "rate_limited" here)."""

    limit_error = "rate_limited"


class WagtailLoginForm(BaseWagtailLoginForm):
    """The CMS's own sign-in form, with failed passwords counted as on allauth's."""

    def clean(self):
        counted = []
        for scope, identifier in (
            ("login_failed_ip", client_ip(self.request)),
            ("login_failed_account", str(self.data.get("username", "")).strip().lower()),
        ):
            if not allow(scope, identifier):
                message = get_account_adapter().error_messages["too_many_login_attempts"]
                raise ValidationError(message, code="too_many_login_attempts")
            counted.append((scope, identifier))
        cleaned = super().clean()  # raises on a wrong password: the attempts stay counted
        for scope, identifier in counted:
            refund(scope, identifier)
        return cleaned
