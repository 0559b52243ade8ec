"""Agents: who takes calls, an opaque identity, and availability changed under a row lock."""

import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from channels.voice import agents
from channels.voice.models import Agent
from services.models import Role
from tests.factories import CouncilFactory, UserFactory, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(db):
    return CouncilFactory()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.AGENT, True),
        (Role.SUPERVISOR, True),
        (Role.COUNTER, False),
        (Role.CASEWORKER, False),
        (Role.ADMIN, False),
    ],
)
def test_which_roles_take_calls(council, role, expected):
    assert agents.takes_calls(make_staff(council, role=role)) is expected


def test_nobody_without_a_staff_profile_takes_calls(council):
    assert not agents.takes_calls(UserFactory(is_staff=True))
    assert not agents.takes_calls(UserFactory(is_staff=True, is_superuser=True))
    assert not agents.takes_calls(UserFactory())
    user = make_staff(council, role=Role.AGENT)
    user.is_active = False
    user.save()
    assert not agents.takes_calls(user)


def test_the_identity_is_opaque_stable_and_unique(council):
    user = make_staff(council, role=Role.AGENT, username="tom.okafor@mk.example.org")
    agent = agents.agent_for(user)
    assert agents.agent_for(user).identity == agent.identity  # same row, same identity
    assert len(agent.identity) == 32 and int(agent.identity, 16) >= 0
    assert agent.identity not in (user.email, user.username, str(user.pk))
    other = agents.agent_for(make_staff(council, role=Role.AGENT))
    assert other.identity != agent.identity
    assert agent.state == Agent.State.AWAY  # nobody is offered a caller before saying so


def test_agent_by_identity_refuses_unknown_and_former_agents(council):
    user = make_staff(council, role=Role.AGENT)
    agent = agents.agent_for(user)
    assert agents.agent_by_identity(agent.identity) == agent
    assert agents.agent_by_identity("0" * 32) is None
    user.staff_profile.role = Role.COUNTER
    user.staff_profile.save()
    assert agents.agent_by_identity(agent.identity) is None


@override_settings(PORTAL_VOICE_WRAP_UP_SECONDS=120)
def test_wrap_up_runs_out_into_available(council):
    agent = agents.agent_for(make_staff(council, role=Role.AGENT))
    start = timezone.now()
    agent = agents.set_state(agent, Agent.State.ON_CALL, now=start)
    assert agent.state == Agent.State.ON_CALL and agent.wrap_up_until is None
    assert not agents.available_agents(start).filter(pk=agent.pk).exists()

    ended = start + datetime.timedelta(minutes=5)
    agent = agents.set_state(agent, Agent.State.WRAP_UP, now=ended)
    assert agent.wrap_up_until == ended + datetime.timedelta(seconds=120)
    during = ended + datetime.timedelta(seconds=119)
    after = ended + datetime.timedelta(seconds=120)
    assert agents.effective_state(agent, during) == Agent.State.WRAP_UP
    assert not agents.available_agents(during).filter(pk=agent.pk).exists()
    assert agents.effective_state(agent, after) == Agent.State.AVAILABLE
    assert agents.available_agents(after).filter(pk=agent.pk).exists()

    # Touching the row later records when the wrap-up really ended.
    later = ended + datetime.timedelta(minutes=10)
    agent = agents.set_state(agent, Agent.State.AVAILABLE, now=later)
    assert agent.state == Agent.State.AVAILABLE
    assert agent.state_changed_at == after
    assert agent.wrap_up_until is None


def test_asking_for_the_same_state_changes_nothing(council):
    agent = agents.agent_for(make_staff(council, role=Role.AGENT))
    first = timezone.now()
    agent = agents.set_state(agent, Agent.State.AVAILABLE, now=first)
    again = agents.set_state(agent, Agent.State.AVAILABLE, now=first + datetime.timedelta(hours=1))
    assert again.state_changed_at == first


def test_an_unknown_state_is_refused(council):
    agent = agents.agent_for(make_staff(council, role=Role.AGENT))
    with pytest.raises(ValueError, match="Unknown agent state"):
        agents.set_state(agent, "asleep")


@pytest.mark.django_db(transaction=True)
def test_set_state_waits_for_the_row_lock(postgres_only, council):
    """While one transaction holds the agent's row, set_state blocks until it commits."""
    agent = agents.agent_for(make_staff(council, role=Role.AGENT))
    locked = threading.Event()
    release = threading.Event()
    order = []

    def holder():
        with transaction.atomic():
            Agent.objects.select_for_update().get(pk=agent.pk)
            locked.set()
            release.wait(5)
            order.append("holder committed")
        connection.close()

    def changer():
        locked.wait(5)
        agents.set_state(agent, Agent.State.AVAILABLE)
        order.append("state set")
        connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=changer)]
    for thread in threads:
        thread.start()
    locked.wait(5)
    # The changer is blocked on the lock: give it time to (wrongly) get through.
    threads[1].join(0.5)
    assert order == []
    release.set()
    for thread in threads:
        thread.join(10)
    assert order == ["holder committed", "state set"]
    agent.refresh_from_db()
    assert agent.state == Agent.State.AVAILABLE
