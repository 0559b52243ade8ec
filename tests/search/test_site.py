"""Resident site search: synonyms editors manage, promotions, and the resident's council."""

import pytest

from portal.demo.search import ensure_search_demo
from portal.pages.models import ServicePage
from search.models import SynonymGroup
from search.site import search_pages, synonyms_for


@pytest.fixture
def backend(db):
    """Site search uses Wagtail's backend; the case backend is not involved."""


def titles(results):
    return [p.title for p in results.pages]


def test_an_editors_synonym_group_widens_the_search(demo):
    assert search_pages("zonkwidget").pages == []
    SynonymGroup.objects.create(terms="zonkwidget, council tax")
    found = search_pages("zonkwidget")
    assert found.synonyms == ["council tax"]
    assert any("Council tax" in t for t in titles(found))


def test_bins_finds_waste_collection_pages(demo):
    assert "waste collection" in synonyms_for("Bins")
    found = search_pages("bins")
    assert any(
        p.service and p.service.slug == "mk-missed-bin"
        for p in found.pages
        if isinstance(p, ServicePage)
    )


def test_synonyms_match_whole_words_only(demo):
    SynonymGroup.objects.create(terms="bin, waste collection")
    assert synonyms_for("cabinet") == []


@pytest.mark.parametrize(
    ("postcode", "wanted", "unwanted"),
    [
        ("MK9 3EJ", "mk-council-tax", "ncc-council-tax"),
        ("nn1 1aa", "ncc-council-tax", "mk-council-tax"),
    ],
)
def test_council_tax_for_the_residents_postcode(demo, postcode, wanted, unwanted):
    found = search_pages("council tax", postcode=postcode)
    slugs = [p.service.slug for p in found.pages if isinstance(p, ServicePage) and p.service]
    assert slugs and slugs[0] == wanted
    assert unwanted not in slugs
    everywhere = [
        p.service.slug for p in search_pages("council tax").pages if getattr(p, "service", None)
    ]
    assert {wanted, unwanted} <= set(everywhere)


def test_the_search_page_with_a_postcode_and_promotions(client, demo):
    response = client.get("/search/", {"q": "bins"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Report a bin we missed in Milton Keynes." in html  # the demo promotion
    response = client.get("/search/", {"q": "council tax", "postcode": "MK9 3EJ"})
    html = response.content.decode()
    assert 'id="search-area"' in html and "Milton Keynes" in html
    assert "Council tax in Northamptonshire" not in html
    html = client.get(
        "/search/", {"q": "council tax", "postcode": "not a postcode"}
    ).content.decode()
    assert "govuk-error-message" in html


def test_demo_seeding_is_idempotent(demo):
    groups = SynonymGroup.objects.count()
    assert groups >= 5
    assert ensure_search_demo() == 0
    assert SynonymGroup.objects.count() == groups


@pytest.mark.parametrize("text", ["x" * 5000, "a & | ! :* (", "\x00", "😀 مرحبا", '"', "OR"])
def test_hostile_site_search(client, demo, text):
    assert client.get("/search/", {"q": text, "postcode": text}).status_code == 200
