"""The steps of an application (GOV.UK's question pages → check answers → confirmation).

Views are thin: the step state is ``portal.apply.flow``, filing the case is
``portal.apply.submit`` (which calls ``services.actions.intake``). Every POST is CSRF-checked
by Django's middleware, every form carries the honeypot, and the final submission is rate
limited per address and held to a minimum fill time.
"""

import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.apply import flow, ratelimit, spam, uploads
from portal.apply import resume as resume_links
from portal.apply.fields import to_json
from portal.apply.forms import ContactForm, CouncilForm, SaveForm
from portal.apply.submit import submit
from services import postcodes
from services.actions.signposts import record_signpost
from services.reference import format_reference
from services.routing import Outcome

if TYPE_CHECKING:  # the page imports these views; views reach the page through its methods
    from portal.apply.models import ApplyPage


def _render(request, page, template, context=None, status=200) -> TemplateResponse:
    base = page.get_context(request)
    base.update(context or {})
    base["page"] = page
    base["honeypot_field"] = spam.HONEYPOT_FIELD
    return TemplateResponse(request, template, base, status=status)


def _rejected(request, page) -> TemplateResponse:
    return _render(request, page, "apply/rejected.html", status=400)


def _redirect_if_submitted(page, state) -> HttpResponse | None:
    if state.get("submitted"):
        return HttpResponseRedirect(page.url + page.reverse_subpage("confirmation"))
    return None


def start(request: HttpRequest, page: "ApplyPage") -> HttpResponse:
    """The start page. Starting again after a submission begins a fresh application."""
    state = flow.load(request, page)
    if request.method == "POST":
        if spam.honeypot_filled(request):
            return _rejected(request, page)
        saved = page.saved_for(request.user)
        if request.POST.get("action") == "continue" and saved is not None:
            state = flow.restore(request, page, saved.state)
            return HttpResponseRedirect(flow.next_url(page, state))
        if state.get("submitted") or request.POST.get("action") == "restart":
            flow.clear(request, page)
            state = flow.load(request, page)
        flow.mark_started(state)
        flow.save(request, page, state)
        return HttpResponseRedirect(flow.next_url(page, state))
    return _render(
        request,
        page,
        "apply/apply_page.html",
        {
            "service": page.get_service(),
            "in_progress": bool(state.get("done")) and not state.get("submitted"),
            "saved": page.saved_for(request.user),
        },
    )


def question(request: HttpRequest, page: "ApplyPage", number: int) -> HttpResponse:
    state = flow.load(request, page)
    if (done := _redirect_if_submitted(page, state)) is not None:
        return done
    steps = page.steps()
    if not 1 <= number <= len(steps):
        raise Http404
    earlier_missing = [n for n in range(1, number) if n not in state["done"]]
    if earlier_missing:
        return HttpResponseRedirect(flow.next_url(page, state))
    fields = steps[number - 1]
    form_class = page.step_form_class(fields)
    kept_files = flow.pending_files(state)
    initial = {
        f.clean_name: state["answers"][f.clean_name]
        for f in fields
        if f.clean_name in state["answers"] and f.field_type != "file"
    }
    changing = request.GET.get("change") == "1"

    if request.method == "POST":
        if spam.honeypot_filled(request):
            return _rejected(request, page)
        form = form_class(request.POST, request.FILES, page=page, user=request.user)
        for name in kept_files:
            if name in form.fields:
                form.fields[name].required = False
        if form.is_valid():
            district_before = _district(flow.postcode(page, state))
            for field in fields:
                value = form.cleaned_data.get(field.clean_name)
                if field.field_type == "file":
                    if value:
                        old = kept_files.get(field.clean_name)
                        state["answers"][field.clean_name] = uploads.store_pending(value).as_dict()
                        if old is not None:
                            old.delete()
                    continue
                state["answers"][field.clean_name] = to_json(value)
            if number not in state["done"]:
                state["done"].append(number)
            if _district(flow.postcode(page, state)) != district_before:
                state["council"] = None  # a council chosen for the old postcode
            flow.mark_started(state)
            flow.save(request, page, state)
            if request.POST.get("action") == "save":
                return HttpResponseRedirect(page.url + page.reverse_subpage("save_for_later"))
            if number == 1 and (after_where := _after_where(page, state)):
                return HttpResponseRedirect(after_where)
            if number < len(steps) and not changing:
                target = page.url + page.reverse_subpage("question", kwargs={"number": number + 1})
            else:
                target = flow.next_url(page, state)
            return HttpResponseRedirect(target)
    else:
        flow.mark_started(state)
        flow.save(request, page, state)
        form = form_class(initial=initial, page=page, user=request.user)

    return _render(
        request,
        page,
        "apply/question.html",
        {
            "form": form,
            "number": number,
            "total": len(steps),
            "single": len(fields) == 1,
            "kept_files": {name: kept_files[name] for name in form.fields if name in kept_files},
            "back_url": (
                page.url + page.reverse_subpage("check")
                if changing
                else page.url
                + (
                    page.reverse_subpage("question", kwargs={"number": number - 1})
                    if number > 1
                    else ""
                )
            ),
            "multipart": any(f.field_type == "file" for f in fields),
        },
    )


