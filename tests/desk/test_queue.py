"""The queue: filters, counts, keyset pagination and a constant number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.models import Channel, Status
from tests.desk.helpers import make_case

pytestmark = pytest.mark.django_db


def refs(response) -> list[str]:
    return [case.reference for case in response.context["page"].cases]


def test_queue_lists_visible_open_cases_most_urgent_first(agent_client, world):
    now = timezone.now()
    later = make_case(world.bins, due_at=now + datetime.timedelta(days=5))
    sooner = make_case(world.bins, due_at=now + datetime.timedelta(days=1))
    make_case(world.bins, status=Status.CLOSED)
    joint_elsewhere = make_case(world.potholes)  # NCC's own service: not MKC's to see
    response = agent_client.get("/desk/")
    assert refs(response) == [sooner.reference, later.reference]
    assert joint_elsewhere.reference not in response.content.decode()


def test_restricted_case_of_other_council_is_neither_listed_nor_counted(agent_client, world):
    make_case(world.bins)
    hidden = make_case(world.social, summary="Safeguarding concern")
    response = agent_client.get("/desk/?status=any")
    assert response.context["page"].total == 1
    assert hidden.reference not in response.content.decode()
    assert "Safeguarding" not in response.content.decode()
    counts = response.context["page"].counts
    assert sum(int(count) for _, _, count in counts["statuses"]) == 1


def test_restricted_case_is_visible_to_its_owning_team(client, world):
    from services.models import Role
    from tests.factories import make_staff

    social_worker = make_staff(world.ncc, role=Role.CASEWORKER, teams=[world.ncc_social])
    case = make_case(world.social)
    client.force_login(social_worker)
    assert refs(client.get("/desk/")) == [case.reference]


def test_counts_follow_the_current_filter(agent_client, world):
    now = timezone.now()
    make_case(world.bins, status=Status.RECEIVED, due_at=now - datetime.timedelta(hours=1))
    make_case(world.bins, status=Status.OPEN, due_at=now + datetime.timedelta(hours=2))
    make_case(world.bins, status=Status.IN_PROGRESS, due_at=now + datetime.timedelta(days=9))
    make_case(world.bins, status=Status.WAITING, paused_at=now)
    make_case(world.bins, status=Status.RESOLVED)
    page = agent_client.get("/desk/").context["page"]
    assert page.total == 4
    statuses = {value: count for value, _, count in page.counts["statuses"]}
    assert statuses == {"received": 1, "open": 1, "in_progress": 1, "waiting": 1}
    sla = {state: count for state, _, count in page.counts["sla"]}
    assert sla == {"on_track": 1, "at_risk": 1, "breached": 1, "paused": 1}

    page = agent_client.get("/desk/?sla=breached").context["page"]
    assert page.total == 1
    assert {v: c for v, _, c in page.counts["statuses"]} == {"received": 1}

    page = agent_client.get("/desk/?status=resolved").context["page"]
    assert page.total == 1


def test_sla_filter_matches_the_state_shown(agent_client, world):
    from services import sla

    now = timezone.now()
    for hours in (-5, 3, 200):
        make_case(world.bins, due_at=now + datetime.timedelta(hours=hours))
    make_case(world.bins, status=Status.WAITING, paused_at=now)
    for state in ("on_track", "at_risk", "breached", "paused"):
        cases = agent_client.get(f"/desk/?sla={state}").context["page"].cases
        assert len(cases) == 1
        assert sla.state_of(cases[0]) == state


def test_assigned_filters(agent_client, world):
    mine = make_case(world.bins, assignee=world.agent, status=Status.OPEN)
    theirs = make_case(world.bins, assignee=world.colleague, status=Status.OPEN)
    nobody = make_case(world.bins)
    assert refs(agent_client.get("/desk/?assigned=me")) == [mine.reference]
    assert refs(agent_client.get("/desk/?assigned=unassigned")) == [nobody.reference]
    assert set(refs(agent_client.get("/desk/"))) == {
        mine.reference,
        theirs.reference,
        nobody.reference,
    }


def test_council_team_service_channel_and_status_filters(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    bin_case = make_case(world.bins, origin_channel=Channel.SMS)
    pothole = make_case(world.potholes, origin_channel=Channel.EMAIL)
    closed = make_case(world.potholes, status=Status.CLOSED)
    assert refs(client.get(f"/desk/?council={world.ncc.pk}")) == [pothole.reference]
    assert refs(client.get(f"/desk/?team={world.mk_team.pk}")) == [bin_case.reference]
    assert refs(client.get(f"/desk/?service={world.bins.pk}")) == [bin_case.reference]
    assert refs(client.get("/desk/?channel=email")) == [pothole.reference]
    assert refs(client.get("/desk/?status=closed")) == [closed.reference]
    assert len(refs(client.get("/desk/?status=any"))) == 3


@pytest.mark.parametrize(
    "query",
    [
        "team=abc",
        "team=99999999",
        "status=bogus",
        "sla=<script>",
        "assigned=everyone",
        "channel=pigeon",
        "after=garbage",
        "after=2024-01-01T00:00:00_abc",
        "after=notadate_12",
        "after=2024-01-01T00:00:00_12",  # naive datetime: refused, not guessed
        "council=1%00",
    ],
)
def test_bad_filter_values_are_clear_errors_not_500s(agent_client, query):
    response = agent_client.get(f"/desk/?{query}")
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_keyset_pagination_visits_every_case_once_in_order(agent_client, world):
    now = timezone.now().replace(microsecond=0)
    # Ties on due_at across the page boundary are the case that OFFSET-free paging gets wrong.
    for i in range(130):
        make_case(world.bins, due_at=now + datetime.timedelta(hours=i // 7))
    make_case(world.bins, due_at=None, status=Status.OPEN)  # no target: last
    seen, url, pages = [], "/desk/", 0
    while url:
        response = agent_client.get(url)
        assert response.status_code == 200
        seen += response.context["page"].cases
        nxt = response.context["next_link"]
        url = f"/desk/{nxt}" if nxt else None
        pages += 1
    assert pages == 3
    assert len(seen) == len({c.pk for c in seen}) == 131
    dated = [c for c in seen if c.due_at]
    assert [(c.due_at, c.pk) for c in dated] == sorted((c.due_at, c.pk) for c in dated)
    assert seen[-1].due_at is None


def test_keyset_page_is_stable_when_earlier_cases_appear(agent_client, world):
    now = timezone.now()
    for i in range(60):
        make_case(world.bins, due_at=now + datetime.timedelta(hours=i + 1))
    first = agent_client.get("/desk/")
    second_url = "/desk/" + first.context["next_link"]
    before = refs(agent_client.get(second_url))
    make_case(world.bins, due_at=now)  # more urgent than everything: lands on page one
    assert refs(agent_client.get(second_url)) == before


def test_next_link_keeps_filters(agent_client, world):
    for _ in range(55):
        make_case(world.bins)
    response = agent_client.get(f"/desk/?team={world.mk_team.pk}&assigned=unassigned")
    link = response.context["next_link"]
    assert f"team={world.mk_team.pk}" in link and "assigned=unassigned" in link
    assert re.search(r"after=[^&]+", link)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_is_constant_whatever_the_page_or_table_size(agent_client, world):
    from services import lookups

    make_case(world.bins, assignee=world.colleague, status=Status.OPEN)
    lookups.clear()
    cold = _queries(agent_client, "/desk/")  # the catalogue is read once, then cached
    small = _queries(agent_client, "/desk/")
    assert cold == small + 4
    for i in range(120):
        make_case(world.bins, assignee=world.colleague if i % 2 else None, status=Status.OPEN)
    big = _queries(agent_client, "/desk/")
    response = agent_client.get("/desk/")
    second = _queries(agent_client, "/desk/" + response.context["next_link"])
    assert small == big == second
    assert big <= 12
    # Filters on a team, a council or a service are read from the cached catalogue too.
    filtered_url = (
        f"/desk/?team={world.mk_team.pk}&council={world.mkc.pk}&service={world.bins.pk}"
        "&assigned=unassigned&sla=on_track"
    )
    response = agent_client.get(filtered_url)
    assert response.context["form"].cleaned_data["team"] == world.mk_team
    assert _queries(agent_client, filtered_url) == big
    assert _queries(agent_client, "/desk/" + response.context["next_link"]) == big


def test_queue_escapes_hostile_summaries(agent_client, world):
    from tests.factories import ResidentFactory

    make_case(
        world.bins,
        resident=ResidentFactory(name="<img src=x onerror=alert(1)>"),
        summary="<script>alert('x')</script>",
    )
    content = agent_client.get("/desk/").content.decode()
    assert "<script>alert" not in content
    assert "&lt;script&gt;alert" in content
    assert "<img src=x" not in content


def test_counts_are_capped_and_shown_as_a_lower_bound(agent_client, world, monkeypatch):
    from desk import queue

    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    for _ in range(5):
        make_case(world.bins)
    make_case(world.bins, status=Status.OPEN)
    response = agent_client.get("/desk/")
    page = response.context["page"]
    assert page.total.capped and page.total.value == 3
    statuses = {value: count for value, _, count in page.counts["statuses"]}
    assert statuses["open"] == 1
    assert statuses["received"].capped
    content = response.content.decode()
    assert "3+ cases" in content
    assert len(page.cases) == 6  # the cap is on counting, never on the list
