"""Public "How we are doing" pages, open data downloads and the equality questionnaire.

Everything here reads the summary tables (or the equality answers) through ``published``,
which applies suppression; no view touches a case, a resident or a message.
"""

import datetime

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reports import charts, equality, opendata
from reports.forms import EqualityForm, FigureFilterForm
from reports.models import EqualityResponse
from reports.published import (
    TELEPHONE_BREAKDOWNS,
    TELEPHONE_COLUMNS,
    Filter,
    figures_table,
    last_updated,
    telephone_applies,
    telephone_table,
    threshold,
)
from services.models import Channel, Service


def _filter(request: HttpRequest) -> tuple[FigureFilterForm, Filter]:
    form = FigureFilterForm(request.GET)
    if form.is_valid():
        return form, form.to_filter()
    return form, Filter()


def _query(flt: Filter, by: str) -> str:
    from urllib.parse import urlencode

    params = {
        "council": flt.council.code if flt.council else "",
        "service": flt.service.slug if flt.service else "",
        "channel": flt.channel or "",
        "to": flt.to_month.strftime("%Y-%m") if flt.to_month else "",
        "by": by if by != "month" else "",
    }
    return urlencode({k: v for k, v in params.items() if v})


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The figures for the chosen council, service and channel, by month and broken down."""
    form, flt = _filter(request)
    monthly = figures_table(flt, "month")
    fewer = _("fewer than %(n)s") % {"n": threshold()}
    short = lambda row: row.label.split(" ")[0][:3]  # noqa: E731 - "January 2026" → "Jan"
    breakdowns = []
    if flt.council is None:
        breakdowns.append(("council", _("By council"), figures_table(flt, "council")))
    if flt.service is None:
        breakdowns.append(("service", _("By service"), figures_table(flt, "service")))
    if not flt.channel:
        breakdowns.append(("channel", _("By channel"), figures_table(flt, "channel")))
    context = {
        "form": form,
        "flt": flt,
        "monthly": monthly,
        "breakdowns": [
            {"by": by, "title": title, "rows": rows, "query": _query(flt, by)}
            for by, title, rows in breakdowns
        ],
        "query": _query(flt, "month"),
        "charts": [
            charts.bar_chart(
                "chart-contacts",
                _("Contacts received each month"),
                monthly,
                "contacts",
                short_label=short,
                missing_text=fewer,
            ),
            charts.bar_chart(
                "chart-online",
                _("Share of contacts made online each month"),
                monthly,
                "online_share",
                percent=True,
                short_label=short,
                missing_text=_("not published"),
            ),
            charts.bar_chart(
                "chart-target",
                _("Share of cases resolved within their target each month"),
                monthly,
                "within_target_share",
                percent=True,
                short_label=short,
                missing_text=_("not published"),
            ),
        ],
        "telephone": [
            {
                "by": by,
                "title": title,
                "rows": telephone_table(flt, by),
                "query": _query(flt, by) + ("&" if _query(flt, by) else "") + "table=telephone",
            }
            for by, title in (
                ("month", _("Telephone: the contact-centre lines by month")),
                ("council", _("Telephone: by council line")),
            )
            if telephone_applies(flt) and (by == "month" or flt.council is None)
        ],
        "channel_label": dict(Channel.choices).get(flt.channel or "", ""),
        "threshold": threshold(),
        "updated": last_updated(),
        "licence_url": opendata.LICENCE_URL,
    }
    return render(request, "reports/overview.html", context)


@require_GET
def download(request: HttpRequest, fmt: str) -> HttpResponse:
    """The same table as the page, as CSV or JSON; an unknown filter is an error, not 'all'."""
    form = FigureFilterForm(request.GET)
    by = request.GET.get("by") or "month"
    if not form.is_valid() or by not in ("month", "council", "service", "channel"):
        return HttpResponseBadRequest(
            _("Unknown council, service, channel, month or breakdown."), content_type="text/plain"
        )
    flt = form.to_filter()
    columns = None
    prefix = "how-we-are-doing-"
    if request.GET.get("table") == "telephone":
        # The contact-centre lines' measures: by month or by council line only.
        if by not in TELEPHONE_BREAKDOWNS or not telephone_applies(flt):
            return HttpResponseBadRequest(
                _("Telephone figures are published by month or council, for all services."),
                content_type="text/plain",
            )
        rows, columns, prefix = telephone_table(flt, by), TELEPHONE_COLUMNS, "telephone-"
    else:
        rows = figures_table(flt, by)
    name = prefix + "-".join(
        part for part in opendata.describe(flt, by).values() if part and part != "all"
    )
    if fmt == "csv":
        response = HttpResponse(
            opendata.to_csv(flt, by, rows, columns), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            opendata.to_json(flt, by, rows, columns), content_type="application/json"
        )
    response["Content-Disposition"] = f'inline; filename="{name}.{fmt}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _this_month() -> datetime.date:
    today = timezone.localdate()
    return today.replace(day=1)


@require_http_methods(["GET", "POST"])
def equality_form(request: HttpRequest) -> HttpResponse:
    """The voluntary questionnaire. Only the service and month are kept with the answers."""
    service = Service.objects.filter(slug=request.GET.get("service", "")).first()
    if request.method == "POST":
        service = Service.objects.filter(slug=request.POST.get("service", "")).first()
        form = EqualityForm(request.POST)
        if form.is_valid():
            response: EqualityResponse = form.save(commit=False)
            response.service = service
            response.month = _this_month()
            response.save()
            return redirect("reports:equality_thanks")
    else:
        form = EqualityForm()
    return render(request, "reports/equality_form.html", {"form": form, "service": service})


@require_GET
def equality_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/equality_thanks.html")


@require_GET
def equality_results(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/equality_results.html",
        {"tables": equality.results(), "threshold": threshold()},
    )
