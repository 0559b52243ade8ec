"""The standard telephone measures of the contact-centre lines, per council line and month.

Read from ``channels.voice.models.Call`` (reports may read a channel's models; it never writes
them). Only incoming calls on the contact-centre lines count (``source`` Twilio, direction in),
in the UK month the call started, for the council whose line was dialled (``Call.council``).

* **Received**: every such call, whatever happened to it.
* **Out of hours**: the caller heard the closed message (``outcome`` closed); nothing is queued.
* **Voicemail**: the caller left a message (``outcome`` voicemail) — from the menu, by pressing
  the key in the queue, or after the maximum wait.
* **Offered**: calls that reached the queue for an adviser (``queued_at`` set).
* **Answered**: offered calls an adviser answered (``answered_at`` set). Within 60 seconds:
  ``answered_at - queued_at`` of 60 seconds or less; its share is of the calls answered.
* **Abandoned**: offered calls whose caller hung up while waiting (not answered, outcome
  abandoned). A caller who went to voicemail did not abandon. Its share is of calls offered.
* **Average wait**: queued → answered for answered calls, queued → ended for abandoned ones,
  in whole seconds, over both.

The published pages apply the same small-number suppression as every other figure
(``reports.published``): counts of 1–4 are not shown, shares are not shown when either part is
suppressed, and the average wait is not shown when fewer than the threshold of calls lie behind
it.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, Sum

from channels.voice.models import Call, Outcome
from reports.models import TelephoneFigure
from reports.months import month_bounds, month_of

ANSWER_TARGET = datetime.timedelta(seconds=60)


@dataclass
class Line:
    received: int = 0
    offered: int = 0
    answered: int = 0
    answered_within_60: int = 0
    abandoned: int = 0
    voicemail: int = 0
    out_of_hours: int = 0
    waits: int = 0
    wait_seconds: int = 0

    def add(self, other: "Line") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def average_wait(self) -> float | None:
        return round(self.wait_seconds / self.waits, 1) if self.waits else None


COLUMNS = (
    "started_at",
    "council_id",
    "queued_at",
    "answered_at",
    "ended_at",
    "outcome",
)


def calls():
    """The calls the measures count."""
    return Call.objects.filter(source=Call.Source.TWILIO, direction="in")


def tally_call(line: Line, queued_at, answered_at, ended_at, outcome: str) -> None:
    """Add one call (the ``COLUMNS`` after month and council) to ``line``."""
    line.received += 1
    if outcome == Outcome.CLOSED:
        line.out_of_hours += 1
    if outcome == Outcome.VOICEMAIL:
        line.voicemail += 1
    if queued_at is None:
        return
    line.offered += 1
    if answered_at is not None:
        line.answered += 1
        wait = max(answered_at - queued_at, datetime.timedelta())
        line.answered_within_60 += wait <= ANSWER_TARGET
        line.waits += 1
        line.wait_seconds += int(wait.total_seconds())
    elif outcome == Outcome.ABANDONED:
        line.abandoned += 1
        if ended_at is not None:
            line.waits += 1
            line.wait_seconds += int(
                max(ended_at - queued_at, datetime.timedelta()).total_seconds()
            )


def measure(queryset=None) -> dict[tuple[datetime.date, int | None], Line]:
    """``{(month, council id): Line}`` for the calls in ``queryset`` (default: all counted)."""
    lines: dict[tuple[datetime.date, int | None], Line] = {}
    queryset = calls() if queryset is None else queryset
    for started_at, council_id, queued_at, answered_at, ended_at, outcome in (
        queryset.values_list(*COLUMNS).order_by().iterator(chunk_size=10_000)
    ):
        key = (month_of(started_at), council_id)
        tally_call(lines.setdefault(key, Line()), queued_at, answered_at, ended_at, outcome)
    return lines


def compute(months: set[datetime.date] | None = None) -> int:
    """Recompute the telephone rows of ``months`` (every month when None) and replace them."""
    queryset = calls()
    if months is not None:
        condition = Q(pk__in=[])
        for month in months:
            start, end = month_bounds(month)
            condition |= Q(started_at__gte=start, started_at__lt=end)
        queryset = queryset.filter(condition)
    rows = [
        TelephoneFigure(month=month, council_id=council_id, **line.__dict__)
        for (month, council_id), line in measure(queryset).items()
    ]
    with transaction.atomic():
        existing = TelephoneFigure.objects.all()
        if months is not None:
            existing = existing.filter(month__in=months)
        existing.delete()
        TelephoneFigure.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def summed(rows, group: str | None) -> dict[object, Line]:
    """Summary rows added up by ``group`` ("month", "council_id" or None for one total)."""
    fields = list(Line.__dataclass_fields__)
    result: dict[object, Line] = {}
    if group:
        for row in rows.values(group).annotate(**{f"s_{f}": Sum(f) for f in fields}).order_by():
            result[row[group]] = Line(**{f: row[f"s_{f}"] or 0 for f in fields})
    else:
        totals = rows.aggregate(**{f"s_{f}": Sum(f) for f in fields})
        result[None] = Line(**{f: totals[f"s_{f}"] or 0 for f in fields})
    return result