def _district(postcode: str) -> str:
    try:
        return postcodes.district(postcode) if postcode else ""
    except postcodes.InvalidPostcode:
        return ""


def _after_where(page, state: dict) -> str | None:
    """Route after the first page: count a resident sent away, say where to go next."""
    where = flow.where_for(page, state)
    if where is not None:
        record_signpost(f"web:{state['key']}", where)
    return flow.where_next(page, state, where)


def elsewhere(request: HttpRequest, page: "ApplyPage") -> HttpResponse:
    """This page's council cannot take it: move to the other council's page of the same
    service (answers kept), or say who can — the body's name, website and phone."""
    state = flow.load(request, page)
    if (done := _redirect_if_submitted(page, state)) is not None:
        return done
    where = flow.where_for(page, state)
    if where is not None and where.outcome == Outcome.MOVE:
        target_page = page.apply_page_for(where.target) if where.target else None
        if target_page is not None:
            target_page = target_page.specific
            moved = flow.move(page, state, target_page, flow.load(request, target_page))
            flow.save(request, target_page, moved)
            messages.info(
                request,
                _(
                    "%(council)s deals with this at %(postcode)s, so you are now on its form. "
                    "Your answers have come with you."
                )
                % {"council": where.council.name, "postcode": where.postcode},
            )
            return HttpResponseRedirect(flow.next_url(target_page, moved))
    if where is not None and (where.sends_away or where.outcome == Outcome.MOVE):
        return _render(
            request,
            page,
            "apply/elsewhere.html",
            {
                "where": where,
                "service": page.get_service(),
                "postcode": where.postcode,
                "body": where.body,
                "council": where.council,
                "target_pages": _service_pages(where.targets),
                "change_url": _change_postcode_url(page),
            },
        )
    route = flow.route_for(page, state)
    if not flow.cannot_accept(route):
        return HttpResponseRedirect(flow.next_url(page, state))
    service = page.get_service()
    other_pages = []
    if route.area and route.area.councils and not route.is_referral:
        other_pages = list(
            _service_page_model()
            .objects.live()
            .filter(
                service__group=service.group,
                service__responsible_council__in=route.area.councils,
                service__active=True,
            )
            .exclude(service=service)
        )
    bodies = [route.referral_body] if route.referral_body else list(service.referral_bodies.all())
    return _render(
        request,
        page,
        "apply/elsewhere.html",
        {
            "route": route,
            "service": service,
            "postcode": flow.postcode(page, state),
            "referral_bodies": bodies if route.is_referral or service.is_referral else [],
            "other_pages": other_pages,
            "area_councils": route.area.councils if route.area else [],
            "change_url": _change_postcode_url(page),
        },
    )


def _service_page_model():
    from portal.pages.models import ServicePage  # the service pages sit above the apply pages

    return ServicePage


def _service_pages(services) -> list:
    """The live service pages of ``services``, in the order given (for links)."""
    pages = {
        p.service_id: p
        for p in _service_page_model().objects.live().filter(service__in=list(services))
    }
    return [(service, pages.get(service.pk)) for service in services]


def _change_postcode_url(page) -> str:
    for number, step in enumerate(page.steps(), start=1):
        if any(f.field_type == "postcode" for f in step):
            return page.url + page.reverse_subpage("question", kwargs={"number": number})
    return page.url


def choose_council(request: HttpRequest, page: "ApplyPage") -> HttpResponse:
    state = flow.load(request, page)
    if (done := _redirect_if_submitted(page, state)) is not None:
        return done
    route = flow.route_for(page, state)
    if route is None or route.area is None or not route.area.straddles:
        return HttpResponseRedirect(flow.next_url(page, state))
    councils = route.area.councils
    if request.method == "POST":
        if spam.honeypot_filled(request):
            return _rejected(request, page)
        form = CouncilForm(request.POST, councils=councils)
        if form.is_valid():
            state["council"] = form.cleaned_data["council"]
            flow.save(request, page, state)
            if after_where := _after_where(page, state):
                return HttpResponseRedirect(after_where)
            return HttpResponseRedirect(flow.next_url(page, state))
    else:
        form = CouncilForm(initial={"council": state.get("council")}, councils=councils)
    return _render(
        request,
        page,
        "apply/council.html",
        {
            "form": form,
            "postcode": flow.postcode(page, state),
            "back_url": page.url + page.reverse_subpage("question", kwargs={"number": 1}),
        },
    )


