"""Track a case, reply to it, and (signed in) see every case, preferences and one's data.

Access to a case page is granted by the session, never by the URL: finding a case with its
reference and the contact given with it (or filing it in this session) adds it to
``request.session["portal-track"]``; a signed-in resident sees the cases of the resident
records their verified identifiers match (``portal.accounts``). Staff who can see the
case through ``services.permissions.visible_cases`` may open its files too.
"""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal import accounts as linking
from portal.apply import ratelimit, spam, uploads
from portal.languages import SESSION_KEY, remember_language
from portal.resident.forms import (
    ConfirmPhoneForm,
    PreferencesForm,
    ReplyForm,
    TrackForm,
    national,
)
from services import permissions
from services.actions import InboundAttachment, InboundMessage, intake, phones
from services.actions import residents as resident_actions
from services.models import Attachment, Case, Channel, Status

TRACK_SESSION = "portal-track"
# What a resident is told to expect, by status.
NEXT_STEPS = {
    Status.RECEIVED: gettext_lazy(
        "We have received your request. It will be looked at by the team."
    ),
    Status.OPEN: gettext_lazy("Your request is with the team that deals with it."),
    Status.IN_PROGRESS: gettext_lazy("We are working on your request."),
    Status.WAITING: gettext_lazy(
        "We need more information from you. Reply below to let us carry on."
    ),
    Status.RESOLVED: gettext_lazy("We have finished dealing with your request."),
    Status.CLOSED: gettext_lazy("This case is closed."),
    Status.REFERRED: gettext_lazy(
        "Your request has been passed to the organisation responsible for it."
    ),
    Status.WITHDRAWN: gettext_lazy("This request was withdrawn."),
    Status.MERGED: gettext_lazy("This request was joined with another case about the same thing."),
}


def _tracked_ids(request: HttpRequest) -> set[int]:
    return set(request.session.get(TRACK_SESSION, []))


def _may_see(request: HttpRequest, case: Case) -> bool:
    if case.pk in _tracked_ids(request):
        return True
    return (
        request.user.is_authenticated
        and linking.cases_for(request.user).filter(pk=case.pk).exists()
    )


def _find(reference: str, contact: dict) -> Case | None:
    condition = Q(reference=reference)
    if "email" in contact:
        condition &= Q(resident__email__iexact=contact["email"])
    else:
        condition &= Q(resident__phone=contact["phone"])
    return Case.objects.filter(condition).first()


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest) -> HttpResponse:
    problem = ""
    status = 200
    if request.method == "POST":
        form = TrackForm(request.POST)
        ip = ratelimit.client_ip(request)
        if spam.honeypot_filled(request):
            form = TrackForm()
            problem = _("We could not accept that form. Try again.")
            status = 400
        elif not ratelimit.allow("track_ip", ip):
            problem = _("Too many attempts. Wait 10 minutes and try again.")
            status = 429
        elif form.is_valid():
            reference = form.cleaned_data["reference"]
            if not ratelimit.allow("track_reference", reference):
                problem = _("Too many attempts. Wait 10 minutes and try again.")
                status = 429
            else:
                case = _find(reference, form.cleaned_data["contact"])
                if case is not None:
                    tracked = _tracked_ids(request)
                    tracked.add(case.pk)
                    request.session[TRACK_SESSION] = sorted(tracked)
                    return redirect("resident:case", reference=case.reference)
                # The same words whether or not the reference exists.
                problem = _(
                    "We could not find a case with that reference and contact detail. "
                    "Check both and try again."
                )
    else:
        form = TrackForm(initial={"reference": request.GET.get("reference", "")[:20]})
    return TemplateResponse(
        request,
        "resident/track.html",
        {"form": form, "problem": problem, "honeypot_field": spam.HONEYPOT_FIELD},
        status=status,
    )


def _case_for(request: HttpRequest, reference: str) -> Case:
    case = (
        Case.objects.select_related("service", "delivering_council", "responsible_council")
        .filter(reference=reference)
        .first()
    )
    if case is None or not _may_see(request, case):
        raise Http404
    return case


