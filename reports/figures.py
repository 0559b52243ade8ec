"""Computing the summary tables from the cases (the only place the figures' rules live).

The rules, documented for the public in docs/performance.md:

* A **contact** is a case received (``created_at``) in the month. A merged duplicate (status
  ``merged``) is not counted at all: the resident asked once, and the case it was merged into
  carries the contact and its outcome.
* A case counts for the council that **delivered it at the end** (``delivering_council`` now):
  a transfer between councils moves the whole case — its contact, resolution and timing — to
  the council that took it over, because that council answered for it. Cases passed to another
  organisation (referrals, no delivering council) count only in the figures for both councils.
* **Resolved** counts cases resolved in the month (``resolved_at``), whenever received; a case
  reopened and resolved again counts once, in the month of its last resolution.
* **Within target**: ``resolved_at <= due_at``. The case actions move ``due_at`` later by the
  working time a case spent waiting for the resident, so pauses are already honoured. Cases
  with no target (referrals) are left out of the percentage.
* **Days to resolve**: whole calendar days (UK time) from the day received to the day resolved.
* **Referred**: residents sent to another organisation, in the month received — a case passed
  to another body (it has a referral body), and a resident the apply form told who to contact
  before any case was opened (``services.models.Signpost``, once per application). Both count
  under "passed to another organisation" (no delivering council); a signpost counts for the
  service the resident started and that service's council as the responsible one.

Cases are read in keyset-ordered chunks of plain tuples, so a rebuild over millions of cases
needs little memory and reports its progress; the work is plain Python so that the demo's
SQLite database gives the same figures as PostgreSQL.

Every rebuild and refresh also recomputes the counter times and the telephone measures
(``reports.telephone``) of the same months.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from channels.counter.models import Ticket
from reports import telephone
from reports.models import CounterTime, MonthlyFigure, MonthlyResolution, ReportRun
from reports.months import add_months, month_bounds, month_of  # noqa: F401 - re-exported
from services.models import Case, Signpost, Status

CASE_COLUMNS = (
    "id",
    "created_at",
    "resolved_at",
    "due_at",
    "status",
    "delivering_council_id",
    "responsible_council_id",
    "service_id",
    "origin_channel",
    "first_contact_resolution",
    "referral_body_id",
)
Key = tuple[datetime.date, int | None, int | None, int, str]
Progress = Callable[[int, int], None]


@dataclass
class Tally:
    contacts: int = 0
    resolved: int = 0
    resolved_with_target: int = 0
    resolved_within_target: int = 0
    first_contact_resolved: int = 0
    referred: int = 0
    resolve_days: Counter = field(default_factory=Counter)


def tally(rows: Iterable[tuple], months: set[datetime.date] | None = None) -> dict[Key, Tally]:
    """Fold case tuples (``CASE_COLUMNS``) into tallies; only ``months`` when given."""
    tallies: dict[Key, Tally] = {}
    tz = timezone.get_default_timezone()
    for (
        _id,
        created_at,
        resolved_at,
        due_at,
        status,
        council_id,
        responsible_id,
        service_id,
        channel,
        fcr,
        referral_body_id,
    ) in rows:
        if status == Status.MERGED:
            continue
        created_local = created_at.astimezone(tz)
        created_month = datetime.date(created_local.year, created_local.month, 1)
        if months is None or created_month in months:
            key = (created_month, council_id, responsible_id, service_id, channel)
            entry = tallies.setdefault(key, Tally())
            entry.contacts += 1
            entry.referred += referral_body_id is not None or status == Status.REFERRED
        if resolved_at is None:
            continue
        resolved_local = resolved_at.astimezone(tz)
        resolved_month = datetime.date(resolved_local.year, resolved_local.month, 1)
        if months is not None and resolved_month not in months:
            continue
        key = (resolved_month, council_id, responsible_id, service_id, channel)
        entry = tallies.setdefault(key, Tally())
        entry.resolved += 1
        if due_at is not None:
            entry.resolved_with_target += 1
            entry.resolved_within_target += resolved_at <= due_at
        entry.first_contact_resolved += bool(fcr)
        entry.resolve_days[max((resolved_local.date() - created_local.date()).days, 0)] += 1
    return tallies


def _chunks(queryset, size: int) -> Iterable[list[tuple]]:
    """Keyset paging on the primary key: steady speed however far into the table we are."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk").values_list(*CASE_COLUMNS)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def _merge(into: dict[Key, Tally], more: dict[Key, Tally]) -> None:
    for key, part in more.items():
        whole = into.get(key)
        if whole is None:
            into[key] = part
            continue
        whole.contacts += part.contacts
        whole.resolved += part.resolved
        whole.resolved_with_target += part.resolved_with_target
        whole.resolved_within_target += part.resolved_within_target
        whole.first_contact_resolved += part.first_contact_resolved
        whole.referred += part.referred
        whole.resolve_days.update(part.resolve_days)


def _write(tallies: dict[Key, Tally], months: set[datetime.date] | None) -> int:
    figures, resolutions = [], []
    for (month, council_id, responsible_id, service_id, channel), t in tallies.items():
        dimensions = {
            "month": month,
            "council_id": council_id,
            "responsible_council_id": responsible_id,
            "service_id": service_id,
            "channel": channel,
        }
        figures.append(
            MonthlyFigure(
                **dimensions,
                contacts=t.contacts,
                resolved=t.resolved,
                resolved_with_target=t.resolved_with_target,
                resolved_within_target=t.resolved_within_target,
                first_contact_resolved=t.first_contact_resolved,
                referred=t.referred,
            )
        )
        resolutions += [
            MonthlyResolution(**dimensions, days=days, cases=n)
            for days, n in sorted(t.resolve_days.items())
        ]
    with transaction.atomic():
        for model in (MonthlyFigure, MonthlyResolution):
            existing = model.objects.all()
            if months is not None:
                existing = existing.filter(month__in=months)
            existing.delete()
        MonthlyFigure.objects.bulk_create(figures, batch_size=2000)
        MonthlyResolution.objects.bulk_create(resolutions, batch_size=2000)
    return len(figures)


