"""The supervisors' live wallboard at /desk/calls/wallboard/ (``calls:wallboard``).

Per council line and in total: callers waiting now and the longest wait, agents by state
(``channels.voice.agents.effective_state``: an expired wrap-up counts as Available), and today's
calls answered within 60 seconds and abandoned — counted by the same rules as the published
telephone figures (``reports.telephone.tally_call``), so the wallboard and the monthly figures
cannot disagree about what "answered" or "abandoned" means.

An agent counts on every line they may take (``services.permissions.councils_served``: an
agent of the joint contact centre is on both), once in the total. The page works without
JavaScript (it is a plain table; reload it); ``?format=json`` gives the same numbers for the
small polling module ``desk/js/wallboard.mjs``. Never cached: ``Cache-Control: no-store``.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from channels.voice.agents import effective_state
from channels.voice.models import LIVE_STATUSES, Agent, Stage
from desk.gate import staff_required
from desk.nav import nav
from reports import telephone
from services import permissions
from services.models import Council

TOTAL = "total"


def _line(key: str, label: str) -> dict:
    return {
        "key": key,
        "label": label,
        "waiting": 0,
        "longest_wait_seconds": None,
        "agents": {state: 0 for state in Agent.State.values},
        "offered_today": 0,
        "answered_today": 0,
        "answered_within_60_today": 0,
        "abandoned_today": 0,
    }


def figures(now: datetime.datetime | None = None) -> dict:
    """The wallboard's numbers: ``{"lines": [...one per council line..., total], ...}``."""
    now = now or timezone.now()
    councils = list(Council.objects.order_by("name"))
    lines = {c.pk: _line(c.code, c.short_name or c.name) for c in councils}
    other = _line("other", _("Other numbers"))
    total = _line(TOTAL, _("All lines"))

    def line_of(council_id):
        return lines.get(council_id, other)

    waiting = (
        telephone.calls()
        .filter(
            stage=Stage.WAITING,
            status__in=LIVE_STATUSES,
            queued_at__isnull=False,
            answered_at__isnull=True,
        )
        .values_list("council_id", "queued_at")
    )
    for council_id, queued_at in waiting:
        seconds = max(int((now - queued_at).total_seconds()), 0)
        for line in (line_of(council_id), total):
            line["waiting"] += 1
            line["longest_wait_seconds"] = max(line["longest_wait_seconds"] or 0, seconds)

    for agent in Agent.objects.select_related("user"):
        state = effective_state(agent, now)
        total["agents"][state] += 1
        for council_id in permissions.councils_served(agent.user):
            if council_id in lines:
                lines[council_id]["agents"][state] += 1

    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today: dict[int | None, telephone.Line] = {}
    for council_id, queued_at, answered_at, ended_at, outcome in (
        telephone.calls()
        .filter(started_at__gte=start, started_at__lte=now)
        .values_list("council_id", "queued_at", "answered_at", "ended_at", "outcome")
    ):
        part = today.setdefault(council_id, telephone.Line())
        telephone.tally_call(part, queued_at, answered_at, ended_at, outcome)
    for council_id, part in today.items():
        for line in (line_of(council_id), total):
            line["offered_today"] += part.offered
            line["answered_today"] += part.answered
            line["answered_within_60_today"] += part.answered_within_60
            line["abandoned_today"] += part.abandoned

    shown = [*lines.values()]
    if other["waiting"] or other["offered_today"]:
        shown.append(other)
    shown.append(total)
    for line in shown:
        line["answered_within_60_share"] = (
            round(100 * line["answered_within_60_today"] / line["answered_today"], 1)
            if line["answered_today"]
            else None
        )
        line["abandoned_share"] = (
            round(100 * line["abandoned_today"] / line["offered_today"], 1)
            if line["offered_today"]
            else None
        )
    return {"generated_at": timezone.localtime(now).isoformat(timespec="seconds"), "lines": shown}


def _no_store(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_cache_control(response, no_store=True, private=True)
    return response


@require_GET
@staff_required
def wallboard(request: HttpRequest) -> HttpResponse:
    if not permissions.is_supervisor(request.user):
        raise PermissionDenied(_("The wallboard is for supervisors."))
    data = figures()
    if request.GET.get("format") == "json":
        return _no_store(JsonResponse(data))
    states = [(value, label) for value, label in Agent.State.choices]
    for line in data["lines"]:
        line["agent_counts"] = [(label, line["agents"][value]) for value, label in states]
    return _no_store(
        render(
            request,
            "desk/calls/wallboard.html",
            nav(request, "calls") | {"board": data, "states": states},
        )
    )
