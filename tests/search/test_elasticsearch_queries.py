"""The Elasticsearch backend without a server: its index mappings and the requests it builds.

These build the real ``ElasticsearchBackend`` and look at what it would send. The permission
filter is checked by meaning, not by shape: a small evaluator applies the filter it builds to
every case's document and must select exactly ``services.permissions.visible_cases``.
"""

import pytest
from elasticsearch import Elasticsearch

from search import documents
from search.backends.database import DatabaseBackend
from search.backends.elasticsearch import ElasticsearchBackend
from search.query import parse
from services.models import Case
from services.permissions import visible_cases


@pytest.fixture
def backend(db):
    """The world is indexed in the database; these tests only build Elasticsearch requests."""
    return DatabaseBackend()


@pytest.fixture
def engine(settings):
    settings.PORTAL_SEARCH_INDEX_PREFIX = "portal"
    # A client for an address nothing listens on: building requests must not need a server.
    return ElasticsearchBackend(client=Elasticsearch("http://127.0.0.1:9", request_timeout=1))


def test_case_index_analysers_for_uk_data(engine):
    body = engine.index_body("cases")
    analysis = body["settings"]["analysis"]
    postcode = analysis["normalizer"]["uk_postcode"]
    assert postcode["filter"] == ["uppercase"]
    assert analysis["char_filter"]["strip_spaces"]["pattern"] == r"\s+"
    assert analysis["char_filter"]["phone_digits"]["pattern"] == r"[^0-9+]"
    case_text = analysis["analyzer"]["case_text"]
    assert "english_stemmer" in case_text["filter"]
    assert analysis["filter"]["english_stemmer"] == {"type": "stemmer", "language": "english"}
    assert "asciifolding" in analysis["analyzer"]["person_name"]["filter"]

    fields = body["mappings"]["properties"]
    assert fields["postcode"] == {"type": "keyword", "normalizer": "uk_postcode"}
    assert fields["resident_postcode"]["normalizer"] == "uk_postcode"
    assert fields["phone"] == {"type": "keyword", "normalizer": "uk_phone"}
    assert fields["name"]["analyzer"] == "person_name"
    assert fields["body"]["analyzer"] == "case_text"
    assert fields["name_keys"] == {"type": "keyword"}
    for field in ("responsible_council_id", "delivering_council_id", "team_id"):
        assert fields[field] == {"type": "long"}
    assert fields["joint"] == fields["restricted"] == {"type": "boolean"}


def test_resident_index_has_no_case_fields(engine):
    fields = engine.index_body("residents")["mappings"]["properties"]
    assert fields["postcode"]["normalizer"] == "uk_postcode"
    assert "body" not in fields and "restricted" not in fields


def test_versioned_names_and_an_atomic_alias_swap(engine):
    name = engine.new_index_name("cases")
    assert name.startswith("portal-cases-") and name != engine.alias("cases")
    actions = engine.swap_actions("cases", name, ["portal-cases-1", "portal-cases-2"])
    assert actions[0] == {"add": {"index": name, "alias": "portal-cases"}}
    assert {"remove": {"index": "portal-cases-1", "alias": "portal-cases"}} in actions
    assert len(actions) == 3


def test_name_query_uses_fuzziness_keys_and_the_permission_filter(engine, world):
    body = engine.build_search(world.mk_staff, parse("Muhammad Khan"), "cases", limit=20).to_dict()
    query = body["query"]["bool"]
    words = query["must"][0]["bool"]
    assert words["minimum_should_match"] == 1
    name = next(q["match"]["name"] for q in words["should"] if "name" in q.get("match", {}))
    assert name["fuzziness"] == "AUTO"
    keys = next(q["terms"]["name_keys"] for q in words["should"] if "terms" in q)
    assert "zpmhmt" in keys and "zsaadhmmmu" in keys
    assert str(world.mkc.pk) in str(query["filter"][0])
    assert body["size"] == 20
    assert body["track_total_hits"] == 1001


