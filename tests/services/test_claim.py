"""'Next case': the most urgent case the agent may work, never to two agents."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from services.actions import claim_next
from services.models import Case, Priority, Status
from tests.factories import CouncilFactory, ServiceFactory, TeamFactory, make_case, make_staff


def test_next_case_is_the_most_urgent_one_the_agent_may_work(db):
    council = CouncilFactory(code="MKC")
    team = TeamFactory(council=council)
    service = ServiceFactory(responsible_council=council, delivering_team=team)
    agent = make_staff(council, teams=[team])
    later = make_case(service, created_at=timezone.now() - datetime.timedelta(days=1))
    sooner = make_case(service, created_at=timezone.now() - datetime.timedelta(days=3))
    urgent = make_case(service, priority=Priority.URGENT)
    make_case(service, status=Status.WAITING)  # not claimable
    other = ServiceFactory(responsible_council=CouncilFactory(code="NCC"))
    make_case(other)  # not visible
    assert claim_next(agent) == urgent
    assert claim_next(agent) == sooner
    assert claim_next(agent) == later
    assert claim_next(agent) is None
    later.refresh_from_db()
    assert later.assignee == agent and later.status == Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_twenty_agents_claiming_at_once_each_get_a_different_case(postgres_only):
    council = CouncilFactory(code="MKC")
    team = TeamFactory(council=council)
    service = ServiceFactory(responsible_council=council, delivering_team=team)
    agents = [make_staff(council, teams=[team]) for _ in range(20)]
    cases = [make_case(service) for _ in range(15)]
    barrier = threading.Barrier(20)
    claimed: dict[int, list[int]] = {}
    errors = []

    def agent_presses_next(agent):
        try:
            barrier.wait(timeout=10)
            mine = []
            while (case := claim_next(agent)) is not None:
                mine.append(case.pk)
            claimed[agent.pk] = mine
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=agent_presses_next, args=(a,)) for a in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    all_claimed = [pk for mine in claimed.values() for pk in mine]
    assert sorted(all_claimed) == sorted(c.pk for c in cases)  # every case exactly once
    for case in Case.objects.all():
        assert case.assignee_id is not None
        assert case.pk in claimed[case.assignee_id]
