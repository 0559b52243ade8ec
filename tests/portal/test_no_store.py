"""Personal pages are never kept by the browser: ``Cache-Control: no-store`` (issue 21).

The site's URLconf is walked, not listed by hand, so a new personal page is checked the day it
is added: every pattern under /desk/ (the counter staff pages included), /track/, /my/ and
/accounts/ is asked for by an anonymous visitor, a signed-in member of staff and a signed-in
resident, with a real case, resident and office as its arguments, and every answer — a page, a
redirect to sign in, a 403 or a 404 — must say ``no-store``. Public pages and the site search,
asked for by a visitor without a session, stay cacheable; the same pages say ``no-store`` to a
signed-in user and to a visitor in the middle of a personal journey.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.cache import get_max_age

from services.models import Role
from tests.factories import (
    OfficeFactory,
    ResidentFactory,
    ServiceFactory,
    UserFactory,
    make_case,
    make_staff,
)

pytestmark = pytest.mark.django_db

PERSONAL_PREFIXES = ("/desk/", "/track/", "/my/", "/accounts/")
CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def site_urls(patterns=None, prefix="/"):
    """(route with placeholders, URL pattern) for every pattern of the site's URLconf, the
    Wagtail admin's own hundreds left out (it is signed-in only: see the test below)."""
    for item in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(item.pattern).lstrip("^").rstrip("$")
        if isinstance(item, URLResolver):
            if route != "/admin/":
                yield from site_urls(item.url_patterns, route)
        else:
            assert isinstance(item, URLPattern)
            yield route, item


PERSONAL_ROUTES = sorted({route for route, _ in site_urls() if route.startswith(PERSONAL_PREFIXES)})


def _fill(route: str, world: dict) -> str:
    """The route with real arguments: the case's reference, the resident's id, the office."""

    def sample(converter: str | None, name: str) -> str:
        if converter == "slug" or name == "office":
            return world["office"].slug
        if converter == "int" or name in {"pk", "id"}:
            return str(world["resident"].pk)
        return world["case"].reference

    path = CONVERTER.sub(lambda m: sample(m.group(1), m.group(2)), route)
    return REGEX_GROUP.sub(lambda m: sample(None, m.group(1)), path)


@pytest.fixture
def world():
    office = OfficeFactory()
    resident = ResidentFactory(email="walk@example.com")
    case = make_case(ServiceFactory(responsible_council=office.council), resident)
    staff = make_staff(office.council, role=Role.SUPERVISOR, office=office, is_superuser=True)
    user = UserFactory(email="walk@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return {"office": office, "resident": resident, "case": case, "staff": staff, "user": user}


def _visitors(world):
    yield "anonymous", Client()
    for name in ("staff", "user"):
        client = Client()
        client.force_login(world[name])
        yield name, client


def _ask(client, path):
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_walk_finds_every_personal_room():
    for expected in (
        "/desk/",
        "/desk/cases/<str:reference>/",
        "/desk/residents/<int:pk>/",
        "/desk/counter/",
        "/desk/counter/<slug:office>/",
        "/track/",
        "/track/<str:reference>/",
        "/track/<str:reference>/files/<int:attachment_id>/",
        "/my/cases/",
        "/my/data/",
        "/accounts/login/",
        "/accounts/email/",
        "/accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/",
    ):
        assert expected in PERSONAL_ROUTES, expected
    assert len(PERSONAL_ROUTES) >= 80


@pytest.mark.parametrize("route", PERSONAL_ROUTES)
def test_every_personal_page_says_no_store_to_everyone(world, route):
    path = _fill(route, world)
    for visitor, client in _visitors(world):
        response = _ask(client, path)
        assert _no_store(response), (
            f"{path} as {visitor}: {response.status_code}, "
            f"Cache-Control {response.get('Cache-Control')!r}"
        )


def test_the_pages_named_in_the_issue_say_no_store_when_they_show_the_case(world):
    case, staff = world["case"], world["staff"]
    desk = Client()
    desk.force_login(staff)
    resident = Client()
    resident.force_login(world["user"])
    for client, path in (
        (desk, "/desk/"),
        (desk, f"/desk/cases/{case.reference}/"),
        (desk, f"/desk/residents/{world['resident'].pk}/"),
        (resident, "/my/cases/"),
        (resident, f"/track/{case.reference}/"),
        (resident, "/my/data/"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _no_store(response) and get_max_age(response) == 0, path
        assert "private" in response["Cache-Control"], path


def test_the_track_form_and_its_results_say_no_store(world):
    client = Client()
    case = world["case"]
    found = client.post("/track/", {"reference": case.reference, "contact": "walk@example.com"})
    assert found.status_code == 302 and _no_store(found)
    page = client.get(found["Location"])
    assert case.summary in page.text and _no_store(page)
    missed = Client().post("/track/", {"reference": case.reference, "contact": "x@example.com"})
    assert missed.status_code == 200 and _no_store(missed)


def test_public_pages_may_be_cached_until_the_visitor_is_on_a_personal_journey(world):
    public = ("/search/?q=bins", "/how-we-are-doing/", "/robots.txt")
    stranger = Client()
    for path in public:
        response = stranger.get(path)
        assert response.status_code == 200, path
        assert not _no_store(response), path
    # A resident who has found their case (a session now holds it) and anyone signed in.
    tracker = Client()
    tracker.post("/track/", {"reference": world["case"].reference, "contact": "walk@example.com"})
    signed_in = Client()
    signed_in.force_login(world["user"])
    for client in (tracker, signed_in):
        for path in public:
            assert _no_store(client.get(path)), path


def test_the_cms_says_no_store():
    client = Client()
    assert _no_store(client.get("/admin/"))  # the way to its sign-in
    response = client.get("/admin/login/")
    assert response.status_code == 200 and _no_store(response)
