"""One definition of a document: the SQL that writes them in bulk, the indexing tasks and the
Python fields Elasticsearch indexes all agree, row for row."""

import pytest
from django.db import connection
from django.utils import timezone

from search import documents
from search.backends.database import DatabaseBackend
from search.models import CaseDocument, ResidentDocument
from search.permissions import permission_tokens
from services.models import Channel, Direction, EventKind, Message, MessageStatus, TimelineEvent
from tests.factories import ResidentFactory, make_case

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's"
)

VECTORLESS = ("search_vector", "indexed_at")


@pytest.fixture
def awkward(world, django_capture_on_commit_callbacks):
    """Cases with everything a body is made of, and identifiers stored untidily."""
    with django_capture_on_commit_callbacks(execute=True):
        resident = ResidentFactory(
            name="Zoë O'Brien-Łukasz  de la Cruz",
            email="  Zoe.OBrien@Example.COM ",
            phone="+447400999000",
            postcode="mk6 2lx",
            address="Flat 2\n7 Saxon Gate",
        )
        case = make_case(
            world.bins,
            resident,
            summary="Bin store door broken",
            description="",
            answers={
                "where": "Round the back",
                "details": {"bins": ["green", "", "black"], "count": 3, "urgent": True},
                "notes": "",
            },
            location="Bin store, Saxon Gate",
            postcode="MK9 3EJ",
        )
        for n in range(3):
            Message.objects.create(
                channel=Channel.EMAIL if n % 2 else Channel.SMS,
                direction=Direction.IN,
                case=case,
                resident=resident,
                subject="Door" if n % 2 else "",
                body=f"Message number {n}",
                status=MessageStatus.RECEIVED,
                created_at=timezone.now(),
            )
        TimelineEvent.objects.create(
            case=case,
            kind=EventKind.NOTE,
            created_at=timezone.now(),
            body="Caretaker has a key",
        )
        no_postcode = make_case(world.roads, ResidentFactory(name="", postcode="not one"))
    return case, no_postcode


def rows(model, key):
    return {
        row[key]: row
        for row in model.objects.values(
            *[f.attname for f in model._meta.concrete_fields if f.attname != "indexed_at"]
        )
    }


def test_sql_rows_equal_the_python_fields(backend, world, awkward):
    """What PostgreSQL builds is what Elasticsearch (and the SQLite demo) index."""
    if not isinstance(backend, DatabaseBackend):
        pytest.skip("the database backend writes the SQL rows")
    cases = rows(CaseDocument, "case_id")
    for case in documents.case_queryset():
        expected = documents.case_fields(case)
        stored = {k: v for k, v in cases[case.pk].items() if k not in VECTORLESS}
        assert stored == expected, case.reference
    residents = rows(ResidentDocument, "resident_id")
    for resident in documents.resident_queryset():
        stored = {k: v for k, v in residents[resident.pk].items() if k not in VECTORLESS}
        assert stored == documents.resident_fields(resident)
    body = cases[awkward[0].pk]["body"]
    assert "Round the back\ngreen\nblack" in body and "Caretaker has a key" in body
    assert cases[awkward[0].pk]["email"] == "zoe.obrien@example.com"
    assert cases[awkward[0].pk]["resident_postcode"] == "MK6 2LX"
    assert cases[awkward[1].pk]["postcode"] == ""


def test_indexing_after_commit_and_a_rebuild_write_the_same_rows(backend, world, awkward):
    if not isinstance(backend, DatabaseBackend):
        pytest.skip("the database backend's two paths")
    incremental = (rows(CaseDocument, "case_id"), rows(ResidentDocument, "resident_id"))
    assert len(incremental[0]) == 6 and incremental[0][awkward[0].pk]["search_vector"]
    CaseDocument.objects.all().delete()
    ResidentDocument.objects.all().delete()
    counted = []
    assert backend.rebuild(counted.append, batch_size=2) == 6 + len(incremental[1])
    assert sum(counted) == 6 + len(incremental[1]) and max(counted) == 2
    assert (rows(CaseDocument, "case_id"), rows(ResidentDocument, "resident_id")) == incremental


def test_a_rebuild_drops_documents_of_rows_that_are_gone(backend, world):
    if not isinstance(backend, DatabaseBackend):
        pytest.skip("the database backend's documents")
    stray = dict(rows(CaseDocument, "case_id")[world.bin_case.pk])
    stray.update(case_id=10**9, reference="999999999")
    CaseDocument.objects.create(**stray)
    backend.rebuild()
    assert not CaseDocument.objects.filter(pk=10**9).exists()
    assert CaseDocument.objects.count() == 4


def test_the_vector_holds_the_name_keys_and_the_stemmed_text(backend, world):
    if not isinstance(backend, DatabaseBackend):
        pytest.skip("the database backend's vectors")
    vector = CaseDocument.objects.get(pk=world.bin_case.pk).search_vector
    assert "'zpmhmt':" in vector  # Mohammed's Metaphone key
    assert "'garden':" in vector and "'wast':" in vector  # the description, stemmed


def test_the_vector_holds_the_permission_tokens_of_the_python_document(backend, world, awkward):
    if not isinstance(backend, DatabaseBackend):
        pytest.skip("the database backend's vectors")
    stored = dict(CaseDocument.objects.values_list("case_id", "search_vector"))
    for case in documents.case_queryset():
        tokens = {t.split("'")[1] for t in stored[case.pk].split() if t.startswith("'zz")}
        assert tokens == set(permission_tokens(documents.case_fields(case)))
        assert ("zzr1" in tokens) == case.service.restricted
