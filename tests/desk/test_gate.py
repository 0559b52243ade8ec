"""The one staff gate: every view under /desk/ is behind it, and it lets in only staff.

The URLconf is walked, not listed by hand, so a new desk page that forgets the gate fails
here. Each page is then asked for as an anonymous visitor (sent to sign in) and as a signed-in
user who is not staff (403; 404 for the simulator, whose existence is not confirmed), with
made-up arguments: the gate answers before the view looks anything up.
"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from desk import gate
from services.models import Role
from tests.factories import CouncilFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db

SAMPLE = {"int": "1", "str": "100000013", "slug": "mk-shop", "path": "x"}
HIDDEN = {"/desk/simulator/"}  # refused with a 404 to non-staff, as before the desk app


def desk_urls(patterns=None, prefix="/desk/"):
    """(path with sample arguments, URL pattern) for every pattern of ``desk.urls``."""
    for item in get_resolver("desk.urls").url_patterns if patterns is None else patterns:
        route = prefix + str(item.pattern)
        if isinstance(item, URLResolver):
            yield from desk_urls(item.url_patterns, route)
        else:
            assert isinstance(item, URLPattern)
            path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE[m.group(1) or "str"], route)
            yield path, item


DESK_URLS = list(desk_urls())


def test_the_walk_finds_every_room():
    paths = {path for path, _ in DESK_URLS}
    for expected in (
        "/desk/",
        "/desk/supervisor/",
        "/desk/cases/100000013/",
        "/desk/residents/1/",
        "/desk/calls/",
        "/desk/counter/",
        "/desk/counter/mk-shop/",
        "/desk/dashboards/",
        "/desk/search/",
        "/desk/search/suggest/",
        "/desk/simulator/",
    ):
        assert expected in paths
    assert len(DESK_URLS) >= 46  # every pattern of the rooms, not just their front pages


@pytest.mark.parametrize(("path", "pattern"), DESK_URLS, ids=[p for p, _ in DESK_URLS])
def test_every_desk_view_is_behind_the_gate(path, pattern):
    assert gate.is_gated(pattern.callback), f"{path} is not wrapped by desk.gate.staff_required"
    assert pattern.callback.__module__.startswith("desk."), pattern.callback.__module__
    assert getattr(pattern.callback, gate.HIDES_ATTRIBUTE) is (path in HIDDEN)
    # The site's URLconf serves the path with the desk's view (nothing mounted in front of it).
    assert resolve(path).func is pattern.callback


def _ask(client, path):
    """GET, or POST where the view only takes POST (405 comes before the gate)."""
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


@pytest.mark.parametrize(("path", "pattern"), DESK_URLS, ids=[p for p, _ in DESK_URLS])
def test_anonymous_visitors_are_sent_to_sign_in(client, path, pattern):
    response = _ask(client, path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/accounts/login/?next=/desk/"), response["Location"]


@pytest.mark.parametrize(("path", "pattern"), DESK_URLS, ids=[p for p, _ in DESK_URLS])
def test_signed_in_users_who_are_not_staff_are_refused(client, path, pattern):
    for user in (UserFactory(), UserFactory(is_staff=True)):  # a resident; staff, no profile
        client.force_login(user)
        assert _ask(client, path).status_code == (404 if path in HIDDEN else 403), path


# --- The gate on its own (without the site's middleware) ----------------------------------------


@gate.staff_required
def _page(request):
    return HttpResponse("in")


def _request(user):
    request = RequestFactory().get("/desk/somewhere/?q=1")
    SessionMiddleware(lambda r: None).process_request(request)
    request.user = user
    return request


def test_gate_sends_anonymous_users_to_sign_in_and_back():
    response = _page(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/desk/somewhere/%3Fq%3D1"


def test_gate_lets_staff_with_a_profile_in_and_refuses_others():
    council = CouncilFactory()
    assert _page(_request(make_staff(council, role=Role.AGENT))).content == b"in"
    assert _page(_request(UserFactory(is_staff=True, is_superuser=True))).content == b"in"
    for outsider in (
        UserFactory(),
        UserFactory(is_staff=True),  # no staff profile
        make_staff(council, is_active=False),
    ):
        with pytest.raises(PermissionDenied):
            _page(_request(outsider))


def test_gate_needs_an_authenticator_where_mfa_is_required(settings):
    staff = make_staff(CouncilFactory(), role=Role.AGENT)
    settings.PORTAL_STAFF_MFA_REQUIRED = False
    assert _page(_request(staff)).content == b"in"
    settings.PORTAL_STAFF_MFA_REQUIRED = True
    response = _page(_request(staff))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?next=/desk/somewhere/"
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={})
    assert _page(_request(staff)).content == b"in"