def signpost_tally(months: set[datetime.date] | None) -> dict[Key, Tally]:
    """Residents sent elsewhere before any case was opened, in the month they were."""
    signposts = Signpost.objects.all()
    if months is not None:
        condition = Q()
        for month in months:
            start, end = month_bounds(month)
            condition |= Q(created_at__gte=start, created_at__lt=end)
        signposts = signposts.filter(condition)
    tallies: dict[Key, Tally] = {}
    columns = ("created_at", "council_id", "service_id", "channel")
    for created_at, council_id, service_id, channel in signposts.values_list(*columns).iterator(
        chunk_size=10_000
    ):
        key = (month_of(created_at), None, council_id, service_id, channel)
        tallies.setdefault(key, Tally()).referred += 1
    return tallies


def _counter_times(months: set[datetime.date] | None) -> int:
    """Recompute the counter waiting and serving histograms for ``months`` (all when None).

    Wait: issued → first called, for tickets that were called. Serving: started → finished.
    A ticket counts in the month it was issued, for the council of its office.
    """
    tickets = Ticket.objects.all()
    if months is not None:
        condition = Q()
        for month in months:
            start, end = month_bounds(month)
            condition |= Q(issued_at__gte=start, issued_at__lt=end)
        tickets = tickets.filter(condition)
    histogram: Counter = Counter()
    columns = (
        "office_id",
        "office__council_id",
        "issued_at",
        "first_called_at",
        "started_at",
        "finished_at",
    )
    for office_id, council_id, issued, called, started, finished in tickets.values_list(
        *columns
    ).iterator(chunk_size=10_000):
        month = month_of(issued)
        if called is not None:
            minutes = max(int((called - issued).total_seconds() // 60), 0)
            histogram[(month, council_id, office_id, CounterTime.Kind.WAIT, minutes)] += 1
        if started is not None and finished is not None:
            minutes = max(int((finished - started).total_seconds() // 60), 0)
            histogram[(month, council_id, office_id, CounterTime.Kind.HANDLING, minutes)] += 1
    rows = [
        CounterTime(month=m, council_id=c, office_id=o, kind=k, minutes=mins, tickets=n)
        for (m, c, o, k, mins), n in histogram.items()
    ]
    with transaction.atomic():
        existing = CounterTime.objects.all()
        if months is not None:
            existing = existing.filter(month__in=months)
        existing.delete()
        CounterTime.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def compute(
    months: set[datetime.date] | None = None,
    *,
    kind: str = ReportRun.Kind.REBUILD,
    chunk_size: int = 50_000,
    progress: Progress | None = None,
) -> ReportRun:
    """Recompute the summary rows of ``months`` (every month when None) and replace them.

    The new rows replace the old ones in one transaction, so readers see either the old
    figures or the new ones, never a half-written month.
    """
    run = ReportRun.objects.create(kind=kind, started_at=timezone.now())
    cases = Case.objects.all()
    if months is not None:
        if not months:
            run.finished_at = timezone.now()
            run.save()
            return run
        condition = Q()
        for month in months:
            start, end = month_bounds(month)
            condition |= Q(created_at__gte=start, created_at__lt=end)
            condition |= Q(resolved_at__gte=start, resolved_at__lt=end)
        cases = cases.filter(condition)
    total = cases.count()
    tallies: dict[Key, Tally] = {}
    done = 0
    if progress:
        progress(0, total)
    for chunk in _chunks(cases, chunk_size):
        _merge(tallies, tally(chunk, months))
        done += len(chunk)
        if progress:
            progress(done, total)
    _merge(tallies, signpost_tally(months))
    _write(tallies, months)
    _counter_times(months)
    telephone.compute(months)
    run.finished_at = timezone.now()
    run.cases_read = done
    run.months = sorted(m.isoformat() for m in months) if months is not None else []
    run.save()
    return run


def months_to_refresh(recent: int = 3, now: datetime.datetime | None = None) -> set[datetime.date]:
    """The months a periodic refresh must recompute.

    The last ``recent`` months (where almost every change lands), plus the received and
    resolved months of every case changed since the last run started — a late transfer or
    merge of an old case moves figures in the month it was received. The nightly rebuild
    catches anything else (a case reopened long after it was resolved).
    """
    now = now or timezone.now()
    current = month_of(now)
    months = {add_months(current, -back) for back in range(max(recent, 1))}
    last = ReportRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    if last is None:
        return months
    changed = Case.objects.filter(updated_at__gte=last.started_at)
    tz = timezone.get_default_timezone()
    for column in ("created_at", "resolved_at"):
        for moment in changed.datetimes(column, "month", tzinfo=tz):
            months.add(datetime.date(moment.year, moment.month, 1))
    return months


def refresh(recent: int = 3, progress: Progress | None = None) -> ReportRun:
    return compute(months_to_refresh(recent), kind=ReportRun.Kind.REFRESH, progress=progress)


def rebuild(progress: Progress | None = None, chunk_size: int = 50_000) -> ReportRun:
    return compute(None, kind=ReportRun.Kind.REBUILD, progress=progress, chunk_size=chunk_size)