@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case_for(request, reference)
    reply_key_name = f"portal-reply:{case.pk}"
    form = None
    status = 200
    if case.status == Status.WAITING:
        if request.method == "POST":
            form = ReplyForm(request.POST, request.FILES)
            if spam.honeypot_filled(request):
                return TemplateResponse(request, "resident/rejected.html", status=400)
            if not ratelimit.allow("track_reply_ip", ratelimit.client_ip(request)):
                return TemplateResponse(request, "resident/rate_limited.html", status=429)
            if form.is_valid():
                key = request.session.get(reply_key_name) or uuid.uuid4().hex
                attachments = []
                document = form.cleaned_data.get("document")
                if document:
                    content, content_type = uploads.check_upload(document)
                    attachments.append(
                        InboundAttachment(
                            filename=uploads.display_name(document.name, content_type),
                            content_type=content_type,
                            content=content,
                        )
                    )
                result = intake(
                    InboundMessage(
                        channel=Channel.WEB,
                        provider_id=f"track-reply:{key}",
                        case=case,
                        resident=case.resident,
                        body=form.cleaned_data["body"],
                        attachments=attachments,
                        language=case.language,
                        actor_label="Resident (web)",
                    )
                )
                request.session[reply_key_name] = uuid.uuid4().hex
                if not result.duplicate:
                    messages.success(request, _("Thank you. We have your reply."))
                return redirect("resident:case", reference=case.reference)
            status = 400
        elif request.method == "GET":
            request.session.setdefault(reply_key_name, uuid.uuid4().hex)
            form = ReplyForm()
    elif request.method == "POST":
        return redirect("resident:case", reference=case.reference)
    events = list(case.timeline.filter(visible_to_resident=True))
    for event in events:
        target = event.data.get("to") if event.kind == "status" else None
        event.status_label = Status(target).label if target in Status.values else ""
    files = case.attachments.filter(visible_to_resident=True).order_by("created_at")
    return TemplateResponse(
        request,
        "resident/case.html",
        {
            "case": case,
            "events": events,
            "files": files,
            "next_step": NEXT_STEPS.get(case.status, ""),
            "form": form,
            "honeypot_field": spam.HONEYPOT_FIELD,
        },
        status=status,
    )


