"""Council names and numbers in the site's text come from the Council rows, not from msgids."""

import pytest
from django.template import Context, Template
from django.utils import translation

from services.models import Council

pytestmark = pytest.mark.django_db


def _render(source: str) -> str:
    with translation.override("en"):
        return Template("{% load councils %}" + source).render(Context())


def test_names_are_joined_from_the_rows(catalogue):
    assert _render("{% council_names %}") == (
        "Milton Keynes Council and Northamptonshire County Council"
    )
    assert _render('{% council_names "or" %}') == (
        "Milton Keynes Council or Northamptonshire County Council"
    )
    Council.objects.create(code="WNC", name="West Northamptonshire Council", short_name="WNC")
    assert _render("{% council_names %}") == (
        "Milton Keynes Council, Northamptonshire County Council and West Northamptonshire Council"
    )


def test_a_search_without_results_gives_each_councils_number(client, catalogue):
    html = client.get("/search/", {"q": "zzzz nothing matches"}).content.decode()
    assert "0300 123 4567" not in html
    assert 'Milton Keynes Council: <span dir="ltr">01632 960001</span>' in html
    assert 'Northamptonshire County Council: <span dir="ltr">01632 960002</span>' in html
    # One number for every council: one sentence.
    for council in Council.objects.all():
        council.phone = "+441632960009"
        council.save()  # clears the catalogue cache
    html = client.get("/search/", {"q": "zzzz nothing matches"}).content.decode()
    assert 'or call us on <span dir="ltr">01632 960009</span>.' in html
