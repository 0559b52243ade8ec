"""A small two-council world for the desk tests: each council with a team and a service,
and a restricted (social care) service owned by a Northamptonshire team."""

from types import SimpleNamespace

import pytest

from services.models import Role
from tests.factories import CouncilFactory, ServiceFactory, TeamFactory, make_staff


@pytest.fixture
def world(db):
    mkc = CouncilFactory(code="MKC", name="Milton Keynes Council", short_name="MK")
    ncc = CouncilFactory(code="NCC", name="Northamptonshire County Council", short_name="NCC")
    mk_team = TeamFactory(council=mkc, name="MK waste", slug="mk-waste")
    ncc_team = TeamFactory(council=ncc, name="NCC highways", slug="ncc-highways")
    ncc_social = TeamFactory(council=ncc, name="NCC social care", slug="ncc-social-care")
    bins = ServiceFactory(
        name="Missed bin", slug="missed-bin", responsible_council=mkc, delivering_team=mk_team
    )
    potholes = ServiceFactory(
        name="Pothole", slug="pothole", responsible_council=ncc, delivering_team=ncc_team
    )
    social = ServiceFactory(
        name="Adult social care",
        slug="adult-social-care",
        responsible_council=ncc,
        delivering_team=ncc_social,
        restricted=True,
    )
    agent = make_staff(mkc, role=Role.AGENT, teams=[mk_team], first_name="Tom", last_name="Okafor")
    colleague = make_staff(mkc, role=Role.CASEWORKER, teams=[mk_team], first_name="Ewa")
    supervisor = make_staff(mkc, role=Role.SUPERVISOR, teams=[mk_team], first_name="Sam")
    ncc_worker = make_staff(ncc, role=Role.CASEWORKER, teams=[ncc_team], first_name="Ioana")
    return SimpleNamespace(
        mkc=mkc,
        ncc=ncc,
        mk_team=mk_team,
        ncc_team=ncc_team,
        ncc_social=ncc_social,
        bins=bins,
        potholes=potholes,
        social=social,
        agent=agent,
        colleague=colleague,
        supervisor=supervisor,
        ncc_worker=ncc_worker,
    )


@pytest.fixture
def agent_client(client, world):
    client.force_login(world.agent)
    return client
