"""The wallboard: numbers computed from calls made in the test, per line and in total."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.voice.models import Agent, Call, CallStatus, Outcome, Stage
from services.models import Role
from tests.factories import OfficeFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    now = timezone.now()
    # Early in the day so that "today" holds every call below whatever the hour of the run.
    today = timezone.localtime(now).replace(hour=0, minute=0, second=1, microsecond=0)
    base = max(today, now - datetime.timedelta(hours=1))
    number = iter(range(1, 100))

    def call(council, *, wait=None, answered=False, outcome="", live=False, **fields):
        queued = base + datetime.timedelta(seconds=5) if wait is not None else None
        return Call.objects.create(
            call_sid=f"CA{next(number):032d}",
            council=council,
            from_number="+447700900001",
            status=CallStatus.IN_PROGRESS if live else CallStatus.COMPLETED,
            stage=Stage.WAITING if live else Stage.ENDED,
            started_at=base,
            queued_at=queued,
            answered_at=queued + datetime.timedelta(seconds=wait) if answered else None,
            ended_at=None if live else base + datetime.timedelta(seconds=300),
            outcome=outcome,
            **fields,
        )

    # Waiting now: two on the MK line (queued 300 s and 30 s ago), one on NCC's.
    for seconds, council in ((300, world.mkc), (30, world.mkc), (100, world.ncc)):
        c = call(council, wait=0, live=True)
        Call.objects.filter(pk=c.pk).update(
            started_at=now - datetime.timedelta(seconds=seconds + 5),
            queued_at=now - datetime.timedelta(seconds=seconds),
        )
    call(world.mkc, wait=20, answered=True, outcome=Outcome.ANSWERED)
    call(world.mkc, wait=59, answered=True, outcome=Outcome.RESOLVED)
    call(world.mkc, wait=61, answered=True, outcome=Outcome.ANSWERED)
    call(world.mkc, wait=40, outcome=Outcome.ABANDONED)
    call(world.ncc, wait=10, answered=True, outcome=Outcome.ANSWERED)
    call(world.ncc, wait=200, outcome=Outcome.ABANDONED)
    call(world.ncc, wait=100, outcome=Outcome.VOICEMAIL)  # left a message: not abandoned
    call(world.mkc, outcome=Outcome.CLOSED)  # out of hours: never queued
    # Yesterday's calls do not count today.
    old = call(world.mkc, wait=5, answered=True, outcome=Outcome.ANSWERED)
    Call.objects.filter(pk=old.pk).update(started_at=now - datetime.timedelta(days=2))

    joint_centre = OfficeFactory(council=world.mkc, kind="contact_centre")
    joint_centre.serves.set([world.ncc])
    joint_agent = make_staff(world.mkc, role=Role.AGENT, office=joint_centre)
    Agent.objects.create(user=joint_agent, state=Agent.State.AVAILABLE)
    Agent.objects.create(user=world.agent, state=Agent.State.ON_CALL)
    ncc_agent = make_staff(world.ncc, role=Role.AGENT)
    # Wrap-up that has run out: Available.
    Agent.objects.create(
        user=ncc_agent,
        state=Agent.State.WRAP_UP,
        wrap_up_until=now - datetime.timedelta(seconds=1),
    )
    Agent.objects.create(user=make_staff(world.ncc, role=Role.AGENT), state=Agent.State.AWAY)
    return world


def lines(client):
    response = client.get(reverse("calls:wallboard"), {"format": "json"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return {line["key"]: line for line in response.json()["lines"]}


def test_the_numbers_match_the_calls(client, board):
    client.force_login(board.supervisor)
    got = lines(client)
    mk, ncc, total = got["MKC"], got["NCC"], got["total"]
    assert (mk["waiting"], ncc["waiting"], total["waiting"]) == (2, 1, 3)
    assert 300 <= mk["longest_wait_seconds"] < 330
    assert 100 <= ncc["longest_wait_seconds"] < 130
    assert total["longest_wait_seconds"] == mk["longest_wait_seconds"]
    assert (mk["answered_today"], mk["answered_within_60_today"], mk["abandoned_today"]) == (
        3,
        2,
        1,
    )
    assert (ncc["answered_today"], ncc["answered_within_60_today"], ncc["abandoned_today"]) == (
        1,
        1,
        1,
    )
    assert (total["answered_today"], total["answered_within_60_today"]) == (4, 3)
    assert total["abandoned_today"] == 2
    # The three waiting callers are offered too: MK 2 waiting + 4 ended queued.
    assert mk["offered_today"] == 6 and ncc["offered_today"] == 4
    assert mk["abandoned_share"] == round(100 / 6, 1)
    # Agents: the joint centre's agent is on both lines, once in the total.
    assert mk["agents"] == {"available": 1, "on_call": 1, "wrap_up": 0, "away": 0}
    assert ncc["agents"] == {"available": 2, "on_call": 0, "wrap_up": 0, "away": 1}
    assert total["agents"] == {"available": 2, "on_call": 1, "wrap_up": 0, "away": 1}


def test_the_page_shows_the_same_numbers_without_javascript(client, board):
    client.force_login(board.supervisor)
    response = client.get(reverse("calls:wallboard"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'data-line="MKC"' in html and 'data-line="total"' in html
    assert "desk/js/wallboard.mjs" in html and "<script>" not in html
    assert (
        '<td class="govuk-table__cell govuk-table__cell--numeric" data-field="waiting">3</td>'
        in (html)
    )


def test_only_supervisors_see_the_wallboard(client, board):
    client.force_login(board.agent)
    assert client.get(reverse("calls:wallboard")).status_code == 403
    assert client.get(reverse("calls:wallboard"), {"format": "json"}).status_code == 403
    client.logout()
    assert client.get(reverse("calls:wallboard")).status_code == 302
