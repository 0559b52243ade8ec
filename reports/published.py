"""The published figures: summary rows added up for a filter, then suppressed.

Pages, CSV and JSON all call ``figures_table`` with the same filter, so a download holds
exactly the numbers the page shows. Suppression happens here and only here:

* a count from 1 to ``PORTAL_SUPPRESSION_THRESHOLD - 1`` (default 1–4) is not published
  ("fewer than 5"); zero is published — it identifies nobody;
* a percentage is not published when its numerator or denominator is suppressed;
* a median is not published when fewer cases than the threshold lie behind it.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q, Sum
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reports import telephone
from reports.figures import add_months, month_of
from reports.models import (
    CounterTime,
    MonthlyFigure,
    MonthlyResolution,
    ReportRun,
    TelephoneFigure,
)
from services.models import Channel, Council, Service

WINDOW_MONTHS = 12
ONLINE_CHANNELS = (Channel.WEB,)

OK, SUPPRESSED, NOT_APPLICABLE = "ok", "suppressed", "not_applicable"


def threshold() -> int:
    return int(getattr(settings, "PORTAL_SUPPRESSION_THRESHOLD", 5))


def complaint_services() -> tuple[str, ...]:
    return tuple(getattr(settings, "PORTAL_COMPLAINT_SERVICES", ("complaint",)))


@dataclass(frozen=True)
class Cell:
    """One published value: a number, suppressed, or not applicable (nothing to divide by)."""

    value: int | float | None
    state: str = OK

    @property
    def suppressed(self) -> bool:
        return self.state == SUPPRESSED

    @property
    def available(self) -> bool:
        return self.state == OK


def count_cell(n: int) -> Cell:
    return Cell(None, SUPPRESSED) if 0 < n < threshold() else Cell(n)


def share_cell(numerator: int, denominator: int) -> Cell:
    if denominator == 0:
        return Cell(None, NOT_APPLICABLE)
    if count_cell(numerator).suppressed or count_cell(denominator).suppressed:
        return Cell(None, SUPPRESSED)
    return Cell(round(100 * numerator / denominator, 1))


def median_of(histogram: Counter) -> float | None:
    """Exact median of whole-day values from a histogram ``{days: cases}``."""
    n = sum(histogram.values())
    if n == 0:
        return None
    wanted = [(n - 1) // 2, n // 2]
    found: list[int] = []
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        while len(found) < 2 and wanted[len(found)] < seen:
            found.append(days)
    return (found[0] + found[1]) / 2


def median_cell(histogram: Counter) -> Cell:
    n = sum(histogram.values())
    if n == 0:
        return Cell(None, NOT_APPLICABLE)
    if n < threshold():
        return Cell(None, SUPPRESSED)
    return Cell(median_of(histogram))


# key, label, kind — the order of columns in the downloads and the documented schema.
COLUMNS: list[tuple[str, object, str]] = [
    ("contacts", _("Contacts received"), "count"),
    ("online", _("Contacts made online"), "count"),
    ("online_share", _("Share of contacts made online (%)"), "percent"),
    ("complaints", _("Complaints received"), "count"),
    ("resolved", _("Cases resolved"), "count"),
    ("resolved_with_target", _("Cases resolved that had a target"), "count"),
    ("resolved_within_target", _("Cases resolved within their target"), "count"),
    ("within_target_share", _("Share resolved within their target (%)"), "percent"),
    ("median_days_to_resolve", _("Median days to resolve"), "days"),
    ("first_contact_resolved", _("Cases resolved at first contact"), "count"),
    ("first_contact_share", _("Share resolved at first contact (%)"), "percent"),
    ("counter_wait_median_minutes", _("Median wait at a counter (minutes)"), "minutes"),
    ("referred", _("Residents sent to another organisation"), "count"),
]


@dataclass
class Sums:
    contacts: int = 0
    online: int = 0
    complaints: int = 0
    resolved: int = 0
    resolved_with_target: int = 0
    resolved_within_target: int = 0
    first_contact_resolved: int = 0
    referred: int = 0
    resolve_days: Counter = field(default_factory=Counter)
    counter_waits: Counter = field(default_factory=Counter)
    counter_applies: bool = False

    def cells(self) -> dict[str, Cell]:
        return {
            "contacts": count_cell(self.contacts),
            "online": count_cell(self.online),
            "online_share": share_cell(self.online, self.contacts),
            "complaints": count_cell(self.complaints),
            "resolved": count_cell(self.resolved),
            "resolved_with_target": count_cell(self.resolved_with_target),
            "resolved_within_target": count_cell(self.resolved_within_target),
            "within_target_share": share_cell(
                self.resolved_within_target, self.resolved_with_target
            ),
            "median_days_to_resolve": median_cell(self.resolve_days),
            "first_contact_resolved": count_cell(self.first_contact_resolved),
            "first_contact_share": share_cell(self.first_contact_resolved, self.resolved),
            "counter_wait_median_minutes": median_cell(self.counter_waits)
            if self.counter_applies
            else Cell(None, NOT_APPLICABLE),
            "referred": count_cell(self.referred),
        }


@dataclass
class Filter:
    """What a page or download is about. ``None`` means all."""

    council: Council | None = None
    service: Service | None = None
    channel: str | None = None
    to_month: datetime.date | None = None

    @property
    def months(self) -> list[datetime.date]:
        last = self.to_month or month_of(timezone.now())
        return [add_months(last, back) for back in range(-(WINDOW_MONTHS - 1), 1)]


@dataclass
class Row:
    key: str
    label: str
    cells: dict[str, Cell]
    total: bool = False


BREAKDOWNS = ("month", "council", "service", "channel")


GROUP_FIELDS = {
    "month": "month",
    "council": "council_id",
    "service": "service_id",
    "channel": "channel",
}


def _filtered(model, flt: Filter):
    rows = model.objects.filter(month__in=flt.months)
    if flt.council is not None:
        rows = rows.filter(council=flt.council)
    if flt.service is not None:
        rows = rows.filter(service=flt.service)
    if flt.channel:
        rows = rows.filter(channel=flt.channel)
    return rows


CACHE_SECONDS = 24 * 3600


def figures_table(flt: Filter, by: str = "month") -> list[Row]:
    """Rows of published figures for ``flt``, one per ``by`` value, then a total row.

    Published figures change only when a rebuild or refresh finishes, so a table is cached
    under a key naming that run: the next run's tables have new keys, old ones simply expire.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown {by!r}")
    run = (
        ReportRun.objects.filter(finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("id", "finished_at")
        .first()
    )
    key = ":".join(
        str(part)
        for part in (
            "reports-table",
            run[0] if run else 0,
            run[1].timestamp() if run else 0,
            flt.council.pk if flt.council else "",
            flt.service.pk if flt.service else "",
            flt.channel or "",
            flt.months[-1].isoformat(),
            by,
            threshold(),
            get_language(),
        )
    )
    rows = cache.get(key)
    if rows is None:
        rows = compute_table(flt, by)
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def compute_table(flt: Filter, by: str = "month") -> list[Row]:
    """``figures_table`` without the cache.

    The database adds the summary rows up (two ``GROUP BY`` queries over a few thousand rows
    whatever the number of cases); Python only suppresses and labels the result.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"Unknown breakdown {by!r}")
    group = GROUP_FIELDS[by]
    sums_query = (
        _filtered(MonthlyFigure, flt)
        .values(group)
        .annotate(
            s_contacts=Sum("contacts"),
            s_online=Sum("contacts", filter=Q(channel__in=ONLINE_CHANNELS)),
            s_complaints=Sum("contacts", filter=Q(service__slug__in=complaint_services())),
            s_resolved=Sum("resolved"),
            s_with_target=Sum("resolved_with_target"),
            s_within=Sum("resolved_within_target"),
            s_fcr=Sum("first_contact_resolved"),
            s_referred=Sum("referred"),
        )
        .order_by()
    )
    groups: dict[object, Sums] = {}
    total = Sums()
    for row in sums_query:
        sums = groups[row[group]] = Sums(
            contacts=row["s_contacts"] or 0,
            online=row["s_online"] or 0,
            complaints=row["s_complaints"] or 0,
            resolved=row["s_resolved"] or 0,
            resolved_with_target=row["s_with_target"] or 0,
            resolved_within_target=row["s_within"] or 0,
            first_contact_resolved=row["s_fcr"] or 0,
            referred=row["s_referred"] or 0,
        )
        total.contacts += sums.contacts
        total.online += sums.online
        total.complaints += sums.complaints
        total.resolved += sums.resolved
        total.resolved_with_target += sums.resolved_with_target
        total.resolved_within_target += sums.resolved_within_target
        total.first_contact_resolved += sums.first_contact_resolved
        total.referred += sums.referred
    days_query = (
        _filtered(MonthlyResolution, flt)
        .values_list(group, "days")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    for value, days, n in days_query:
        groups.setdefault(value, Sums()).resolve_days[days] += n
        total.resolve_days[days] += n
    _add_counter_waits(flt, by, groups, total)
    rows = [
        Row(key, label, groups.get(value, Sums()).cells())
        for value, key, label in _labels(flt, by, groups)
    ]
    rows.append(Row("total", str(_("All")), total.cells(), total=True))
    return rows


def _add_counter_waits(flt: Filter, by: str, groups: dict, total: Sums) -> None:
    """Counter waits belong to a council and month, not to a service: they are published for
    all services only, and under the counter channel (or all channels)."""
    if flt.service is not None or flt.channel not in (None, Channel.COUNTER):
        return
    waits = CounterTime.objects.filter(month__in=flt.months, kind=CounterTime.Kind.WAIT)
    if flt.council is not None:
        waits = waits.filter(council=flt.council)
    field_name = {"month": "month", "council": "council_id"}.get(by)
    total.counter_applies = True
    if by == "service":
        return
    for month, council_id, minutes, n in (
        waits.values_list("month", "council_id", "minutes").annotate(n=Sum("tickets")).order_by()
    ):
        total.counter_waits[minutes] += n
        if field_name == "month":
            key = month
        elif field_name == "council_id":
            key = council_id
        else:
            key = Channel.COUNTER.value
        target = groups.setdefault(key, Sums())
        target.counter_applies = True
        target.counter_waits[minutes] += n
    if by == "month":
        for month in flt.months:
            groups.setdefault(month, Sums()).counter_applies = True
    elif by == "channel" and Channel.COUNTER.value in groups:
        groups[Channel.COUNTER.value].counter_applies = True


def _labels(flt: Filter, by: str, groups: dict) -> list[tuple[object, str, str]]:
    """(group value, machine key, label) in display order; months always all shown."""
    if by == "month":
        return [
            (m, m.strftime("%Y-%m"), formats.date_format(m, "YEAR_MONTH_FORMAT"))
            for m in flt.months
        ]
    if by == "channel":
        return [(c.value, c.value, str(c.label)) for c in Channel if c.value in groups]
    if by == "council":
        councils = {c.pk: c for c in Council.objects.filter(pk__in=[k for k in groups if k])}
        labels = [
            (pk, c.code, c.name) for pk, c in sorted(councils.items(), key=lambda i: i[1].name)
        ]
        if None in groups:
            labels.append((None, "other", str(_("Passed to another organisation"))))
        return labels
    services = Service.objects.filter(pk__in=list(groups)).order_by("name")
    return [(s.pk, s.slug, s.name) for s in services]


def last_updated() -> datetime.datetime | None:
    run = ReportRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    return run.finished_at if run else None


# The telephone measures of the contact-centre lines (``reports.telephone``): published per
# council line and month, for all services (a call is for a line, not for one service).
TELEPHONE_COLUMNS: list[tuple[str, object, str]] = [
    ("calls_received", _("Calls received"), "count"),
    ("calls_offered", _("Calls queued for an adviser"), "count"),
    ("calls_answered", _("Calls answered"), "count"),
    ("answered_within_60_share", _("Share answered within 60 seconds (%)"), "percent"),
    ("calls_abandoned", _("Calls abandoned while waiting"), "count"),
    ("abandoned_share", _("Share of queued calls abandoned (%)"), "percent"),
    ("average_wait_seconds", _("Average wait (seconds)"), "seconds"),
    ("calls_out_of_hours", _("Calls outside opening hours"), "count"),
    ("voicemails", _("Voicemails left"), "count"),
]
TELEPHONE_BREAKDOWNS = ("month", "council")


def average_cell(total: int, n: int) -> Cell:
    """A mean over ``n`` calls: not published when fewer than the threshold lie behind it."""
    if n == 0:
        return Cell(None, NOT_APPLICABLE)
    if n < threshold():
        return Cell(None, SUPPRESSED)
    return Cell(round(total / n, 1))


def telephone_cells(line) -> dict[str, Cell]:
    return {
        "calls_received": count_cell(line.received),
        "calls_offered": count_cell(line.offered),
        "calls_answered": count_cell(line.answered),
        "answered_within_60_share": share_cell(line.answered_within_60, line.answered),
        "calls_abandoned": count_cell(line.abandoned),
        "abandoned_share": share_cell(line.abandoned, line.offered),
        "average_wait_seconds": average_cell(line.wait_seconds, line.waits),
        "calls_out_of_hours": count_cell(line.out_of_hours),
        "voicemails": count_cell(line.voicemail),
    }


def telephone_applies(flt: Filter) -> bool:
    return flt.service is None and flt.channel in (None, "", Channel.VOICE)


def telephone_table(flt: Filter, by: str = "month") -> list[Row]:
    """Rows of published telephone figures for ``flt``, by month or council line, then a total
    row; no rows when the filter names a service or another channel."""
    if by not in TELEPHONE_BREAKDOWNS:
        raise ValueError(f"Unknown breakdown {by!r}")
    if not telephone_applies(flt):
        return []
    rows = TelephoneFigure.objects.filter(month__in=flt.months)
    if flt.council is not None:
        rows = rows.filter(council=flt.council)
    groups = telephone.summed(rows, GROUP_FIELDS[by])
    total = telephone.summed(rows, None)[None]
    if by == "month":
        labels = _labels(flt, "month", groups)
    else:
        councils = {c.pk: c for c in Council.objects.filter(pk__in=[k for k in groups if k])}
        labels = [
            (pk, c.code, c.name) for pk, c in sorted(councils.items(), key=lambda i: i[1].name)
        ]
        if None in groups:
            labels.append((None, "other", str(_("Other numbers"))))
    result = [
        Row(key, label, telephone_cells(groups.get(value) or telephone.Line()))
        for value, key, label in labels
    ]
    result.append(Row("total", str(_("All")), telephone_cells(total), total=True))
    return result
