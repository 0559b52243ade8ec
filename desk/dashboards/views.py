"""Supervisors' dashboards at /desk/dashboards/: live queue health and monthly trends.

Queue health is counted live from ``services.permissions.visible_cases`` (open cases only; the
desk's queue indexes make it cheap). Trends come from the summary table, limited the way
``services.permissions.case_filter`` limits cases: the councils the supervisor serves (their own
and their office's, responsible or delivering) and joint services; restricted services only when the supervisor is in the
service's delivering team. (The summary rows keep the service, not the case's current team,
so a restricted case moved to another team counts for the service's team.)
Staff figures are not suppressed: supervisors may see the cases behind them anyway.
"""

import csv
import datetime
import io
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from desk.gate import staff_required
from desk.queue import sla_condition
from reports import charts, telephone
from reports.figures import add_months, month_of
from reports.models import CounterTime, MonthlyFigure, MonthlyResolution, TelephoneFigure
from reports.published import Cell, Row, median_of
from services import permissions
from services.models import Channel, Council
from services.models.cases import OPEN_STATUSES
from services.sla import SlaState

MONTHS = 12
HEALTH_GROUPS = {
    "office": ("office__name",),
    "team": ("team__name", "team__council__short_name"),
    "service": ("service__name",),
}


def _require_supervisor(request: HttpRequest) -> None:
    if not permissions.is_supervisor(request.user):
        raise PermissionDenied(_("Dashboards are for supervisors."))


def health(user, group: str, now: datetime.datetime | None = None) -> list[dict]:
    """Open, unassigned, at risk, target missed and oldest, per office, team or service."""
    now = now or timezone.now()
    fields = HEALTH_GROUPS[group]
    cases = permissions.visible_cases(user).filter(status__in=OPEN_STATUSES)
    rows = (
        cases.values(*fields)
        .annotate(
            open=Count("id"),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            at_risk=Count("id", filter=sla_condition(SlaState.AT_RISK, now)),
            breached=Count("id", filter=sla_condition(SlaState.BREACHED, now)),
            oldest=Min("created_at"),
        )
        .order_by(*fields)
    )
    return [
        {
            "name": " ".join(
                f"({row[f]})" if f.endswith("short_name") else str(row[f] or _("None"))
                for f in fields
            ),
            **{k: row[k] for k in ("open", "unassigned", "at_risk", "breached", "oldest")},
        }
        for row in rows
    ]


def visible_figures(user, model=MonthlyFigure):
    """Summary rows this supervisor may see (see the module docstring)."""
    rows = model.objects.all()
    if permissions.sees_everything(user):
        return rows
    profile = permissions.staff_profile(user)
    if profile is None:
        return rows.none()
    team_ids = list(profile.teams.values_list("id", flat=True))
    councils = sorted(permissions.councils_served(user))
    own = (
        Q(council_id__in=councils) | Q(responsible_council_id__in=councils) | Q(service__joint=True)
    )
    return rows.filter(
        (Q(service__restricted=False) & own)
        | (Q(service__restricted=True) & Q(service__delivering_team_id__in=team_ids))
    )


def trends(user, now: datetime.datetime | None = None) -> dict:
    """Per month: contacts by channel, resolved, SLA compliance and first-contact resolution."""
    last = month_of(now or timezone.now())
    months = [add_months(last, back) for back in range(-(MONTHS - 1), 1)]
    rows = visible_figures(user).filter(month__in=months)
    by_channel = {
        (r["month"], r["channel"]): r["n"]
        for r in rows.values("month", "channel").annotate(n=Sum("contacts"))
    }
    channels = [c for c in Channel if any(key[1] == c.value for key in by_channel)]
    totals = {
        r["month"]: r
        for r in rows.values("month").annotate(
            contacts=Sum("contacts"),
            resolved=Sum("resolved"),
            with_target=Sum("resolved_with_target"),
            within=Sum("resolved_within_target"),
            fcr=Sum("first_contact_resolved"),
        )
    }
    histograms: dict[datetime.date, Counter] = {}
    resolutions = visible_figures(user, MonthlyResolution).filter(month__in=months)
    for month, days, n in (
        resolutions.values_list("month", "days").annotate(n=Sum("cases")).order_by()
    ):
        histograms.setdefault(month, Counter())[days] += n
    table = []
    for month in months:
        t = totals.get(month) or {}
        table.append(
            {
                "month": month,
                "label": formats.date_format(month, "YEAR_MONTH_FORMAT"),
                "channels": [by_channel.get((month, c.value), 0) for c in channels],
                "contacts": t.get("contacts") or 0,
                "resolved": t.get("resolved") or 0,
                "within_target": _pct(t.get("within"), t.get("with_target")),
                "first_contact": _pct(t.get("fcr"), t.get("resolved")),
                "median_days": median_of(histograms.get(month, Counter()))
                if t.get("resolved")
                else None,
            }
        )
    return {"channels": channels, "months": table}


