"""Working-time arithmetic: weekends, England's bank holidays, closures, pauses."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from services.actions import change_status, reply
from services.models import Closure, Status
from services.sla import SlaState, WorkingCalendar, state_of
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case, make_staff

LONDON = ZoneInfo("Europe/London")
NINE, FIVE = datetime.time(9), datetime.time(17)


def at(y, m, d, hh=12, mm=0):
    return datetime.datetime(y, m, d, hh, mm, tzinfo=LONDON)


@pytest.fixture
def calendar():
    return WorkingCalendar(NINE, FIVE)


def test_due_counts_the_day_of_receipt_when_it_arrives_in_working_hours(calendar):
    # Monday 2 November 2026, noon: 1 working day → end of Monday; 5 → end of Friday.
    assert calendar.due(at(2026, 11, 2), 1) == at(2026, 11, 2, 17)
    assert calendar.due(at(2026, 11, 2), 5) == at(2026, 11, 6, 17)


def test_weekends_do_not_count(calendar):
    # Friday 6 November 2026 + 2 working days → Monday 9 November.
    assert calendar.due(at(2026, 11, 6), 2) == at(2026, 11, 9, 17)


def test_after_hours_and_weekend_contacts_count_from_the_next_working_day(calendar):
    assert calendar.due(at(2026, 11, 6, 18, 30), 1) == at(2026, 11, 9, 17)  # Friday evening
    assert calendar.due(at(2026, 11, 7, 10), 1) == at(2026, 11, 9, 17)  # Saturday


def test_english_bank_holidays_do_not_count(calendar):
    # Thursday 24 Dec 2026 + 3 working days: 24, (25 Christmas, 26-27 weekend, 28 Boxing Day
    # substitute), 29, 30.
    assert calendar.due(at(2026, 12, 24, 10), 3) == at(2026, 12, 30, 17)
    # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
    assert calendar.due(at(2027, 3, 25, 10), 2) == at(2027, 3, 30, 17)


def test_council_closure_days_do_not_count():
    calendar = WorkingCalendar(NINE, FIVE, closures=[datetime.date(2026, 11, 3)])
    assert calendar.due(at(2026, 11, 2), 2) == at(2026, 11, 4, 17)


def test_closures_come_from_the_council(db):
    council = CouncilFactory(code="MKC")
    Closure.objects.create(
        council=council, date=datetime.date(2026, 11, 3), reason="Staff training"
    )
    assert WorkingCalendar.for_council(council).due(at(2026, 11, 2), 2) == at(2026, 11, 4, 17)


def test_working_seconds_skip_nights_and_weekends(calendar):
    # Friday 16:00 → Monday 10:00: one hour on Friday, one on Monday.
    assert calendar.working_seconds(at(2026, 11, 6, 16), at(2026, 11, 9, 10)) == 2 * 3600
    assert calendar.working_seconds(at(2026, 11, 9, 10), at(2026, 11, 6, 16)) == 0


def test_a_pause_moves_the_due_time_by_the_working_time_it_took(calendar):
    due = at(2026, 11, 6, 17)  # Friday
    # Paused Monday 2 Nov 15:00 until Tuesday 3 Nov 11:00: 2h Monday + 2h Tuesday = 4 hours.
    new_due = calendar.resume(due, at(2026, 11, 2, 15), at(2026, 11, 3, 11))
    # Friday 17:00 + 4 working hours → Monday 9 Nov 13:00.
    assert new_due == at(2026, 11, 9, 13)


def test_a_pause_over_a_bank_holiday_weekend_only_counts_working_time(calendar):
    due = at(2026, 12, 31, 17)
    resumed = calendar.resume(due, at(2026, 12, 24, 16), at(2026, 12, 29, 10))
    # 1h on 24th + 1h on 29th (25, 26, 27, 28 not working).
    assert resumed == calendar.add_working_seconds(due, 2 * 3600)
    assert resumed == at(2027, 1, 4, 11)  # 1 Jan holiday, 2-3 weekend


@pytest.mark.django_db
def test_waiting_for_the_resident_pauses_and_their_reply_restarts_the_clock(time_machine=None):
    council = CouncilFactory(code="MKC")
    service = ServiceFactory(responsible_council=council, sla_days=5)
    user = make_staff(council)
    case = make_case(service, ResidentFactory(), status=Status.OPEN, created_at=at(2026, 11, 2, 10))
    original_due = case.due_at
    reply(user, case, "Which side of the road is the pothole on?", request_information=True)
    case.refresh_from_db()
    assert case.status == Status.WAITING and case.paused_at is not None
    assert state_of(case) == SlaState.PAUSED
    change_status(user, case, Status.IN_PROGRESS, now=case.paused_at + datetime.timedelta(hours=30))
    case.refresh_from_db()
    assert case.paused_at is None
    assert case.due_at >= original_due


def test_state_of_reports_on_track_at_risk_breached():
    class FakeCase:
        status = Status.OPEN
        paused_at = None
        due_at = at(2026, 11, 6, 17)

    case = FakeCase()
    assert state_of(case, now=at(2026, 11, 2)) == SlaState.ON_TRACK
    assert state_of(case, now=at(2026, 11, 6, 9)) == SlaState.AT_RISK
    assert state_of(case, now=at(2026, 11, 6, 18)) == SlaState.BREACHED
    case.status = Status.RESOLVED
    assert state_of(case, now=at(2026, 11, 6, 18)) == SlaState.NONE
