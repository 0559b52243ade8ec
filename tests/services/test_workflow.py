"""Every status transition, allowed and refused, through the one action that changes status."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied

from services import workflow
from services.actions import change_status
from services.models import EventKind, MessageStatus, Status
from tests.factories import CouncilFactory, ServiceFactory, make_case, make_staff

ALL = list(Status.values)


@pytest.fixture
def staff_and_service(db):
    council = CouncilFactory(code="MKC")
    service = ServiceFactory(responsible_council=council)
    return make_staff(council), service


@pytest.mark.parametrize(("current", "target"), list(itertools.product(ALL, ALL)))
def test_each_transition_is_allowed_exactly_when_the_table_says(staff_and_service, current, target):
    user, service = staff_and_service
    case = make_case(service, status=current)
    if workflow.allowed(current, target):
        changed = change_status(user, case, target, note="moving on")
        assert changed.status == target
        event = changed.timeline.filter(kind=EventKind.STATUS).get()
        assert event.data == {"from": current, "to": target}
        assert event.actor == user
    else:
        with pytest.raises(workflow.TransitionNotAllowed):
            change_status(user, case, target)
        case.refresh_from_db()
        assert case.status == current
        assert not case.timeline.filter(kind=EventKind.STATUS).exists()


def test_terminal_statuses_go_nowhere():
    for status in (Status.CLOSED, Status.WITHDRAWN, Status.MERGED):
        assert workflow.next_statuses(status) == []


def test_resident_is_told_of_changes_that_matter_and_not_of_others(staff_and_service, outbox):
    user, service = staff_and_service
    case = make_case(service, status=Status.OPEN)
    change_status(user, case, Status.IN_PROGRESS)
    resolved = change_status(user, case, Status.RESOLVED, note="Bin collected this morning")
    change_status(user, resolved, Status.CLOSED)
    kinds = list(case.messages.values_list("kind", "status"))
    assert kinds == [
        ("status_update", MessageStatus.QUEUED),
        ("status_update", MessageStatus.QUEUED),
    ]
    assert "Bin collected this morning" in case.messages.last().body


def test_someone_without_access_cannot_change_status(staff_and_service):
    _user, service = staff_and_service
    outsider = make_staff(CouncilFactory(code="NCC"))
    case = make_case(service, status=Status.OPEN)
    with pytest.raises(PermissionDenied):
        change_status(outsider, case, Status.RESOLVED)
    case.refresh_from_db()
    assert case.status == Status.OPEN