def attachment(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    """A case file, to the resident whose case it is or to staff who can see the case."""
    item = get_object_or_404(
        Attachment.objects.select_related("case"), pk=attachment_id, case__reference=reference
    )
    staff_may = permissions.can_view_case(request.user, item.case)
    if not staff_may and not (item.visible_to_resident and _may_see(request, item.case)):
        raise Http404
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.filename,
        content_type=item.content_type if item.content_type in uploads.ALLOWED_TYPES else None,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    linking.resident_for_user(request.user)
    cases = linking.cases_for(request.user)
    return TemplateResponse(
        request,
        "resident/my_cases.html",
        {"cases": cases, "phone_proven": bool(linking.proven_phones(request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_preferences(request: HttpRequest) -> HttpResponse:
    resident = linking.resident_for_user(request.user)
    if resident is None:
        messages.info(request, _("Verify your email address to manage your details."))
        return redirect("resident:my_cases")
    status = 200
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            phone = form.cleaned_data["phone"]
            next_page = "resident:my_preferences"
            if phone and phone != resident.phone:
                # A new number is only pending until its code comes back; nothing else is
                # saved when no code could be sent, so the resident loses nothing they typed.
                try:
                    phones.send_phone_code(
                        request.user, phone, language=form.cleaned_data["language"]
                    )
                except phones.PhoneCodeRefused:
                    form.add_error("phone", TOO_MANY_CODES)
                    status = 429
                else:
                    next_page = "resident:confirm_phone"
            elif not phone and resident.phone:
                phones.remove_phone(request.user)
                messages.info(
                    request,
                    _("We have removed your mobile number. Cases from it no longer show here."),
                )
            if status == 200:
                update_preferences(request.user, form.cleaned_data)
                messages.success(request, _("Your contact preferences have been saved."))
                response = redirect(next_page)
                # One language for the site and for what we send: the pages follow the choice.
                remember_language(response, form.cleaned_data["language"])
                request.session[SESSION_KEY] = form.cleaned_data["language"]
                return response
    else:
        form = PreferencesForm(
            initial={
                "preferred_channel": resident.preferred_channel,
                "consent_email": resident.consent_email,
                "consent_sms": resident.consent_sms,
                "phone": resident.phone,
                "language": resident.language,
            }
        )
    resident.refresh_from_db()
    proof = phones.pending_proof(request.user)
    return TemplateResponse(
        request,
        "resident/preferences.html",
        {
            "form": form,
            "resident": resident,
            "phone_display": national(resident.phone) if resident.phone else "",
            "pending_phone": national(proof.phone) if proof else "",
        },
        status=status,
    )


def update_preferences(user, data: dict) -> None:
    """The resident's own choices, on every record that is theirs — those of a proven number
    too, so texts and calls from it follow them."""
    resident_actions.update_preferences(
        linking.residents_for(user),
        preferred_channel=data["preferred_channel"],
        consent_email=data["consent_email"],
        consent_sms=data["consent_sms"],
        language=data["language"],
    )


TOO_MANY_CODES = gettext_lazy(
    "You have asked for too many codes. Wait an hour and try again, or call us."
)


@login_required
@require_http_methods(["GET", "POST"])
def confirm_phone(request: HttpRequest) -> HttpResponse:
    """Type back the code we texted: the number becomes the account's and its cases show."""
    proof = phones.pending_proof(request.user)
    if proof is None:
        messages.info(request, _("Enter your mobile number and we will text you a code."))
        return redirect("resident:my_preferences")
    status = 200
    form = ConfirmPhoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = phones.confirm_phone(request.user, form.cleaned_data["code"])
        if result.outcome == phones.ProofOutcome.PROVEN:
            messages.success(
                request,
                _(
                    "Your mobile number %(phone)s is confirmed. Cases from it now show "
                    "in your cases."
                )
                % {"phone": national(result.phone)},
            )
            return redirect("resident:my_cases")
        if result.outcome == phones.ProofOutcome.SLOW_DOWN:
            status = 429
        form.add_error("code", _proof_problem(result))
        proof = phones.pending_proof(request.user) or proof
    now = timezone.now()
    return TemplateResponse(
        request,
        "resident/confirm_phone.html",
        {
            "form": form,
            "phone_display": national(proof.phone),
            "code_live": proof.is_live(now),
            "minutes": int(phones.CODE_LIFETIME.total_seconds() // 60),
        },
        status=status,
    )


def _proof_problem(result: phones.ProofResult) -> str:
    outcome = result.outcome
    if outcome == phones.ProofOutcome.WRONG:
        return ngettext(
            "That code is not right. Check the text message: you can try %(count)d more time.",
            "That code is not right. Check the text message: you can try %(count)d more times.",
            result.tries_left,
        ) % {"count": result.tries_left}
    if outcome == phones.ProofOutcome.EXPIRED:
        return _("That code has expired. Ask for a new code.")
    if outcome == phones.ProofOutcome.TOO_MANY_TRIES:
        return _("You have entered a wrong code too many times. Ask for a new code.")
    if outcome == phones.ProofOutcome.SLOW_DOWN:
        return _("Too many attempts. Wait an hour and try again.")
    return _("That code can no longer be used. Ask for a new code.")


@login_required
@require_POST
def send_phone_code(request: HttpRequest) -> HttpResponse:
    """A new code: to the number waiting for proof, or to the account's unconfirmed number."""
    proof = phones.pending_proof(request.user)
    own = linking.resident_for_user(request.user)
    if proof is not None:
        phone = proof.phone
    elif own is not None and own.phone and not own.phone_verified:
        phone = own.phone
    else:
        return redirect("resident:my_preferences")
    try:
        phones.send_phone_code(
            request.user, phone, language=own.language if own else request.LANGUAGE_CODE
        )
    except phones.PhoneCodeRefused:
        messages.error(request, TOO_MANY_CODES)
        return redirect("resident:confirm_phone" if proof else "resident:my_preferences")
    messages.info(
        request, _("We have texted a new code to %(phone)s.") % {"phone": national(phone)}
    )
    return redirect("resident:confirm_phone")


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Everything we hold about the resident that they may see, as JSON (subject access)."""
    residents = list(linking.residents_for(request.user))
    cases = list(linking.cases_for(request.user).prefetch_related("timeline", "attachments"))
    data = {
        "generated_at": timezone.now(),
        "account": {"email": request.user.email},
        "resident_records": [
            {
                field: getattr(r, field)
                for field in (
                    "id",
                    "name",
                    "email",
                    "email_verified",
                    "phone",
                    "phone_verified",
                    "address",
                    "postcode",
                    "preferred_channel",
                    "language",
                    "consent_sms",
                    "consent_email",
                    "accessibility_needs",
                    "created_at",
                )
            }
            for r in residents
        ],
        "cases": [
            {
                "reference": c.reference,
                "service": c.service.name,
                "status": c.status,
                "summary": c.summary,
                "description": c.description,
                "answers": c.answers,
                "postcode": c.postcode,
                "location": c.location,
                "created_at": c.created_at,
                "due_at": c.due_at,
                "events": [
                    {
                        "at": e.created_at,
                        "kind": e.kind,
                        "channel": e.channel,
                        "body": e.body,
                    }
                    for e in c.timeline.all()
                    if e.visible_to_resident
                ],
                "files": [
                    {"filename": a.filename, "content_type": a.content_type, "size": a.size}
                    for a in c.attachments.all()
                    if a.visible_to_resident
                ],
            }
            for c in cases
        ],
        "messages": [
            {
                "at": m.created_at,
                "channel": m.channel,
                "direction": m.direction,
                "from": m.sender,
                "to": m.recipient,
                "subject": m.subject,
                "body": m.body,
                "status": m.status,
                "case": m.case.reference if m.case_id else None,
            }
            for m in linking.messages_for(request.user).select_related("case")
        ],
    }
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response
