"""Counter screens for staff under /desk/counter/: reception, the desk, serving a visitor,
assisted digital, receipts and the day's figures.

Thin views: every change goes through ``channels.counter.queue`` (the queue) or
``services.actions`` (cases). Every view is behind the desk's one gate
(``desk.gate.staff_required``); on top of it, an office that is not the user's is a 403 (the
office's existence is public: it is on the website); a ticket of another office is a 404.
"""

import functools
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from channels.counter import queue
from channels.counter.models import Desk, Ticket, TicketStatus
from desk.counter import forms as counter_forms
from desk.gate import staff_required
from desk.nav import nav
from services import actions, permissions
from services.actions import InboundAttachment, InboundMessage, ResidentDetails
from services.actions.messages import queue_message
from services.attachments import RESIDENT_FORM_TYPES, check_upload
from services.models import Channel, MessageTemplate, Office, Service


def counter_staff(view):
    """The desk's gate, then: staff who may manage the office in the URL (``queue.can_manage``)."""

    @staff_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, office: str, *args, **kwargs):
        office_obj = get_object_or_404(Office, slug=office, kind=Office.Kind.ONE_STOP_SHOP)
        if not queue.can_manage(request.user, office_obj):
            raise PermissionDenied(_("You can only manage the queue of your own office."))
        return view(request, office_obj, *args, **kwargs)

    return wrapper


def _ticket(office: Office, pk: int) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related("reason", "resident", "desk", "office"), pk=pk, office=office
    )


def _context(request: HttpRequest, office: Office, **extra) -> dict:
    return nav(request, "counter") | {
        "office": office,
        "can_see_figures": queue.can_see_figures(request.user, office),
        "my_desk": Desk.objects.filter(staffed_by=request.user, office=office).first(),
        **extra,
    }


# --- Choosing an office -----------------------------------------------------------------------


@require_GET
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the user's own office; a list for those who manage several."""
    offices = [
        o
        for o in Office.objects.filter(kind=Office.Kind.ONE_STOP_SHOP)
        if queue.can_manage(request.user, o)
    ]
    if len(offices) == 1:
        return redirect("counter:office", office=offices[0].slug)
    return render(
        request,
        "desk/counter/home.html",
        nav(request, "counter") | {"offices": offices},
    )


# --- Reception --------------------------------------------------------------------------------


@require_GET
@counter_staff
def office_view(request: HttpRequest, office: Office) -> HttpResponse:
    today = queue.local_now().date()
    waiting = list(
        queue.call_order(queue.waiting(office, today), timezone.now()).select_related("reason")
    )
    in_service = (
        Ticket.objects.filter(
            office=office, date=today, status__in=(TicketStatus.CALLED, TicketStatus.SERVING)
        )
        .select_related("desk", "reason", "served_by")
        .order_by("called_at")
    )
    return render(
        request,
        "desk/counter/office.html",
        _context(
            request,
            office,
            waiting=waiting,
            in_service=in_service,
            closed_reason=queue.closed_reason(office),
            expected_wait=queue.expected_wait(office),
            desk_form=counter_forms.DeskForm(office=office),
            desks=Desk.objects.filter(office=office, active=True).select_related("staffed_by"),
        ),
    )


@counter_staff
def issue(request: HttpRequest, office: Office) -> HttpResponse:
    """Reception: find the visitor (optional), choose the reason, issue the ticket."""
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q")) or ""
    search = counter_forms.ResidentSearchForm({"q": query} if query else None)
    status = 200
    if request.method == "POST":
        form = counter_forms.IssueTicketForm(
            request.POST, office=office, user=request.user, query=query
        )
        if form.is_valid():
            try:
                ticket = queue.issue_ticket(
                    request.user,
                    office,
                    reason=form.cleaned_data["reason"],
                    priority=form.cleaned_data["priority"],
                    resident=form.cleaned_data["resident"],
                )
            except queue.CounterError as error:
                form.add_error(None, str(error))
                status = 409
            else:
                return redirect("counter:ticket_issued", office=office.slug, pk=ticket.pk)
        else:
            status = 400
    else:
        form = counter_forms.IssueTicketForm(office=office, user=request.user, query=query)
    return render(
        request,
        "desk/counter/issue.html",
        _context(
            request,
            office,
            form=form,
            search=search,
            query=query,
            found=form.found,
            closed_reason=queue.closed_reason(office),
        ),
        status=status,
    )


