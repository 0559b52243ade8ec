"""The one table of allowed status changes, and which ones a resident is told about.

received → open → in progress ↔ waiting for resident (SLA clock paused) → resolved → closed;
also referred (to another body), withdrawn and merged (a duplicate). Nothing else in the
code base decides whether a transition is allowed.
"""

from services.models.cases import Status

S = Status

TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset(
        {S.OPEN, S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.REFERRED, S.WITHDRAWN, S.MERGED}
    ),
    S.OPEN: frozenset({S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.REFERRED, S.WITHDRAWN, S.MERGED}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.WAITING, S.RESOLVED, S.REFERRED, S.WITHDRAWN, S.MERGED}),
    S.WAITING: frozenset({S.IN_PROGRESS, S.RESOLVED, S.WITHDRAWN, S.CLOSED, S.MERGED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.REFERRED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.MERGED: frozenset(),
}

# Changes the resident hears about on their chosen channel.
RESIDENT_NOTIFIED: frozenset[str] = frozenset(
    {S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.REFERRED, S.WITHDRAWN}
)

# Statuses a resident's reply moves the case out of (the SLA clock starts again).
RESUMED_BY_REPLY: frozenset[str] = frozenset({S.WAITING})


class TransitionNotAllowed(ValueError):
    def __init__(self, current: str, target: str):
        super().__init__(
            f"A case cannot go from {Status(current).label} to {Status(target).label}."
        )
        self.current = current
        self.target = target


def allowed(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check(current: str, target: str) -> None:
    if not allowed(current, target):
        raise TransitionNotAllowed(current, target)


def next_statuses(current: str) -> list[str]:
    """The statuses a case can move to, in the order staff should see them offered."""
    order = list(Status.values)
    return sorted(TRANSITIONS.get(current, frozenset()), key=order.index)
