"""Service level targets: how a case stands against its due time.

The working-time arithmetic (a target of N working days, the clock paused while waiting for
the resident) is the council's ``WorkingCalendar`` in ``services.calendar``, the one calendar
that the SLA clock, the telephone line and the counter share; it is re-exported here because
callers think of it as the SLA's calendar.
"""

import datetime

from django.utils import timezone

from services.calendar import WorkingCalendar

__all__ = ["AT_RISK_WINDOW", "SlaState", "WorkingCalendar", "state_of"]

# A case is 'at risk' when it is due within this window.
AT_RISK_WINDOW = datetime.timedelta(hours=24)


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
