"""The queue's faster paths say exactly what the slower ones said: the permission rule without
the join, the capped counts, the pruned buckets and the filter menus written in Python."""

import datetime

import pytest
from django import forms
from django.utils import timezone

from desk import queue
from services import permissions
from services.models import Role, Status
from tests.desk.helpers import make_case
from tests.factories import OfficeFactory, ServiceFactory, TeamFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


def test_the_rule_without_the_join_selects_the_same_cases(world):
    """Every kind of case against every kind of member of staff: join-free == the rule."""
    other_team = TeamFactory(council=world.ncc, name="NCC adults", slug="ncc-adults")
    no_team_service = ServiceFactory(
        name="Unowned restricted",
        slug="unowned",
        responsible_council=world.ncc,
        delivering_team=None,
        restricted=True,
    )
    joint = ServiceFactory(name="Joint", slug="joint", responsible_council=world.ncc, joint=True)
    make_case(world.bins)
    make_case(world.potholes)
    make_case(world.social)
    make_case(joint)
    make_case(no_team_service)
    # A restricted case transferred to a team that does not deliver the service.
    make_case(world.social, team=world.mk_team)
    make_case(world.social, team=other_team)
    make_case(no_team_service, team=world.ncc_social)
    social_worker = make_staff(world.ncc, role=Role.CASEWORKER, teams=[world.ncc_social])
    outsider = UserFactory(is_staff=False)
    auditor = UserFactory(is_staff=True, is_superuser=True)
    # Joint working: an agent of an MKC office that serves both councils.
    joint_centre = OfficeFactory(council=world.mkc, kind="contact_centre")
    joint_centre.serves.set([world.ncc])
    joint_agent = make_staff(world.mkc, role=Role.AGENT, office=joint_centre)
    users = (world.agent, world.ncc_worker, social_worker, outsider, auditor, joint_agent)
    for user in users:
        expected = set(permissions.visible_cases(user).values_list("pk", flat=True))
        got = set(queue.visible_cases(user).values_list("pk", flat=True))
        assert got == expected, user
    assert len(set(queue.visible_cases(social_worker).values_list("pk", flat=True))) == 6
    assert "JOIN" not in str(queue.visible_cases(world.agent).query)
    assert "JOIN" not in str(queue.visible_cases(joint_agent).query)
    # Both councils' bins and potholes (and the joint case), none of the restricted ones.
    joint_sees = set(queue.visible_cases(joint_agent).values_list("service__slug", flat=True))
    assert joint_sees == {"missed-bin", "pothole", "joint"}


def test_a_negated_service_condition_keeps_its_join():
    from django.db.models import Q

    rule = ~Q(service__delivering_team_id=3)
    assert queue._join_free(rule) is rule


def test_a_capped_count_never_counts_the_other_councils_restricted_cases(
    agent_client, world, monkeypatch
):
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    make_case(world.bins)
    make_case(world.bins, status=Status.OPEN)
    for _ in range(4):
        make_case(world.social)  # NCC social care: not the MK agent's to see or count
        make_case(world.social, status=Status.OPEN)
    page = agent_client.get("/desk/").context["page"]
    assert page.total == 2 and not page.total.capped
    statuses = {value: count for value, _, count in page.counts["statuses"]}
    assert statuses == {"received": 1, "open": 1}
    assert all(not count.capped for count in statuses.values())


def test_with_a_target_time_filter_the_other_buckets_are_empty(agent_client, world):
    now = timezone.now()
    make_case(world.bins, due_at=now - datetime.timedelta(hours=1))
    make_case(world.bins, status=Status.OPEN, due_at=now - datetime.timedelta(hours=2))
    make_case(world.bins, due_at=now + datetime.timedelta(days=9))
    make_case(world.bins, status=Status.WAITING, paused_at=now)
    page = agent_client.get("/desk/?sla=breached").context["page"]
    assert page.total == 2
    assert {s: c for s, _, c in page.counts["sla"]} == {
        "on_track": 0,
        "at_risk": 0,
        "breached": 2,
        "paused": 0,
    }
    assert {v: c for v, _, c in page.counts["statuses"]} == {"received": 1, "open": 1}
    # A status that cannot be paused has nothing to show as paused.
    page = agent_client.get("/desk/?sla=paused&status=open").context["page"]
    assert page.total == 0 and page.cases == []
    page = agent_client.get("/desk/?sla=paused").context["page"]
    assert page.total == 1 and page.counts["statuses"][0][0] == "waiting"


def test_the_count_states_each_status_once(world):
    """``status IN (open ones) AND status = x`` misleads PostgreSQL's estimates."""
    now = timezone.now()
    narrowed = queue.narrowed_cases(world.agent, {})
    bucket = narrowed.filter(queue._sla_q("breached", now, tuple(queue.OPEN_STATUSES)))
    where = str(bucket.query).split(" WHERE ", 1)[1]
    assert where.count('"status"') == 1
    assert queue._sla_q("paused", now, (Status.OPEN,)) is None
    assert queue._sla_q("breached", now, (Status.WAITING,)) is None


def test_quick_select_writes_what_django_select_writes():
    choices = [("", "Any"), (1, "Fish & chips <shop>"), (2, 'Say "hello"')]
    for value in ("", "1", "2", None):
        attrs = {"id": "id_team", "class": "govuk-select", "aria-invalid": True, "x": False}
        django = forms.Select(choices=choices).render("team", value, attrs=dict(attrs))
        ours = queue.QuickSelect(choices=choices).render("team", value, attrs=dict(attrs))
        assert ours == django
    grouped = [("Group <a>", [(1, "One"), (2, "Two")]), (3, "Three")]
    assert queue.QuickSelect(choices=grouped).render("g", "2") == forms.Select(
        choices=grouped
    ).render("g", "2")


def test_the_filter_menus_follow_catalogue_edits(agent_client, world):
    agent_client.get("/desk/")  # the catalogue is cached now
    team = TeamFactory(council=world.mkc, name="MK parking", slug="mk-parking")
    content = agent_client.get("/desk/").content.decode()
    assert "MK parking" in content  # saving a team cleared the cache
    response = agent_client.get(f"/desk/?team={team.pk}")
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["team"] == team


def test_the_planner_knows_which_status_and_assignee_pairs_are_empty():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("extended statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'case_status_assignee'"
        )
        assert cursor.fetchone() is not None


def test_paused_is_counted_with_waiting(agent_client, world):
    now = timezone.now()
    make_case(world.bins, status=Status.WAITING, paused_at=now)
    make_case(world.bins, status=Status.WAITING, paused_at=now)
    make_case(world.bins)
    page = agent_client.get("/desk/").context["page"]
    assert {s: c for s, _, c in page.counts["sla"]}["paused"] == 2
    assert {v: c for v, _, c in page.counts["statuses"]}["waiting"] == 2
