"""The calls panel at /desk/calls/: live calls, the screen pop, wrap-up, call-backs, simulator.

Thin views behind the desk's one gate (``desk.gate.staff_required``): reads go through
``services.permissions.visible_cases`` — the screen pop lists only cases the agent may see,
and only the messages of those cases (or of no case) — and every change goes through
``channels.voice.actions``.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from channels.voice import actions, simulator
from channels.voice.models import LIVE_STATUSES, Call, Callback, Stage
from desk.calls.forms import (
    NEW_CASE,
    CallbackAttemptForm,
    DeskCallForm,
    SimulatedCallForm,
    WrapUpForm,
)
from desk.calls.token import softphone_context, softphone_page
from desk.gate import staff_required
from desk.nav import nav
from services import permissions
from services.models import Message, Resident
from services.models.cases import OPEN_STATUSES


def _context(request: HttpRequest, **extra) -> dict:
    return nav(request, "calls") | {"simulator": settings.PORTAL_CHANNEL_SIMULATOR, **extra}


def _live_calls():
    return (
        Call.objects.filter(status__in=LIVE_STATUSES, source=Call.Source.TWILIO)
        .exclude(stage=Stage.ENDED)
        .select_related("council", "service_group", "agent", "resident")
        .order_by("started_at", "pk")[:50]
    )


@require_GET
@softphone_page
@staff_required
def panel(request: HttpRequest) -> HttpResponse:
    mine = (
        Call.objects.filter(agent=request.user, logged_at__isnull=True)
        .select_related("resident")
        .order_by("-started_at")[:20]
    )
    return render(
        request,
        "desk/calls/panel.html",
        _context(
            request,
            calls=_live_calls(),
            mine=mine,
            callbacks_open=Callback.objects.filter(state=Callback.State.OPEN).count(),
            softphone=softphone_context(request),
        ),
    )


@require_GET
@staff_required
def panel_json(request: HttpRequest) -> JsonResponse:
    """For the panel's optional polling script: just enough to know whether to reload."""
    calls = list(_live_calls().values_list("pk", "stage"))
    return JsonResponse({"calls": [{"id": pk, "stage": stage} for pk, stage in calls]})


def _pop(request: HttpRequest, call: Call) -> dict:
    """The screen pop: who is calling, their open cases and recent contacts we may show."""
    number = actions.caller_number(call)
    residents = []
    if call.resident_id:
        residents = [call.resident]
    elif number.startswith("+"):
        residents = list(
            Resident.objects.filter(phone=number, merged_into__isnull=True).order_by(
                "-phone_verified", "-created_at"
            )[:5]
        )
    visible = permissions.visible_cases(request.user).select_related("service")
    open_cases = list(
        visible.filter(resident__in=residents, status__in=OPEN_STATUSES).order_by("-created_at")[
            :20
        ]
    )
    recent = (
        Message.objects.filter(resident__in=residents)
        .filter(Q(case__isnull=True) | Q(case__in=visible))
        .select_related("case")
        .order_by("-created_at")[:10]
    )
    return {"residents": residents, "open_cases": open_cases, "recent": recent}


def _call_or_404(pk: int) -> Call:
    return get_object_or_404(
        Call.objects.select_related("council", "service_group", "agent", "resident", "case"), pk=pk
    )


@require_http_methods(["GET"])
@staff_required
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_or_404(pk)
    pop = _pop(request, call)
    form = WrapUpForm(cases=pop["open_cases"])
    return render(request, "desk/calls/call.html", _context(request, call=call, form=form, **pop))


@require_POST
@staff_required
def take_call(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_or_404(pk)
    actions.take_call(request.user, call)
    return redirect("calls:call", pk=call.pk)


@require_POST
@staff_required
def wrap_up(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_or_404(pk)
    pop = _pop(request, call)
    form = WrapUpForm(request.POST, cases=pop["open_cases"])
    status = 400
    if form.is_valid():
        chosen = form.chosen_case() if form.cleaned_data["case"] != NEW_CASE else None
        try:
            case = actions.log_call(
                request.user,
                call,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                case=chosen,
                service=form.cleaned_data["service"] if chosen is None else None,
                summary=form.cleaned_data["summary"],
            )
        except actions.AlreadyLogged as error:
            form.add_error(None, str(error))
            status = 409
        except PermissionDenied:
            form.add_error(None, _("You cannot work on that case."))
            status = 403
        else:
            messages.success(
                request,
                _("Call logged on %(reference)s.") % {"reference": case.display_reference},
            )
            if permissions.can_view_case(request.user, case):
                return redirect("desk:case", reference=case.reference)
            return redirect("calls:panel")
    return render(
        request,
        "desk/calls/call.html",
        _context(request, call=call, form=form, **pop),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def log_by_hand(request: HttpRequest) -> HttpResponse:
    form = DeskCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        minutes = form.cleaned_data["minutes"]
        call = actions.start_desk_call(
            request.user,
            phone=form.cleaned_data["phone"],
            direction=form.cleaned_data["direction"],
            duration=minutes * 60 if minutes is not None else None,
        )
        return redirect("calls:call", pk=call.pk)
    return render(
        request,
        "desk/calls/log.html",
        _context(request, form=form),
        status=400 if form.errors else 200,
    )


@require_GET
@softphone_page
@staff_required
def callbacks(request: HttpRequest) -> HttpResponse:
    visible = permissions.visible_cases(request.user)
    items = (
        Callback.objects.filter(state=Callback.State.OPEN)
        .filter(Q(case__isnull=True) | Q(case__in=visible))
        .select_related("resident", "case", "call")
        .prefetch_related("attempts")
        .order_by("created_at", "pk")[:100]
    )
    return render(
        request,
        "desk/calls/callbacks.html",
        _context(
            request,
            callbacks=items,
            form=CallbackAttemptForm(),
            softphone=softphone_context(request),
        ),
    )


@require_POST
@staff_required
def callback_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    callback = get_object_or_404(Callback, pk=pk)
    if callback.case_id and not permissions.can_view_case(request.user, callback.case):
        raise Http404
    form = CallbackAttemptForm(request.POST)
    if form.is_valid():
        try:
            actions.record_callback_attempt(
                request.user,
                callback,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
            )
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Call-back attempt recorded."))
    else:
        messages.error(request, _("Choose what happened on the call back."))
    return redirect("calls:callbacks")


@require_http_methods(["GET", "POST"])
@staff_required
def simulate(request: HttpRequest) -> HttpResponse:
    if not settings.PORTAL_CHANNEL_SIMULATOR:
        raise Http404
    form = SimulatedCallForm(request.POST or None)
    result = None
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            result = simulator.run(
                caller=form.cleaned_data["caller"],
                dialled=form.cleaned_data["dialled"],
                language=form.cleaned_data["language"],
                path=form.cleaned_data["path"],
                reference=form.cleaned_data["reference"],
                group=form.cleaned_data["group"] or 1,
                message=form.cleaned_data["message"],
            )
        except simulator.SimulatorUnavailable as problem:
            error = str(problem)
    call = Call.objects.filter(call_sid=result.call_sid).first() if result else None
    return render(
        request,
        "desk/calls/simulate.html",
        _context(request, form=form, result=result, call=call, error=error),
        status=400 if form.errors else 200,
    )
