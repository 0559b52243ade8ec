"""The 500 page: the resident's language, the councils' real numbers, and no database needed."""

import pytest
from django.core.cache import caches
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import translation

from portal.views import server_error
from services import lookups
from tests.factories import CouncilFactory


@pytest.fixture(autouse=True)
def cold_catalogue_cache():
    caches[lookups.ALIAS].clear()
    yield
    caches[lookups.ALIAS].clear()


def _page(language: str = "en"):
    with translation.override(language):
        response = server_error(RequestFactory().get("/anything/"))
    return response, response.content.decode()


def test_the_project_uses_it_for_server_errors():
    assert get_resolver().resolve_error_handler(500) is server_error


def test_it_gives_each_councils_real_number(db):
    CouncilFactory(code="MKC", name="Milton Keynes City Council", phone="+441908691691")
    CouncilFactory(code="NCC", name="West Northamptonshire Council", phone="+443007267000")

    response, html = _page()

    assert response.status_code == 500
    assert 'lang="en" dir="ltr"' in html
    assert 'Milton Keynes City Council: <span dir="ltr">01908 691691</span>' in html
    assert 'West Northamptonshire Council: <span dir="ltr">0300 726 7000</span>' in html
    assert "0300 123 4567" not in html  # the made-up number it used to show


def test_one_number_is_said_as_one_sentence(db):
    CouncilFactory(code="MKC", name="Milton Keynes City Council", phone="+441908691691")
    _, html = _page()
    assert 'If you need help now, call us on <span dir="ltr">01908 691691</span>.' in html


def test_in_urdu_right_to_left(db):
    CouncilFactory(code="MKC", name="Milton Keynes City Council", phone="+441908691691")
    _, html = _page("ur")
    assert 'lang="ur" dir="rtl"' in html
    assert "بعد میں دوبارہ کوشش کریں۔" in html
    assert '<span dir="ltr">01908 691691</span>' in html


def test_without_the_database_it_still_answers_without_numbers():
    # No ``db`` fixture: pytest-django makes every query raise, as a database outage would.
    response, html = _page("pl")
    assert response.status_code == 500
    assert "Przepraszamy, wystąpił problem z usługą" in html
    assert "Proszę spróbować ponownie później." in html
    assert 'dir="ltr">0' not in html


def test_it_needs_no_script_or_inline_style(db):
    _, html = _page()
    assert "<script" not in html and "style=" not in html and "<style" not in html