def counter_times(user, now: datetime.datetime | None = None) -> list[dict]:
    """Per office of the supervisor's council (all for those who see everything), over the
    last twelve months: tickets called, median wait and median time being served, minutes."""
    last = month_of(now or timezone.now())
    rows = CounterTime.objects.filter(month__gte=add_months(last, -(MONTHS - 1)))
    if not permissions.sees_everything(user):
        profile = permissions.staff_profile(user)
        rows = rows.filter(council_id=profile.council_id) if profile else rows.none()
    offices: dict[str, dict[str, Counter]] = {}
    for office, kind, minutes, n in (
        rows.values_list("office__name", "kind", "minutes").annotate(n=Sum("tickets")).order_by()
    ):
        offices.setdefault(office, {}).setdefault(kind, Counter())[minutes] += n
    return [
        {
            "office": office,
            "called": sum(kinds.get(CounterTime.Kind.WAIT, Counter()).values()),
            "wait": median_of(kinds.get(CounterTime.Kind.WAIT, Counter())),
            "handling": median_of(kinds.get(CounterTime.Kind.HANDLING, Counter())),
        }
        for office, kinds in sorted(offices.items())
    ]


def telephone_lines(user, now: datetime.datetime | None = None) -> list[dict]:
    """Per council line the supervisor serves (all for those who see everything), per month
    of the last twelve: the standard telephone measures from ``reports.telephone``'s summary
    rows. Not suppressed: supervisors' own figures."""
    last = month_of(now or timezone.now())
    rows = TelephoneFigure.objects.filter(month__gte=add_months(last, -(MONTHS - 1)))
    if not permissions.sees_everything(user):
        rows = rows.filter(council_id__in=sorted(permissions.councils_served(user)))
    names = dict(Council.objects.values_list("pk", "short_name"))
    result = []
    for row in rows.order_by("-month", "council_id"):
        line = telephone.Line(
            **{name: getattr(row, name) for name in telephone.Line.__dataclass_fields__}
        )
        result.append(
            {
                "month": row.month,
                "label": formats.date_format(row.month, "YEAR_MONTH_FORMAT"),
                "line": names.get(row.council_id) or _("Other numbers"),
                "offered": line.offered,
                "answered": line.answered,
                "within_60": _pct(line.answered_within_60, line.answered),
                "abandoned": _pct(line.abandoned, line.offered),
                "average_wait": line.average_wait,
                "out_of_hours": line.out_of_hours,
                "voicemail": line.voicemail,
            }
        )
    return result


def _pct(numerator, denominator) -> float | None:
    if not denominator:
        return None
    return round(100 * (numerator or 0) / denominator, 1)


def _trend_chart(trend: dict, key: str, title: str, percent: bool) -> charts.Chart:
    rows = [
        Row(
            m["month"].strftime("%Y-%m"),
            m["label"],
            {key: Cell(m[key]) if m[key] is not None else Cell(None, "not_applicable")},
        )
        for m in trend["months"]
    ]
    return charts.bar_chart(
        f"chart-{key}",
        title,
        rows,
        key,
        percent=percent,
        short_label=lambda row: row.label.split(" ")[0][:3],
        missing_text=_("no cases"),
    )


@require_GET
@staff_required
def dashboards(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request)
    trend = trends(request.user)
    context = {
        "desk_section": "dashboards",
        "is_supervisor": True,
        "now": timezone.now(),
        "health": [
            ("office", _("Queue health by office"), health(request.user, "office")),
            ("team", _("Queue health by team"), health(request.user, "team")),
            ("service", _("Queue health by service"), health(request.user, "service")),
        ],
        "trend": trend,
        "charts": [
            _trend_chart(trend, "contacts", _("Contacts received each month"), False),
            _trend_chart(trend, "within_target", _("Resolved within target (%)"), True),
            _trend_chart(trend, "first_contact", _("Resolved at first contact (%)"), True),
        ],
        "counter": counter_times(request.user),
        "telephone": telephone_lines(request.user),
    }
    return render(request, "desk/dashboards/dashboards.html", context)


@require_GET
@staff_required
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """The dashboards' tables as CSV, the same rows as the page."""
    _require_supervisor(request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if table in HEALTH_GROUPS:
        writer.writerow([table, "open", "unassigned", "at_risk", "breached", "oldest_received"])
        for row in health(request.user, table):
            writer.writerow(
                [
                    row["name"],
                    row["open"],
                    row["unassigned"],
                    row["at_risk"],
                    row["breached"],
                    row["oldest"].isoformat() if row["oldest"] else "",
                ]
            )
    elif table == "counter":
        writer.writerow(
            ["office", "tickets_called", "median_wait_minutes", "median_serving_minutes"]
        )
        for row in counter_times(request.user):
            writer.writerow(
                [
                    row["office"],
                    row["called"],
                    *("" if row[k] is None else row[k] for k in ("wait", "handling")),
                ]
            )
    elif table == "telephone":
        keys = ("offered", "answered", "within_60", "abandoned", "average_wait")
        writer.writerow(
            ["month", "line", "offered", "answered", "answered_within_60_pct"]
            + ["abandoned_pct", "average_wait_seconds", "out_of_hours", "voicemail"]
        )
        for row in telephone_lines(request.user):
            writer.writerow(
                [row["month"].strftime("%Y-%m"), row["line"]]
                + ["" if row[k] is None else row[k] for k in keys]
                + [row["out_of_hours"], row["voicemail"]]
            )
    elif table == "trends":
        trend = trends(request.user)
        writer.writerow(
            ["month"]
            + [f"contacts_{c.value}" for c in trend["channels"]]
            + ["contacts", "resolved", "within_target_pct", "first_contact_pct", "median_days"]
        )
        for m in trend["months"]:
            writer.writerow(
                [m["month"].strftime("%Y-%m")]
                + m["channels"]
                + [m["contacts"], m["resolved"]]
                + [
                    "" if m[k] is None else m[k]
                    for k in ("within_target", "first_contact", "median_days")
                ]
            )
    else:
        raise Http404
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{table}.csv"'
    return response
