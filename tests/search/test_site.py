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
    # The demo promotion, with the searched-for words marked ("bin" is a synonym of "bins").
    assert "Report a <mark>bin</mark> we missed in Milton Keynes." in html
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


# --- What a result says (issue 22) ------------------------------------------------------------


def test_a_snippet_is_plain_escaped_text_with_the_words_marked(db):
    from search.site import highlight_terms, snippet

    rich = '<p>Tell us about a <b>missed</b> bin &amp; we\u2019ll <a href="/x">collect</a> it.</p>'
    assert str(snippet(rich, ["missed", "collect"])) == (
        "Tell us about a <mark>missed</mark> bin &amp; we\u2019ll <mark>collect</mark> it."
    )
    # Markup in the text itself is shown as text, never run; a term can't inject it either.
    # Text an editor wrote about markup (escaped in rich text) is shown as text, escaped; tags
    # themselves are dropped; a term cannot inject markup either.
    hostile = snippet(
        "Bins &lt;script&gt;x&lt;/script&gt; <script>y</script>& more", ["<script>", "bins"]
    )
    assert str(hostile) == "<mark>Bins</mark> &lt;script&gt;x&lt;/script&gt; y&amp; more"
    # Case-insensitive, at the start of words only, and phrases across any spacing.
    assert str(snippet("Cabinet waste  collection", ["bin", "waste collection"])) == (
        "Cabinet <mark>waste collection</mark>"
    )
    assert str(snippet("Nothing to see", [])) == "Nothing to see"
    assert highlight_terms("a Missed bin") == ["missed", "bin"]


def test_results_show_plain_text_snippets_and_a_count_that_matches_the_list(client, demo):
    import re

    html = client.get("/search/", {"q": "missed bin"}).content.decode()
    listed = html.count('<li class="portal-card">')
    heading = re.search(r'id="results-heading">\s*(\d+) results? for', html)
    assert heading and int(heading.group(1)) == listed and listed >= 2
    # Rich-text introductions (apply-online pages) are shown as text, with the words marked.
    assert "&lt;p&gt;" not in html and "&lt;/p&gt;" not in html
    assert "Tell us about a <mark>bin</mark>, sack or caddy" in html  # the apply page's intro
    # A promotion counts as a listed result too.
    html = client.get("/search/", {"q": "bins"}).content.decode()
    listed = html.count('<li class="portal-card">')
    heading = re.search(r'id="results-heading">\s*(\d+) results? for', html)
    assert "Report a <mark>bin</mark> we missed in Milton Keynes." in html
    assert heading and int(heading.group(1)) == listed
