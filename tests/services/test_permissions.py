"""The permission matrix, enforced in the query: own council, joint, restricted teams."""

import pytest
from django.core.exceptions import PermissionDenied

from services import permissions
from services.actions import add_note, assign, claim_next, merge_residents, transfer
from services.models import Role
from tests.factories import (
    CouncilFactory,
    OfficeFactory,
    ResidentFactory,
    ServiceFactory,
    TeamFactory,
    UserFactory,
    make_case,
    make_staff,
)


@pytest.fixture
def world(db):
    mkc, ncc = CouncilFactory(code="MKC"), CouncilFactory(code="NCC")
    mk_care_team, ncc_care_team = TeamFactory(council=mkc), TeamFactory(council=ncc)
    services = {
        "mk_bins": ServiceFactory(responsible_council=mkc),
        "ncc_roads": ServiceFactory(responsible_council=ncc),
        "joint": ServiceFactory(responsible_council=mkc, joint=True),
        "lead": ServiceFactory(responsible_council=mkc, delivering_council=ncc),
        "mk_care": ServiceFactory(
            responsible_council=mkc, restricted=True, delivering_team=mk_care_team
        ),
        "ncc_care": ServiceFactory(
            responsible_council=ncc, restricted=True, delivering_team=ncc_care_team
        ),
    }
    cases = {name: make_case(service) for name, service in services.items()}
    # The joint contact centre: an MKC office that serves both councils.
    joint_centre = OfficeFactory(council=mkc, kind="contact_centre")
    joint_centre.serves.set([ncc])
    # A one-stop shop that lists its own council among those it serves changes nothing.
    mk_shop = OfficeFactory(council=mkc)
    mk_shop.serves.set([mkc])
    staff = {
        "mk": make_staff(mkc),
        "ncc": make_staff(ncc),
        "mk_care": make_staff(mkc, teams=[mk_care_team]),
        "ncc_care": make_staff(ncc, teams=[ncc_care_team]),
        "joint_agent": make_staff(mkc, role=Role.AGENT, office=joint_centre),
        "joint_care": make_staff(mkc, office=joint_centre, teams=[ncc_care_team]),
        "mk_shop": make_staff(mkc, role=Role.COUNTER, office=mk_shop),
    }
    return cases, staff


EXPECTED = {
    "mk": {"mk_bins", "joint", "lead"},
    "ncc": {"ncc_roads", "joint", "lead"},
    "mk_care": {"mk_bins", "joint", "lead", "mk_care"},
    "ncc_care": {"ncc_roads", "joint", "lead", "ncc_care"},
    # Joint working: both councils' non-restricted cases; restricted ones only in the team.
    "joint_agent": {"mk_bins", "ncc_roads", "joint", "lead"},
    "joint_care": {"mk_bins", "ncc_roads", "joint", "lead", "ncc_care"},
    "mk_shop": {"mk_bins", "joint", "lead"},
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_each_member_of_staff_sees_exactly_their_cases(world, who):
    cases, staff = world
    visible = set(permissions.visible_cases(staff[who]).values_list("pk", flat=True))
    assert visible == {cases[name].pk for name in EXPECTED[who]}
    # Counts come from the same query: nothing leaks through them.
    assert permissions.visible_cases(staff[who]).count() == len(EXPECTED[who])


def test_the_other_councils_restricted_case_cannot_be_acted_on(world):
    cases, staff = world
    target = cases["ncc_care"]
    for action in (
        lambda: add_note(staff["mk"], target, "peek"),
        lambda: assign(staff["mk"], target, assignee=staff["mk"]),
        lambda: transfer(staff["mk"], target, council=target.responsible_council),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert not target.timeline.exists()


def test_restricted_cases_are_never_handed_out_as_next_case_to_outsiders(world):
    cases, staff = world
    claimed = []
    while (case := claim_next(staff["mk"])) is not None:
        claimed.append(case.pk)
    assert cases["mk_care"].pk not in claimed and cases["ncc_care"].pk not in claimed


def test_residents_and_anonymous_users_see_nothing(world):
    resident_user = UserFactory()
    assert not permissions.visible_cases(resident_user).exists()
    inactive = UserFactory(is_staff=True, is_active=False)
    assert not permissions.visible_cases(inactive).exists()


def test_superusers_see_everything(world):
    cases, _ = world
    admin = UserFactory(is_staff=True, is_superuser=True)
    assert permissions.visible_cases(admin).count() == len(cases)


def test_merging_residents_is_refused_when_it_would_move_cases_you_cannot_see(world):
    cases, staff = world
    duplicate = cases["ncc_care"].resident
    with pytest.raises(PermissionDenied):
        merge_residents(staff["mk"], duplicate, ResidentFactory())


def test_merging_residents_is_audited(world):
    from services.models import AuditEntry

    cases, staff = world
    keep, duplicate = cases["mk_bins"].resident, cases["joint"].resident
    merge_residents(staff["mk"], duplicate, keep, reason="Same person, two emails")
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    entry = AuditEntry.objects.get(action="merge_residents")
    assert entry.actor == staff["mk"] and entry.detail["merged"] == duplicate.pk
    assert cases["joint"].timeline.filter(kind="merge").exists()


def test_councils_served_is_the_own_council_and_the_offices(world):
    cases, staff = world
    mkc = cases["mk_bins"].responsible_council
    ncc = cases["ncc_roads"].responsible_council
    assert permissions.councils_served(staff["mk"]) == {mkc.pk}
    assert permissions.councils_served(staff["ncc"]) == {ncc.pk}
    assert permissions.councils_served(staff["joint_agent"]) == {mkc.pk, ncc.pk}
    assert permissions.councils_served(staff["mk_shop"]) == {mkc.pk}
    assert permissions.councils_served(UserFactory()) == set()
    assert permissions.councils_served(UserFactory(is_staff=True, is_superuser=True)) == {
        mkc.pk,
        ncc.pk,
    }


def test_the_joint_agent_works_the_other_councils_case_but_not_its_restricted_one(world):
    cases, staff = world
    agent = staff["joint_agent"]
    assert permissions.can_work_case(agent, cases["ncc_roads"])
    add_note(agent, cases["ncc_roads"], "Called in to the joint contact centre")
    assert cases["ncc_roads"].timeline.filter(kind="note").exists()
    with pytest.raises(PermissionDenied):
        add_note(agent, cases["ncc_care"], "peek")
    assert not permissions.can_view_case(agent, cases["mk_care"])


def test_an_office_that_stops_serving_a_council_loses_its_cases_at_once(world):
    cases, staff = world
    agent = staff["joint_agent"]
    agent.staff_profile.office.serves.clear()
    assert not permissions.can_view_case(agent, cases["ncc_roads"])
    assert permissions.can_view_case(agent, cases["mk_bins"])
