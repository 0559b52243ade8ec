"""The working-day calendar: when a council works, and whether an office is open.

One implementation for every part that asks "is this office open?" or "when is the next working
moment?": the SLA clock (``WorkingCalendar``, a council's working days and hours), the telephone
line (``is_open`` of the contact centre) and the counter (``why_closed`` of a one-stop shop).

Two kinds of day are closed everywhere: England's bank holidays (the ``holidays`` package) and a
``Closure`` of the whole council. An office is also closed on its own ``Closure`` days and outside
its ``OpeningHours`` periods. Times are read in the project's time zone (``TIME_ZONE``), since
the councils and their offices are all in England.
"""

import datetime
import enum
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.db.models import F, Q
from django.utils import timezone

from services import lookups
from services.models.councils import Closure, Council, Office


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[datetime.date]:
    """England's bank holidays in ``year`` (substitute days included)."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_bank_holiday(day: datetime.date) -> bool:
    return day in bank_holidays(day.year)


def local(moment: datetime.datetime | None = None) -> datetime.datetime:
    """``moment`` (default now) in the project's time zone."""
    return timezone.localtime(moment or timezone.now())


# --- Offices: open now? -----------------------------------------------------------------------


class ClosedBecause(enum.Enum):
    CLOSURE = "closure"  # a Closure of the office or of its whole council (see ``closure``)
    BANK_HOLIDAY = "bank_holiday"
    HOURS = "hours"  # outside the office's opening hours that day (or none that day)


@dataclass(frozen=True)
class Closed:
    """Why an office is not open at a moment. Each caller words its own message from it."""

    because: ClosedBecause
    closure: Closure | None = None


def closure_on(office: Office, day: datetime.date) -> Closure | None:
    """The office's own closure that day, or its whole council's."""
    return (
        Closure.objects.filter(date=day)
        .filter(Q(office=office) | Q(office__isnull=True, council_id=office.council_id))
        # The office's own closure (and its reason) before the whole council's.
        .order_by(F("office_id").asc(nulls_last=True))
        .first()
    )


def why_closed(office: Office, now: datetime.datetime | None = None) -> Closed | None:
    """Why ``office`` is closed at ``now`` (default: now), or ``None`` when it is open.

    A closure is reported before a bank holiday, so its reason (if staff gave one) is shown.
    """
    moment = local(now)
    day = moment.date()
    closure = closure_on(office, day)
    if closure is not None:
        return Closed(ClosedBecause.CLOSURE, closure)
    if is_bank_holiday(day):
        return Closed(ClosedBecause.BANK_HOLIDAY)
    open_now = office.opening_hours.filter(
        weekday=day.weekday(), opens__lte=moment.time(), closes__gt=moment.time()
    ).exists()
    return None if open_now else Closed(ClosedBecause.HOURS)


def is_open(office: Office | None, now: datetime.datetime | None = None) -> bool:
    """Whether ``office`` is open at ``now``; no office is never open."""
    return office is not None and why_closed(office, now) is None


# --- Councils: working days and hours (the SLA clock) ----------------------------------------


class WorkingCalendar:
    """A council's working time: weekdays from ``start`` to ``end``, less bank holidays and
    whole-council closures. ``due``, ``working_seconds`` and ``add_working_seconds`` are the
    arithmetic of the SLA clock."""

    def __init__(self, start: datetime.time, end: datetime.time, closures=()):
        self.start = start
        self.end = end
        self.closures = frozenset(closures)
        self.tz = timezone.get_default_timezone()

    @classmethod
    def for_council(cls, council: Council | None) -> "WorkingCalendar":
        if council is None:
            return cls(datetime.time(9), datetime.time(17))
        return cls(council.working_day_start, council.working_day_end, lookups.closures(council))

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() < 5 and not is_bank_holiday(day) and day not in self.closures

    def _local(self, moment: datetime.datetime) -> datetime.datetime:
        return timezone.localtime(moment, self.tz)

    def _at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, time, tzinfo=self.tz)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        day += datetime.timedelta(days=1)
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day

    def is_working_time(self, moment: datetime.datetime) -> bool:
        local_moment = self._local(moment)
        return (
            self.is_working_day(local_moment.date())
            and self.start <= local_moment.time() < self.end
        )

    def next_working_moment(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` itself when it is working time, else when working time next begins."""
        if self.is_working_time(moment):
            return moment
        local_moment = self._local(moment)
        day = local_moment.date()
        if self.is_working_day(day) and local_moment.time() < self.start:
            return self._at(day, self.start)
        return self._at(self.next_working_day(day), self.start)

    def due(self, received: datetime.datetime, working_days: int) -> datetime.datetime:
        """End of the ``working_days``-th working day counted from ``received``."""
        local_moment = self._local(received)
        day = local_moment.date()
        counts_today = self.is_working_day(day) and local_moment.time() < self.end
        if not counts_today:
            day = self.next_working_day(day)
        for _ in range(max(working_days, 1) - 1):
            day = self.next_working_day(day)
        return self._at(day, self.end)

    def working_seconds(self, start: datetime.datetime, end: datetime.datetime) -> int:
        """Working time between two moments, in seconds (0 if ``end`` is not after ``start``)."""
        if end <= start:
            return 0
        start_local, end_local = self._local(start), self._local(end)
        total = 0.0
        day = start_local.date()
        while day <= end_local.date():
            if self.is_working_day(day):
                open_at, close_at = self._at(day, self.start), self._at(day, self.end)
                lo, hi = max(open_at, start_local), min(close_at, end_local)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += datetime.timedelta(days=1)
        return int(total)

    def add_working_seconds(self, moment: datetime.datetime, seconds: int) -> datetime.datetime:
        """The moment that lies ``seconds`` of working time after ``moment``."""
        local_moment = self._local(moment)
        remaining = float(seconds)
        day = local_moment.date()
        cursor = local_moment
        while True:
            if self.is_working_day(day):
                open_at, close_at = self._at(day, self.start), self._at(day, self.end)
                begin = max(open_at, cursor)
                if begin < close_at:
                    available = (close_at - begin).total_seconds()
                    if remaining <= available:
                        return begin + datetime.timedelta(seconds=remaining)
                    remaining -= available
            day += datetime.timedelta(days=1)
            cursor = self._at(day, self.start)

    def resume(
        self, due_at: datetime.datetime, paused_at: datetime.datetime, resumed_at: datetime.datetime
    ) -> datetime.datetime:
        """The new due time after a pause: later by the working time the pause took."""
        paused_for = self.working_seconds(paused_at, resumed_at)
        if paused_for <= 0:
            return due_at
        return self.add_working_seconds(due_at, paused_for) if due_at > paused_at else due_at