@require_GET
@counter_staff
def ticket_issued(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    ticket = _ticket(office, pk)
    return render(
        request,
        "desk/counter/ticket_issued.html",
        _context(request, office, ticket=ticket, expected_wait=queue.expected_wait(office, ticket)),
    )


# --- The desk ---------------------------------------------------------------------------------


@require_POST
@counter_staff
def sign_on(request: HttpRequest, office: Office) -> HttpResponse:
    form = counter_forms.DeskForm(request.POST, office=office)
    if not form.is_valid():
        messages.error(request, _("Select your desk"))
        return redirect("counter:office", office=office.slug)
    desk = queue.sign_on(request.user, form.cleaned_data["desk"])
    messages.success(request, _("You are at %(desk)s.") % {"desk": desk})
    return redirect("counter:office", office=office.slug)


@require_POST
@counter_staff
def sign_off(request: HttpRequest, office: Office) -> HttpResponse:
    queue.sign_off(request.user)
    return redirect("counter:office", office=office.slug)


@require_POST
@counter_staff
def call_next(request: HttpRequest, office: Office) -> HttpResponse:
    desk = Desk.objects.filter(staffed_by=request.user, office=office).first()
    if desk is None:
        messages.error(request, _("Choose your desk before calling the next visitor."))
        return redirect("counter:office", office=office.slug)
    ticket = queue.call_next(request.user, desk)
    if ticket is None:
        messages.success(request, _("Nobody is waiting for your desk."))
        return redirect("counter:office", office=office.slug)
    return redirect("counter:serve", office=office.slug, pk=ticket.pk)


# --- Serving a visitor ------------------------------------------------------------------------


def _serve_context(request, office: Office, ticket: Ticket, **forms_) -> dict:
    user = request.user
    resident = ticket.resident
    cases = (
        permissions.visible_cases(user)
        .filter(resident=resident)
        .select_related("service")
        .order_by("-created_at")
        if resident
        else []
    )
    return _context(
        request,
        office,
        ticket=ticket,
        resident=resident,
        cases=cases,
        visit_cases=ticket.cases.filter(pk__in=permissions.visible_cases(user).values("pk")),
        transfer_form=forms_.get("transfer_form") or counter_forms.TransferForm(office=office),
        note_form=forms_.get("note_form")
        or counter_forms.NoteForm(user=user, resident=resident, prefix="note"),
        document_form=forms_.get("document_form")
        or counter_forms.DocumentForm(user=user, resident=resident, prefix="doc"),
        search=counter_forms.ResidentSearchForm(),
        apply_pages=_apply_pages(office),
    )


@require_GET
@counter_staff
def serve(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    ticket = _ticket(office, pk)
    return render(request, "desk/counter/serve.html", _serve_context(request, office, ticket))


_STEPS = {
    "recall": queue.recall,
    "start": queue.start_serving,
    "finish": queue.finish,
    "no_show": queue.no_show,
}


@require_POST
@counter_staff
def ticket_action(request: HttpRequest, office: Office, pk: int, step: str) -> HttpResponse:
    ticket = _ticket(office, pk)
    action = _STEPS.get(step)
    if action is None:
        raise Http404
    try:
        ticket = action(request.user, ticket)
    except queue.CounterError as error:
        messages.error(request, str(error))
        return redirect("counter:serve", office=office.slug, pk=ticket.pk)
    if ticket.status in (TicketStatus.SERVED, TicketStatus.NO_SHOW):
        messages.success(request, _("%(code)s is finished.") % {"code": ticket.code})
        return redirect("counter:office", office=office.slug)
    return redirect("counter:serve", office=office.slug, pk=ticket.pk)


@require_POST
@counter_staff
def transfer(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    ticket = _ticket(office, pk)
    form = counter_forms.TransferForm(request.POST, office=office)
    if form.is_valid():
        try:
            queue.transfer(
                request.user,
                ticket,
                desk=form.cleaned_data["desk"],
                to_user=form.cleaned_data["to_user"],
            )
        except queue.CounterError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(code)s is transferred.") % {"code": ticket.code})
            return redirect("counter:office", office=office.slug)
    return render(
        request,
        "desk/counter/serve.html",
        _serve_context(request, office, ticket, transfer_form=form),
        status=400,
    )


@require_POST
@counter_staff
def link_resident(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    """Link the visitor found by a search on the serve page."""
    ticket = _ticket(office, pk)
    query = request.POST.get("q", "")
    form = counter_forms.IssueTicketForm(
        {"resident": request.POST.get("resident", ""), "q": query},
        office=office,
        user=request.user,
        query=query,
    )
    # Only the resident field matters here.
    form.is_valid()
    resident = form.cleaned_data.get("resident") if "resident" not in form.errors else None
    if resident is None:
        messages.error(request, _("Select one of the residents found."))
    else:
        ticket = queue.link_resident(request.user, ticket, resident)
    return redirect("counter:serve", office=office.slug, pk=ticket.pk)


@require_GET
@counter_staff
def find_resident(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    ticket = _ticket(office, pk)
    query = request.GET.get("q", "")
    found = counter_forms.find_residents(request.user, query)
    return render(
        request,
        "desk/counter/find_resident.html",
        _context(request, office, ticket=ticket, query=query, found=found),
    )


@require_POST
@counter_staff
def add_note(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    ticket = _ticket(office, pk)
    form = counter_forms.NoteForm(
        request.POST, user=request.user, resident=ticket.resident, prefix="note"
    )
    if form.is_valid():
        case = form.cleaned_data["case"]
        actions.add_note(
            request.user, case, _("At the counter: %(note)s") % {"note": form.cleaned_data["note"]}
        )
        queue.link_case(request.user, ticket, case, raised=False)
        messages.success(request, _("Note added to %(ref)s.") % {"ref": case.display_reference})
        return redirect("counter:serve", office=office.slug, pk=ticket.pk)
    return render(
        request,
        "desk/counter/serve.html",
        _serve_context(request, office, ticket, note_form=form),
        status=400,
    )


@require_POST
@counter_staff
def attach_document(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    """A scanned document onto one of the visitor's cases, checked by its content."""
    ticket = _ticket(office, pk)
    form = counter_forms.DocumentForm(
        request.POST, request.FILES, user=request.user, resident=ticket.resident, prefix="doc"
    )
    if form.is_valid():
        case = form.cleaned_data["case"]
        content, content_type, filename = form.cleaned_data["document"]
        result = actions.intake(
            InboundMessage(
                channel=Channel.COUNTER,
                provider_id=f"counter-doc:{uuid.uuid4().hex}",
                body=_("Document scanned at the counter: %(name)s") % {"name": filename},
                resident=case.resident,
                case=case,
                attachments=[InboundAttachment(filename, content_type, content)],
                acknowledge=False,
                actor_label=_("Counter: %(user)s") % {"user": request.user.get_username()},
            )
        )
        queue.link_case(request.user, ticket, result.case or case, raised=False)
        messages.success(request, _("Document added to %(ref)s.") % {"ref": case.display_reference})
        return redirect("counter:serve", office=office.slug, pk=ticket.pk)
    return render(
        request,
        "desk/counter/serve.html",
        _serve_context(request, office, ticket, document_form=form),
        status=400,
    )


# --- Assisted digital -------------------------------------------------------------------------


def _apply_pages(office: Office) -> list:
    """Live apply-online pages for services this office offers (the residents' own forms)."""
    from portal.apply.models import ApplyPage  # noqa: PLC0415

    offered = set(office.services.values_list("pk", flat=True))
    pages = []
    for page in ApplyPage.objects.live().order_by("title"):
        service = page.get_service()
        if service is not None and service.active and (not offered or service.pk in offered):
            pages.append(page)
    return pages


def _resident_details(form) -> ResidentDetails:
    data = form.cleaned_data
    return ResidentDetails(
        name=data["name"],
        email=(data.get("email") or "").lower(),
        phone=data.get("phone", ""),
        postcode=(data.get("postcode") or "").upper(),
    )


@counter_staff
def assisted(request: HttpRequest, office: Office, pk: int, page_id: int) -> HttpResponse:
    """The apply-online form a resident would fill in, filled in with them at the counter.

    The questions come from the same ``ApplyPage`` (the editors' form builder) as on the
    website; the case is filed through ``services.actions.intake`` with channel "counter".
    The idempotency key is per form view: a double click files one case.
    """
    ticket = _ticket(office, pk)
    page = next((p for p in _apply_pages(office) if p.pk == page_id), None)
    if page is None:
        raise Http404
    page = page.specific
    form_class = page.step_form_class(page.get_form_fields())
    needs_details = ticket.resident is None
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        details = (
            counter_forms.VisitorDetailsForm(request.POST, prefix="visitor")
            if needs_details
            else None
        )
        key = request.POST.get("key", "")
        try:
            key = uuid.UUID(key).hex
        except ValueError:
            raise PermissionDenied(_("This form has expired. Start again.")) from None
        if form.is_valid() and (details is None or details.is_valid()):
            case = _file_assisted(request, office, ticket, page, form, details, key)
            if case is not None:
                return redirect("counter:receipt", office=office.slug, pk=ticket.pk)
        status = 400
    else:
        form = form_class()
        details = counter_forms.VisitorDetailsForm(prefix="visitor") if needs_details else None
        key = uuid.uuid4().hex
        status = 200
    return render(
        request,
        "desk/counter/assisted.html",
        _context(request, office, ticket=ticket, page=page, form=form, details=details, key=key),
        status=status,
    )


def _file_assisted(request, office, ticket, page, form, details, key):
    from portal.apply import fields as apply_fields  # noqa: PLC0415

    answers, lines, attachments = {}, [], []
    postcode = address = ""
    for field in page.get_form_fields():
        value = form.cleaned_data.get(field.clean_name)
        if field.field_type == "file":
            if value:
                accepted = check_upload(value, accept=RESIDENT_FORM_TYPES)
                attachments.append(
                    InboundAttachment(accepted.filename, accepted.content_type, accepted.content)
                )
                shown = accepted.filename
            else:
                shown = ""
        else:
            shown = apply_fields.display(field.field_type, apply_fields.to_json(value))
            if field.field_type == "postcode" and value and not postcode:
                postcode = str(value)
            if field.field_type == "address" and value and not address:
                address = str(value)
        answers[field.label] = shown
        lines.append(f"{field.label}: {shown}")
    resident_details = _resident_details(details) if details is not None else None
    result = actions.intake(
        InboundMessage(
            channel=Channel.COUNTER,
            provider_id=f"counter:{ticket.pk}:{key}",
            service=page.get_service(),
            resident=ticket.resident,
            resident_details=resident_details,
            body="\n".join(lines),
            answers=answers,
            attachments=attachments,
            summary=page.title,
            postcode=postcode or (ticket.resident.postcode if ticket.resident else ""),
            location=address or postcode,
            language=(ticket.resident.language if ticket.resident else "en") or "en",
            thread_to_open_case=False,
            actor_label=_("Counter: %(user)s") % {"user": request.user.get_username()},
        )
    )
    if result.case is None:
        return None
    if ticket.resident_id is None and result.resident is not None:
        ticket = queue.link_resident(request.user, ticket, result.resident)
    queue.link_case(request.user, ticket, result.case, raised=True)
    messages.success(request, _("Case %(ref)s raised.") % {"ref": result.case.display_reference})
    return result.case


@counter_staff
def simple_case(request: HttpRequest, office: Office, pk: int, service_id: int) -> HttpResponse:
    """Raise a case for a service with no apply-online page (``services.actions.open_case``)."""
    ticket = _ticket(office, pk)
    if ticket.resident is None:
        messages.error(request, _("Find or add the visitor first."))
        return redirect("counter:serve", office=office.slug, pk=ticket.pk)
    service = get_object_or_404(Service, pk=service_id, active=True)
    form = counter_forms.SimpleCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = actions.open_case(
            request.user,
            resident=ticket.resident,
            service=service,
            channel=Channel.COUNTER,
            summary=form.cleaned_data["summary"],
            description=form.cleaned_data["description"],
        )
        queue.link_case(request.user, ticket, case, raised=True)
        return redirect("counter:receipt", office=office.slug, pk=ticket.pk)
    return render(
        request,
        "desk/counter/simple_case.html",
        _context(request, office, ticket=ticket, service=service, form=form),
        status=400 if request.method == "POST" else 200,
    )


# --- Receipts ---------------------------------------------------------------------------------


@counter_staff
def receipt(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    """A printable receipt of the cases raised or updated during the visit; or by SMS/email."""
    ticket = _ticket(office, pk)
    cases = list(
        ticket.cases.filter(pk__in=permissions.visible_cases(request.user).values("pk"))
        .select_related("service", "delivering_council", "resident")
        .order_by("created_at")
    )
    form = counter_forms.ReceiptForm(
        request.POST or None, user=request.user, resident=ticket.resident
    )
    form.fields["case"].queryset = form.fields["case"].queryset.filter(pk__in=[c.pk for c in cases])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            message = queue_message(
                form.cleaned_data["case"],
                MessageTemplate.Kind.RECEIPT,
                channel=form.cleaned_data["channel"],
                created_by=request.user,
            )
            if message.status == "suppressed":
                messages.error(
                    request,
                    _("The receipt could not be sent: %(why)s.") % {"why": message.last_error},
                )
            else:
                messages.success(request, _("The receipt is on its way."))
            return redirect("counter:receipt", office=office.slug, pk=ticket.pk)
        status = 400
    return render(
        request,
        "desk/counter/receipt.html",
        _context(
            request,
            office,
            ticket=ticket,
            cases=cases,
            form=form,
            track_url=request.build_absolute_uri("/track/"),
        ),
        status=status,
    )


# --- Figures ----------------------------------------------------------------------------------


@require_GET
@counter_staff
def figures(request: HttpRequest, office: Office) -> HttpResponse:
    if not queue.can_see_figures(request.user, office):
        raise PermissionDenied(_("Figures are for supervisors."))
    try:
        day = parse_date((request.GET.get("date") or "")[:10])
    except ValueError:
        day = None
    day = day or queue.local_now().date()
    return render(
        request,
        "desk/counter/figures.html",
        _context(
            request,
            office,
            day=day,
            figures=queue.figures_for(office, day),
            recent_days=office.counter_days.order_by("-date")[:14],
        ),
    )
