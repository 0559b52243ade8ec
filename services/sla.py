"""Working-time arithmetic for service level targets.

A council works on weekdays between its ``working_day_start`` and ``working_day_end``, except on
England's bank holidays (the ``holidays`` package) and the council's own closure days. A target
of N working days from a contact means: the end of the Nth working day after the day it
arrived (a contact on a non-working day or after hours counts from the next working day).
While a case waits for the resident the clock is paused: when it restarts, the due time moves
later by the working time that passed.
"""

import datetime
from functools import lru_cache

import holidays
from django.utils import timezone

from services import lookups
from services.models.councils import Council

# A case is 'at risk' when it is due within this window.
AT_RISK_WINDOW = datetime.timedelta(hours=24)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


class WorkingCalendar:
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
        return (
            day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in self.closures
        )

    def _local(self, moment: datetime.datetime) -> datetime.datetime:
        return timezone.localtime(moment, self.tz)

    def _at(self, day: datetime.date, time: datetime.time) -> datetime.datetime:
        return datetime.datetime.combine(day, time, tzinfo=self.tz)

    def next_working_day(self, day: datetime.date) -> datetime.date:
        day += datetime.timedelta(days=1)
        while not self.is_working_day(day):
            day += datetime.timedelta(days=1)
        return day

    def due(self, received: datetime.datetime, working_days: int) -> datetime.datetime:
        """End of the ``working_days``-th working day counted from ``received``."""
        local = self._local(received)
        day = local.date()
        counts_today = self.is_working_day(day) and local.time() < self.end
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
        local = self._local(moment)
        remaining = float(seconds)
        day = local.date()
        cursor = local
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


class SlaState:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    NONE = "none"


def state_of(case, now: datetime.datetime | None = None) -> str:
    from services.models.cases import ACTIVE_STATUSES, Status

    now = now or timezone.now()
    if case.status == Status.WAITING or case.paused_at:
        return SlaState.PAUSED
    if case.status not in ACTIVE_STATUSES or case.due_at is None:
        return SlaState.NONE
    if case.due_at <= now:
        return SlaState.BREACHED
    if case.due_at - now <= AT_RISK_WINDOW:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK
