"""``manage.py generate_cases``: synthetic volume that looks like the real thing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from services import reference
from services.models import Case, EventKind, Resident, TimelineEvent

pytestmark = pytest.mark.django_db


def test_refuses_without_a_catalogue(db):
    with pytest.raises(CommandError, match="load_demo"):
        call_command("generate_cases", count=10, stdout=StringIO())


def test_generates_cases_with_timeline_and_adds_more_each_run(world):
    out = StringIO()
    call_command("generate_cases", count=600, seed=3, batch=250, stdout=out)
    assert Case.objects.count() == 600
    assert "600/600 cases" in out.getvalue() and "cases/s" in out.getvalue()
    assert Resident.objects.filter(phone__startswith="+447400").exists()
    assert not Resident.objects.exclude(email="").exclude(email__endswith="@example.com").exists()
    # Every case has its "created" event; references carry a valid check digit.
    created = TimelineEvent.objects.filter(kind=EventKind.CREATED)
    assert created.values("case").distinct().count() == 600
    for ref in Case.objects.values_list("reference", flat=True)[:50]:
        assert reference.normalise(ref) == ref
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"closed", "received", "in_progress"} <= statuses
    assert not Case.objects.filter(status="in_progress", due_at__isnull=True).exists()
    call_command("generate_cases", count=50, seed=4, stdout=StringIO())
    assert Case.objects.count() == 650
    # Ordinary inserts after a generated batch still get fresh ids and references.
    from tests.factories import make_case

    make_case(world.bins)
    assert Case.objects.count() == 651


def test_rejects_a_non_positive_count(world):
    with pytest.raises(CommandError):
        call_command("generate_cases", count=0, stdout=StringIO())
