"""The one working-day calendar: offices open or closed (and why), the next working moment."""

import datetime

import pytest

from services import calendar
from services.calendar import ClosedBecause, WorkingCalendar, is_open, why_closed
from services.models import Closure, OpeningHours
from tests.factories import CouncilFactory, OfficeFactory

MONDAY = datetime.date(2026, 11, 23)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    from django.utils import timezone

    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_default_timezone()
    )


@pytest.fixture
def office(db):
    office = OfficeFactory(council=CouncilFactory(code="MKC"))
    for weekday in range(5):
        OpeningHours.objects.create(
            office=office, weekday=weekday, opens=datetime.time(9), closes=datetime.time(13)
        )
        OpeningHours.objects.create(
            office=office, weekday=weekday, opens=datetime.time(14), closes=datetime.time(17)
        )
    return office


def test_open_within_any_period_of_the_day(office):
    assert is_open(office, _at(MONDAY, 9))
    assert not is_open(office, _at(MONDAY, 13, 30))  # the lunch break
    assert is_open(office, _at(MONDAY, 16, 59))
    assert why_closed(office, _at(MONDAY, 17)).because is ClosedBecause.HOURS
    assert why_closed(office, _at(MONDAY + datetime.timedelta(days=5), 10)).because is (
        ClosedBecause.HOURS
    )
    assert not is_open(None, _at(MONDAY, 10))


def test_bank_holidays_and_closures_say_why(office):
    christmas = datetime.date(2026, 12, 25)
    assert christmas in calendar.bank_holidays(2026)
    assert why_closed(office, _at(christmas, 10)).because is ClosedBecause.BANK_HOLIDAY
    Closure.objects.create(council=office.council, date=MONDAY, reason="Council closed")
    own = Closure.objects.create(
        council=office.council, office=office, date=MONDAY, reason="Staff training"
    )
    closed = why_closed(office, _at(MONDAY, 10))
    assert closed.because is ClosedBecause.CLOSURE and closed.closure == own
    # Another office's closure is not this office's.
    other = OfficeFactory(council=office.council)
    Closure.objects.create(
        council=office.council, office=other, date=MONDAY + datetime.timedelta(1)
    )
    assert is_open(office, _at(MONDAY + datetime.timedelta(1), 10))


def test_the_next_working_moment():
    working = WorkingCalendar(datetime.time(9), datetime.time(17))
    friday_evening = _at(datetime.date(2026, 11, 27), 18)
    assert working.next_working_moment(friday_evening) == _at(datetime.date(2026, 11, 30), 9)
    assert working.next_working_moment(_at(MONDAY, 7)) == _at(MONDAY, 9)
    assert working.next_working_moment(_at(MONDAY, 11)) == _at(MONDAY, 11)
    # Christmas Eve evening: Christmas Day and Boxing Day (a Saturday, substitute Monday 28th).
    assert working.next_working_moment(_at(datetime.date(2026, 12, 24), 17)) == _at(
        datetime.date(2026, 12, 29), 9
    )
