"""A two-council world for the case API: MKC's waste team and service, NCC's highways, and a
restricted NCC social-care service; a back-office system acting as an MKC caseworker in the
waste team, with a key, a feed address and every feed."""

from types import SimpleNamespace

import pytest
from django.test import Client

from api.transport import get_transport
from services.actions.partners import create_partner, set_staff_account
from services.models import Feed, Role
from tests.factories import CouncilFactory, ServiceFactory, TeamFactory, make_case, make_staff


@pytest.fixture(autouse=True)
def feed_outbox():
    """What the locmem feed transport 'POSTed' during the test."""
    transport = get_transport()
    transport.reset()
    yield transport
    transport.reset()


@pytest.fixture
def world(db):
    mkc = CouncilFactory(code="MKC", name="Milton Keynes Council", short_name="MK")
    ncc = CouncilFactory(code="NCC", name="Northamptonshire County Council", short_name="NCC")
    mk_team = TeamFactory(council=mkc, name="MK waste", slug="mk-waste")
    mk_other = TeamFactory(council=mkc, name="MK parking", slug="mk-parking")
    ncc_team = TeamFactory(council=ncc, name="NCC highways", slug="ncc-highways")
    ncc_social = TeamFactory(council=ncc, name="NCC social care", slug="ncc-social-care")
    bins = ServiceFactory(
        name="Missed bin", slug="missed-bin", responsible_council=mkc, delivering_team=mk_team
    )
    parking = ServiceFactory(
        name="Parking permit", slug="parking", responsible_council=mkc, delivering_team=mk_other
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
    new = create_partner(
        "MK waste system",
        [mkc],
        feeds=[Feed.CASE_CREATED, Feed.CASE_STATUS_CHANGED, Feed.CASE_TRANSFERRED],
        feed_url="https://waste.example.org/portal-events",
        rate_limit=1000,
    )
    set_staff_account(new.partner, council=mkc, role=Role.CASEWORKER, teams=[mk_team])
    new.partner.refresh_from_db()
    ncc_worker = make_staff(ncc, role=Role.CASEWORKER, teams=[ncc_team])
    return SimpleNamespace(
        mkc=mkc,
        ncc=ncc,
        mk_team=mk_team,
        mk_other=mk_other,
        ncc_team=ncc_team,
        ncc_social=ncc_social,
        bins=bins,
        parking=parking,
        potholes=potholes,
        social=social,
        partner=new.partner,
        key=new.api_key,
        secret=new.feed_secret,
        ncc_worker=ncc_worker,
    )


@pytest.fixture
def api(world):
    """A test client that sends the partner's key on every request."""
    return Client(headers={"Authorization": f"Bearer {world.key}"})


@pytest.fixture
def cases(world):
    """A few cases: two MKC bins cases, an MKC parking case, an NCC pothole, a restricted one."""
    return SimpleNamespace(
        bin=make_case(world.bins, summary="Bin not emptied"),
        bin2=make_case(world.bins, summary="Green bin missed"),
        parking=make_case(world.parking, summary="Permit renewal"),
        pothole=make_case(world.potholes, summary="Pothole on the A5"),
        social=make_case(world.social, summary="Care assessment"),
    )