def contact(request: HttpRequest, page: "ApplyPage") -> HttpResponse:
    state = flow.load(request, page)
    if (done := _redirect_if_submitted(page, state)) is not None:
        return done
    if request.method == "POST":
        if spam.honeypot_filled(request):
            return _rejected(request, page)
        form = ContactForm(request.POST)
        if form.is_valid():
            state["contact"] = form.cleaned_data
            flow.save(request, page, state)
            if request.POST.get("action") == "save":
                return HttpResponseRedirect(page.url + page.reverse_subpage("save_for_later"))
            return HttpResponseRedirect(flow.next_url(page, state))
    else:
        initial = state.get("contact") or {"language": get_language() or "en"}
        if not state.get("contact") and request.user.is_authenticated:
            initial["email"] = request.user.email
        form = ContactForm(initial=initial)
    return _render(request, page, "apply/contact.html", {"form": form})


def check(request: HttpRequest, page: "ApplyPage") -> HttpResponse:
    state = flow.load(request, page)
    if (done := _redirect_if_submitted(page, state)) is not None:
        return done
    target = flow.next_url(page, state)
    if not target.endswith(page.reverse_subpage("check")):
        return HttpResponseRedirect(target)
    problem = ""
    if request.method == "POST":
        if spam.honeypot_filled(request):
            return _rejected(request, page)
        if spam.too_fast(state.get("started")):
            problem = _("Check your answers, then send your application again.")
            flow.mark_started(state)
            flow.save(request, page, state)
        elif not ratelimit.allow("apply_submit_ip", ratelimit.client_ip(request)):
            return _render(request, page, "apply/rate_limited.html", status=429)
        else:
            result = submit(page, state, request.user)
            state["submitted"] = result.case.reference
            flow.save(request, page, state)
            page.forget_for(request.user)
            return HttpResponseRedirect(page.url + page.reverse_subpage("confirmation"))
    contact = state.get("contact") or {}
    return _render(
        request,
        page,
        "apply/check.html",
        {
            "answers": flow.answers_for_display(page, state),
            "contact": contact,
            "updates_label": dict(ContactForm.base_fields["updates"].choices).get(
                contact.get("updates"), ""
            ),
            "language_label": dict(ContactForm.base_fields["language"].choices).get(
                contact.get("language"), ""
            ),
            "council": flow.chosen_council(state),
            "problem": problem,
        },
    )


def confirmation(request: HttpRequest, page: "ApplyPage") -> HttpResponse:
    state = flow.load(request, page)
    reference = state.get("submitted")
    if not reference:
        return HttpResponseRedirect(page.url)
    from services.models import Case

    case = Case.objects.select_related("service", "delivering_council").get(reference=reference)
    # The resident just filed this case: they may see it on /track/ without typing it in.
    tracked = set(request.session.get("portal-track", []))
    tracked.add(case.pk)
    request.session["portal-track"] = sorted(tracked)
    return _render(
        request,
        page,
        "apply/confirmation.html",
        {
            "case": case,
            "display_reference": format_reference(case.reference),
            "contact": state.get("contact") or {},
        },
    )


def save_for_later(request: HttpRequest, page: "ApplyPage") -> HttpResponse:
    """Keep a half-finished application: on the account, or behind an emailed link."""
    state = flow.load(request, page)
    if (done := _redirect_if_submitted(page, state)) is not None:
        return done
    if request.user.is_authenticated:
        page.keep_for(request.user, state)
        return _render(request, page, "apply/saved.html", {"signed_in": True})
    if request.method == "POST":
        if spam.honeypot_filled(request):
            return _rejected(request, page)
        form = SaveForm(request.POST)
        if form.is_valid():
            if not ratelimit.allow("save_link_ip", ratelimit.client_ip(request)):
                return _render(request, page, "apply/rate_limited.html", status=429)
            page.keep_for_email(form.cleaned_data["email"], state, get_language() or "en")
            return _render(
                request,
                page,
                "apply/saved.html",
                {"email": form.cleaned_data["email"], "days": resume_links.max_age() // 86400},
            )
    else:
        email = (state.get("contact") or {}).get("email", "")
        form = SaveForm(initial={"email": email})
    return _render(request, page, "apply/save.html", {"form": form})


def resume(request: HttpRequest, page: "ApplyPage", token: str) -> HttpResponse:
    key = resume_links.read_token(token)
    try:
        key = uuid.UUID(key) if key else None
    except ValueError:
        key = None
    saved = page.saved_by_key(key) if key else None
    if saved is None:
        return _render(request, page, "apply/resume_expired.html", status=410)
    state = flow.restore(request, page, saved.state)
    messages.info(request, _("Welcome back. Your answers have been restored."))
    return HttpResponseRedirect(flow.next_url(page, state))
