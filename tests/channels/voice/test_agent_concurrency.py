"""Concurrent agents on PostgreSQL: one caller per agent, one agent per caller."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from channels.voice import agents
from channels.voice.models import Agent, Call, CallStatus, Stage
from services.models import Role
from tests.channels.voice.conftest import new_sid, parse_twiml, post_signed, spoken
from tests.channels.voice.test_agent_routing import AGENT_URL, agent_payload
from tests.factories import CouncilFactory, make_staff


def _waiting_calls(council, count: int) -> list[Call]:
    now = timezone.now()
    return [
        Call.objects.create(
            call_sid=new_sid(),
            from_number=f"+44740010000{i}",
            council=council,
            status=CallStatus.IN_PROGRESS,
            stage=Stage.WAITING,
            queue_name=f"cc-{council.code.lower()}-en",
            queued_at=now,
            started_at=now,
        )
        for i in range(count)
    ]


def _agents(council, count: int) -> list[Agent]:
    made = []
    for _ in range(count):
        agent = agents.agent_for(make_staff(council, role=Role.AGENT))
        made.append(agents.set_state(agent, Agent.State.AVAILABLE))
    return made


def _at_once(jobs):
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_ten_agents_asking_at_once_for_three_callers(postgres_only):
    council = CouncilFactory(code="CC1")
    calls = _waiting_calls(council, 3)
    team = _agents(council, 10)

    def ask(agent):
        return lambda: post_signed(
            Client(), AGENT_URL, agent_payload(agent.identity, new_sid(), Intent="next")
        )

    responses = _at_once([ask(agent) for agent in team])
    roots = [parse_twiml(response) for response in responses]
    dialled = [root for root in roots if root.find("Dial") is not None]
    nobody = [root for root in roots if "Nobody is waiting" in spoken(root)]
    assert len(dialled) == 3 and len(nobody) == 7
    offered = Call.objects.filter(pk__in=[c.pk for c in calls])
    assert {c.agent_id for c in offered} == {c.agent_id for c in offered} - {None}
    assert len({c.agent_id for c in offered}) == 3  # three distinct agents, one each
    assert len({c.agent_call_sid for c in offered}) == 3
    assert Agent.objects.filter(state=Agent.State.ON_CALL).count() == 3
    assert Agent.objects.filter(state=Agent.State.AVAILABLE).count() == 7


@pytest.mark.django_db(transaction=True)
def test_one_agent_asking_twice_at_once_gets_one_caller(postgres_only):
    council = CouncilFactory(code="CC2")
    _waiting_calls(council, 3)
    (agent,) = _agents(council, 1)

    def ask():
        return post_signed(
            Client(), AGENT_URL, agent_payload(agent.identity, new_sid(), Intent="next")
        )

    roots = [parse_twiml(r) for r in _at_once([ask, ask, ask])]
    assert sum(root.find("Dial") is not None for root in roots) == 1
    assert sum("already on a call" in spoken(root) for root in roots) == 2
    assert Call.objects.filter(agent_id=agent.user_id).count() == 1
