"""The staff desk's own pages: the shared queue, case pages, residents and queue health.

Thin views: they read through ``services.permissions`` and change state only through
``services.actions``.

* Every page is behind the one desk gate (``desk.gate.staff_required``): anonymous users go
  to the sign-in page, anybody else signed in who is not staff gets 403.
* A case the user may not see is a 404, never a 403: the answer must not confirm that a
  reference exists.
* Action forms post to their own URL and redirect back to the case (post/redirect/get); a
  refused or invalid action re-renders the case page with the errors (status 400/403).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from desk import forms as desk_forms
from desk.calls.token import softphone_context, softphone_page
from desk.gate import staff_required
from desk.nav import nav
from desk.queue import (
    SLA_LABELS,
    STATUS_OPEN,
    QueueFilterForm,
    queue_page,
    sla_condition,
)
from services import actions, permissions, reference, sla, workflow
from services.actions.audit import record_resident_view
from services.composition import message_context
from services.composition import render as render_message
from services.models import (
    Attachment,
    Case,
    Message,
    Resident,
    Status,
)
from services.models.cases import OPEN_STATUSES
from services.outbound import segments
from services.sla import SlaState

# --- Queue -----------------------------------------------------------------------------------


def _link(params: dict, **overrides) -> str:
    """A queue URL with the current filters (never the cursor) and ``overrides``."""
    merged = {**params, **overrides}
    return "?" + urlencode({key: value for key, value in merged.items() if value})


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    context = nav(request, "queue") | {"form": form}
    if request.GET and not form.is_valid():
        context["page"] = None
        return render(request, "desk/queue.html", context, status=400)
    data = form.cleaned_data if request.GET else {"status": STATUS_OPEN}
    page = queue_page(request.user, data, catalogue=form.catalogue)
    params = {
        key: request.GET.get(key, "")
        for key in ("council", "office", "team", "service", "channel", "status", "sla", "assigned")
    }
    context |= {
        "page": page,
        "status_links": [
            (label, count, _link(params, status=value))
            for value, label, count in page.counts["statuses"]
        ],
        "sla_links": [
            (state, label, count, _link(params, sla=state))
            for state, label, count in page.counts["sla"]
        ],
        "next_link": _link(params, after=page.next_cursor) if page.next_cursor else None,
        "first_link": _link(params) if data.get("after") else None,
        "now": timezone.now(),
    }
    return render(request, "desk/queue.html", context)


@require_POST
@staff_required
def next_case(request: HttpRequest) -> HttpResponse:
    case = actions.claim_next(request.user)
    if case is None:
        messages.info(request, _("There are no unassigned cases for your teams. Well done."))
        return redirect("desk:queue")
    messages.success(
        request, _("Case %(reference)s is yours now.") % {"reference": case.display_reference}
    )
    return redirect("desk:case", reference=case.reference)


# --- Case page -------------------------------------------------------------------------------


def _get_case(user, text: str) -> Case:
    try:
        ref = reference.normalise(text)
    except reference.InvalidReference as error:
        raise Http404(str(error)) from error
    return get_object_or_404(
        permissions.visible_cases(user).select_related(
            "service",
            "resident",
            "team__council",
            "office",
            "assignee",
            "responsible_council",
            "delivering_council",
            "referral_body",
            "merged_into",
        ),
        reference=ref,
    )


def _segment_info(case: Case, body: str) -> segments.SegmentInfo:
    """Segments of the SMS the resident would get: the reply template around the staff text."""
    language = case.resident.language or case.language or "en"
    rendered = render_message(
        "reply", "sms", language, message_context(case, language, {"body": body})
    )
    return segments.describe(rendered.body)


def _case_forms(case: Case, bound: dict) -> dict:
    forms = {
        "note_form": desk_forms.NoteForm(),
        "assign_form": desk_forms.AssignForm(case=case),
        "transfer_form": desk_forms.TransferForm(),
        "status_form": desk_forms.StatusForm(case=case),
        "reply_form": desk_forms.ReplyForm(case=case),
        "merge_form": desk_forms.MergeForm(),
        "refer_form": desk_forms.ReferForm(),
    }
    forms.update(bound)
    return forms


def _render_case(request: HttpRequest, case: Case, *, status: int = 200, **bound) -> HttpResponse:
    actions.record_view(request.user, case)
    events = list(case.timeline.select_related("actor", "message").order_by("created_at", "id"))
    attachments: dict[int | None, list[Attachment]] = {}
    for attachment in case.attachments.order_by("created_at", "id"):
        attachments.setdefault(attachment.message_id, []).append(attachment)
    for event in events:
        event.files = attachments.pop(event.message_id, []) if event.message_id else []
    other_cases = list(
        permissions.visible_cases(request.user)
        .filter(resident_id=case.resident_id)
        .exclude(pk=case.pk)
        .select_related("service")
        .order_by("-created_at")[:20]
    )
    forms = _case_forms(case, bound)
    context = nav(request, "case") | forms
    context |= {
        "case": case,
        "events": events,
        "loose_attachments": [a for files in attachments.values() for a in files],
        "other_cases": other_cases,
        "sla_state": sla.state_of(case),
        "sla_labels": SLA_LABELS,
        "next_statuses": workflow.next_statuses(case.status),
        "can_merge": workflow.allowed(case.status, Status.MERGED),
        "can_refer": workflow.allowed(case.status, Status.REFERRED),
        "forms_with_errors": [f for f in bound.values() if getattr(f, "errors", None)],
        "segments": bound.get("segments"),
        "softphone": softphone_context(request),
    }
    return render(request, "desk/case.html", context, status=status)


@require_GET
@softphone_page  # the Twilio hosts the softphone needs, on this page only
@staff_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    if case.reference != reference:
        # One address per case: "100 000 013" or "100-000-013" typed into the URL.
        return redirect("desk:case", reference=case.reference)
    return _render_case(request, case)


def _refused(request, case, form_name: str, form, error) -> HttpResponse:
    form.add_error(None, str(error))
    status = 403 if isinstance(error, PermissionDenied) else 400
    return _render_case(request, case, status=status, **{form_name: form})


def _done(request, case: Case, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("desk:case", reference=case.reference)


@require_POST
@staff_required
def case_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    form = desk_forms.NoteForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, status=400, note_form=form)
    try:
        actions.add_note(request.user, case, form.cleaned_data["text"])
    except (PermissionDenied, ValueError) as error:
        return _refused(request, case, "note_form", form, error)
    return _done(request, case, _("Note added."))


@require_POST
@staff_required
def case_assign(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    if request.POST.get("to_me"):
        form = desk_forms.AssignForm({"assignee": request.user.pk}, case=case)
        form.fields["assignee"].queryset = get_user_model().objects.filter(pk=request.user.pk)
    else:
        form = desk_forms.AssignForm(request.POST, case=case)
    if not form.is_valid():
        return _render_case(request, case, status=400, assign_form=form)
    try:
        actions.assign(
            request.user,
            case,
            assignee=form.cleaned_data["assignee"],
            team=form.cleaned_data["team"],
        )
    except (PermissionDenied, ValueError) as error:
        return _refused(request, case, "assign_form", form, error)
    return _done(request, case, _("Assignment saved."))


@require_POST
@staff_required
def case_transfer(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    form = desk_forms.TransferForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, status=400, transfer_form=form)
    data = form.cleaned_data
    try:
        actions.transfer(
            request.user,
            case,
            team=data["team"],
            office=data["office"],
            council=data["council"],
            note=data["note"],
        )
    except (PermissionDenied, ValueError) as error:
        return _refused(request, case, "transfer_form", form, error)
    # After a transfer the user may no longer see the case: go back to the queue.
    messages.success(
        request, _("Case %(reference)s transferred.") % {"reference": case.display_reference}
    )
    if not permissions.can_view_case(request.user, case):
        return redirect("desk:queue")
    return redirect("desk:case", reference=case.reference)


@require_POST
@staff_required
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    form = desk_forms.StatusForm(request.POST, case=case)
    if not form.is_valid():
        return _render_case(request, case, status=400, status_form=form)
    try:
        actions.change_status(
            request.user, case, form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except (PermissionDenied, ValueError) as error:
        return _refused(request, case, "status_form", form, error)
    return _done(
        request,
        case,
        _("Status changed to %(status)s.") % {"status": Status(form.cleaned_data["status"]).label},
    )


@require_POST
@staff_required
def case_reply(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    form = desk_forms.ReplyForm(request.POST, request.FILES, case=case)
    if request.POST.get("action") == "check":
        # The no-JavaScript way to see the SMS length: re-render with the count, send nothing.
        body = (request.POST.get("body") or "").replace("\r\n", "\n")[:5000]
        initial = {
            "body": body,
            "channel": request.POST.get("channel"),
            "request_information": bool(request.POST.get("request_information")),
        }
        initial = {key: value for key, value in initial.items() if value}
        return _render_case(
            request,
            case,
            reply_form=desk_forms.ReplyForm(initial=initial, case=case),
            segments=_segment_info(case, body),
        )
    if not form.is_valid():
        return _render_case(request, case, status=400, reply_form=form)
    try:
        actions.reply(
            request.user,
            case,
            form.cleaned_data["body"],
            channel=form.cleaned_data["channel"],
            request_information=form.cleaned_data["request_information"],
            attachments=form.cleaned_data["attachments"],
        )
    except (PermissionDenied, ValueError) as error:
        return _refused(request, case, "reply_form", form, error)
    return _done(request, case, _("Reply queued to send."))


@require_POST
@staff_required
def case_merge(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    form = desk_forms.MergeForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, status=400, merge_form=form)
    into = (
        permissions.visible_cases(request.user).filter(reference=form.cleaned_data["into"]).first()
    )
    if into is None:
        form.add_error("into", _("There is no case with that reference that you can see"))
        return _render_case(request, case, status=400, merge_form=form)
    try:
        into = actions.merge_cases(request.user, case, into, note=form.cleaned_data["note"])
    except (PermissionDenied, ValueError) as error:
        return _refused(request, case, "merge_form", form, error)
    return _done(
        request,
        into,
        _("Case %(duplicate)s merged into this case.") % {"duplicate": case.display_reference},
    )


@require_POST
@staff_required
def case_refer(request: HttpRequest, reference: str) -> HttpResponse:
    case = _get_case(request.user, reference)
    form = desk_forms.ReferForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, status=400, refer_form=form)
    try:
        actions.refer(request.user, case, form.cleaned_data["body"], note=form.cleaned_data["note"])
    except (PermissionDenied, ValueError) as error:
        return _refused(request, case, "refer_form", form, error)
    return _done(
        request, case, _("Case referred to %(body)s.") % {"body": form.cleaned_data["body"]}
    )


@require_GET
@staff_required
def attachment(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """A file on a case, for staff who may see the case. Never served from MEDIA_URL."""
    case = _get_case(request.user, reference)
    item = get_object_or_404(Attachment, pk=pk, case=case)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("That file is missing.")) from error
    response = FileResponse(
        handle, as_attachment=True, filename=item.filename, content_type=item.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Residents -------------------------------------------------------------------------------


def _visible_residents(user):
    """Residents with a case the user may see, or with no case at all (a new contact).

    A resident whose only cases are restricted elsewhere stays hidden: even their existence
    tells something (that they are, say, a social-care client).
    """
    if permissions.sees_everything(user):
        return Resident.objects.all()
    visible = permissions.visible_cases(user).filter(resident_id=OuterRef("pk"))
    any_case = Case.objects.filter(resident_id=OuterRef("pk"))
    return Resident.objects.filter(Exists(visible) | ~Exists(any_case))


def _render_resident(request, resident: Resident, *, form=None, status: int = 200) -> HttpResponse:
    record_resident_view(request.user, resident)
    cases = list(
        permissions.visible_cases(request.user)
        .filter(resident=resident)
        .select_related("service", "team")
        .order_by("-created_at")[:100]
    )
    visible_ids = permissions.visible_cases(request.user).filter(resident=resident).values("pk")
    resident_messages = list(
        Message.objects.filter(resident=resident)
        .filter(Q(case__isnull=True) | Q(case__in=visible_ids))
        .select_related("case")
        .order_by("-created_at")[:50]
    )
    context = nav(request, "resident") | {
        "resident": resident,
        "cases": cases,
        "resident_messages": resident_messages,
        "merge_form": form or desk_forms.ResidentMergeForm(),
    }
    return render(request, "desk/resident.html", context, status=status)


@require_GET
@staff_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(
        _visible_residents(request.user).select_related("merged_into"), pk=pk
    )
    return _render_resident(request, resident)


@require_POST
@staff_required
def resident_merge(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(_visible_residents(request.user), pk=pk)
    form = desk_forms.ResidentMergeForm(request.POST)
    if not form.is_valid():
        return _render_resident(request, resident, form=form, status=400)
    into = _visible_residents(request.user).filter(pk=form.cleaned_data["into"]).first()
    if into is None:
        form.add_error("into", _("There is no resident record with that number that you can see"))
        return _render_resident(request, resident, form=form, status=400)
    try:
        into = actions.merge_residents(
            request.user, resident, into, reason=form.cleaned_data["reason"]
        )
    except (PermissionDenied, ValueError) as error:
        form.add_error(None, str(error))
        return _render_resident(
            request, resident, form=form, status=403 if isinstance(error, PermissionDenied) else 400
        )
    messages.success(request, _("Resident records merged."))
    return redirect("desk:resident", pk=into.pk)


# --- Supervisor ------------------------------------------------------------------------------


def _health(cases, group: tuple[str, ...]) -> list[dict]:
    now = timezone.now()
    return list(
        cases.values(*group)
        .annotate(
            open=Count("id"),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            at_risk=Count("id", filter=sla_condition(SlaState.AT_RISK, now)),
            breached=Count("id", filter=sla_condition(SlaState.BREACHED, now)),
            oldest=Min("created_at"),
        )
        .order_by(*group)
    )


@require_GET
@staff_required
def supervisor(request: HttpRequest) -> HttpResponse:
    """Queue health per office and per team: one aggregate query each."""
    if not permissions.is_supervisor(request.user):
        raise PermissionDenied(_("Queue health is for supervisors."))
    open_cases = permissions.visible_cases(request.user).filter(status__in=OPEN_STATUSES)
    context = nav(request, "supervisor") | {
        "offices": _health(open_cases, ("office_id", "office__name")),
        "teams": _health(open_cases, ("team_id", "team__name", "team__council__short_name")),
        "now": timezone.now(),
    }
    return render(request, "desk/supervisor.html", context)
