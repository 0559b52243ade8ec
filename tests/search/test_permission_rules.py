"""search.permissions restates services.permissions faithfully, or refuses."""

import pytest
from django.db.models import Q

from search.models import CaseDocument
from search.permissions import (
    NOTHING,
    UntranslatableRule,
    document_q,
    elasticsearch_filter,
    tsquery_filter,
)
from services.permissions import case_filter, visible_cases


def test_document_rule_selects_exactly_the_visible_cases(backend, world):
    for user in (
        world.mk_staff,
        world.ncc_staff,
        world.social_worker,
        world.joint_agent,
        world.auditor,
    ):
        docs = set(
            CaseDocument.objects.filter(document_q(case_filter(user))).values_list("pk", flat=True)
        )
        assert docs == set(visible_cases(user).values_list("pk", flat=True))
    assert {world.social_case.pk} <= set(
        CaseDocument.objects.filter(document_q(case_filter(world.social_worker))).values_list(
            "pk", flat=True
        )
    )


def test_the_tsquery_form_selects_exactly_the_visible_cases(backend, world):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("tsqueries are PostgreSQL's")
    from django.contrib.postgres.search import SearchQuery

    for user in (world.mk_staff, world.ncc_staff, world.social_worker, world.joint_agent):
        rule = tsquery_filter(case_filter(user))
        docs = CaseDocument.objects.filter(
            search_vector=SearchQuery(rule, config="simple", search_type="raw")
        )
        assert set(docs.values_list("pk", flat=True)) == set(
            visible_cases(user).values_list("pk", flat=True)
        )
    assert tsquery_filter(case_filter(world.auditor)) is None  # sees everything


def test_the_tsquery_form_of_empty_and_negated_rules():
    assert tsquery_filter(Q(team_id__in=[])) == NOTHING
    assert tsquery_filter(~Q()) == NOTHING
    # "joint, or anything": everything (``|`` would drop the empty Q, so built by hand).
    assert tsquery_filter(Q(Q(service__joint=True), Q(), _connector=Q.OR)) is None
    assert tsquery_filter(Q(service__joint=True) & Q(service__restricted=False)) == (
        "( zzj1 & !zzr1 )"
    )
    assert tsquery_filter(~(Q(team_id__in=[1, 2]) | Q(service__joint=True))) == (
        "!( ( zzt1 | zzt2 ) | zzj1 )"
    )
    with pytest.raises(UntranslatableRule):
        tsquery_filter(Q(team_id=None))


def test_a_rule_on_a_field_search_does_not_index_is_refused():
    with pytest.raises(UntranslatableRule):
        document_q(Q(assignee_id=3))
    with pytest.raises(UntranslatableRule):
        elasticsearch_filter(Q(service__group__slug="x"))


def test_negation_and_or_are_kept():
    rule = ~(Q(team_id__in=[1, 2]) | Q(service__joint=True))
    assert elasticsearch_filter(rule).to_dict() == {
        "bool": {
            "must_not": [
                {
                    "bool": {
                        "should": [{"terms": {"team_id": [1, 2]}}, {"term": {"joint": True}}],
                        "minimum_should_match": 1,
                    }
                }
            ]
        }
    }
    assert str(document_q(rule)) == str(~(Q(team_id__in=[1, 2]) | Q(joint=True)))
