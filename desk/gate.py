"""The one way into the staff desk: every view under /desk/ is wrapped by ``staff_required``.

Who gets in: a signed-in, active user with ``is_staff`` and a staff profile, or a superuser
with ``is_staff`` (``services.permissions.is_staff_member``), who — where
``PORTAL_STAFF_MFA_REQUIRED`` is on — has enrolled a TOTP authenticator. Anonymous users are
sent to sign in; staff without an authenticator to allauth's set-up page (the same answer
``portal.middleware.StaffMfaMiddleware`` gives; the gate does not rely on the middleware being
installed); anybody else gets a 403, or a 404 for pages whose existence is not to be
confirmed (``hide=True``: the simulator).

A page that needs more than that (a supervisor's page, an office's counter) checks the role on
top of the gate, inside the view. The gate marks every view it wraps (``GATE_ATTRIBUTE``), so
a test can walk the desk's URLconf and prove no view was left outside it.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from services import permissions

GATE_ATTRIBUTE = "desk_staff_gate"  # True on every view the gate wraps
HIDES_ATTRIBUTE = "desk_staff_gate_hides"  # True where the gate refuses with a 404


def needs_mfa_enrolment(user) -> bool:
    """Staff must have a TOTP authenticator before they use the desk, where that is required."""
    if not settings.PORTAL_STAFF_MFA_REQUIRED or not user.is_staff:
        return False
    from allauth.mfa.models import Authenticator  # noqa: PLC0415 (allauth's models, at call time)

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def staff_required(view: Callable | None = None, *, hide: bool = False):
    """Wrap a desk view in the staff gate; ``hide=True`` refuses with a 404 instead of a 403.

    Use as ``@staff_required`` or ``@staff_required(hide=True)``.
    """

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if needs_mfa_enrolment(user):
                return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
            if not permissions.is_staff_member(user):
                if hide:
                    raise Http404
                raise PermissionDenied(_("The staff desk is for council staff."))
            return func(request, *args, **kwargs)

        setattr(wrapper, GATE_ATTRIBUTE, True)
        setattr(wrapper, HIDES_ATTRIBUTE, hide)
        return wrapper

    return decorate(view) if view is not None else decorate


def is_gated(view: Callable) -> bool:
    """Whether ``view`` (as the URL resolver holds it) went through ``staff_required``."""
    return getattr(view, GATE_ATTRIBUTE, False) is True