def test_every_word_is_required_and_matches_by_its_own_keys(engine, world):
    body = engine.build_search(world.mk_staff, parse("Mrs Muhammad Kahn"), "residents", limit=5)
    must = body.to_dict()["query"]["bool"]["must"]
    assert len(must) == 2  # the title is not a word the name must contain
    keys = [
        next(q["terms"]["name_keys"] for q in w["bool"]["should"] if "terms" in q) for w in must
    ]
    assert "zpmhmt" in keys[0] and "zpkn" not in keys[0]
    assert "zpkn" in keys[1] and "zsahkn" in keys[1] and "zpmhmt" not in keys[1]
    for word in must:
        assert word["bool"]["minimum_should_match"] == 1
        # A stop word analyses to nothing and then matches everything: never required.
        assert any(
            q.get("match", {}).get("name", {}).get("zero_terms_query") == "all"
            for q in word["bool"]["should"]
        )


def test_identifiers_are_filters_on_normalised_values(engine, world):
    body = engine.build_search(world.mk_staff, parse("mk9  3ej"), "cases", limit=5).to_dict()
    assert {
        "bool": {
            "should": [
                {"term": {"postcode": "MK9 3EJ"}},
                {"term": {"resident_postcode": "MK9 3EJ"}},
            ],
            "minimum_should_match": 1,
        }
    } in body["query"]["bool"]["filter"]
    body = engine.build_search(
        world.mk_staff, parse("07400 111222"), "residents", limit=5
    ).to_dict()
    assert {"term": {"phone": "+447400111222"}} in body["query"]["bool"]["filter"]
    assert {"term": {"merged": False}} in body["query"]["bool"]["filter"]


def test_nobody_without_a_rule_gets_a_request(engine, world):
    from django.contrib.auth.models import AnonymousUser

    for user in (world.resident_user, AnonymousUser()):
        for kind in ("cases", "residents"):
            assert engine.build_search(user, parse("Mohammed"), kind, limit=5) is None


def test_a_reference_searches_cases_only(engine, world):
    query = parse(world.bin_case.reference)
    assert engine.build_search(world.mk_staff, query, "residents", limit=5) is None
    body = engine.build_search(world.mk_staff, query, "cases", limit=5).to_dict()
    assert {"term": {"reference": world.bin_case.reference}} in body["query"]["bool"]["filter"]


def test_hostile_text_is_sent_as_plain_match_text(engine, world):
    body = engine.build_search(world.auditor, parse('a AND (b OR "c) ~ * \x00'), "cases", limit=5)
    text = str(body.to_dict())
    assert "query_string" not in text and "\\x00" not in text


# --- the permission filter, by meaning ---------------------------------------------------------


def matches(clause: dict, doc: dict) -> bool:
    """Evaluate the filter clauses the backend uses (term, terms, bool, match_all)."""
    ((kind, spec),) = clause.items()
    if kind == "match_all":
        return True
    if kind == "term":
        ((field, value),) = spec.items()
        return doc.get(field) == value
    if kind == "terms":
        ((field, values),) = spec.items()
        return doc.get(field) in values
    if kind == "bool":
        ok = all(matches(c, doc) for c in spec.get("filter", []) + spec.get("must", []))
        if "should" in spec:
            ok = ok and sum(matches(c, doc) for c in spec["should"]) >= spec.get(
                "minimum_should_match", 1
            )
        return ok and not any(matches(c, doc) for c in spec.get("must_not", []))
    raise AssertionError(f"unexpected clause {kind}")


def test_the_filter_selects_exactly_the_visible_cases(engine, world):
    docs = [documents.case_fields(c) for c in documents.case_queryset()]
    assert len(docs) == Case.objects.count() == 4
    for user in (world.mk_staff, world.ncc_staff, world.social_worker, world.auditor):
        body = engine.build_search(user, parse("anything"), "cases", limit=5).to_dict()
        permission = body["query"]["bool"]["filter"][0]
        selected = {d["case_id"] for d in docs if matches(permission, d)}
        assert selected == set(visible_cases(user).values_list("pk", flat=True))
        assert selected  # every one of these users sees something
    assert {d["case_id"] for d in docs if matches({"match_all": {}}, d)} != set()
