"""Where a resident is in an application: the step state, kept in their session.

Nothing the resident could tamper with carries state between pages — no hidden fields with
answers, no file paths in the form. The session holds, per apply page::

    key        random; the intake idempotency key (a double POST or back-and-resubmit
               makes one case)
    started    when the first question was shown (the minimum-fill-time check)
    answers    {field clean name: JSON value}; a file answer is a ``PendingFile`` dict
    done       question steps completed
    council    the council the resident chose, for a postcode on a boundary
    moved_from the title of the other council's page the answers came from (see ``move``)
    contact    name, email, phone, how they want updates, language
    submitted  the case reference once intake accepted it
"""

import time
import uuid
from dataclasses import dataclass

from django.http import HttpRequest

from portal.apply import fields as apply_fields
from portal.apply.uploads import PendingFile
from services import routing
from services.models import Council
from services.routing import Outcome, Route, Where

SESSION_PREFIX = "portal-apply:"


def new_state() -> dict:
    return {
        "key": uuid.uuid4().hex,
        "started": None,
        "answers": {},
        "done": [],
        "council": None,
        "contact": None,
        "submitted": None,
    }


def load(request: HttpRequest, page) -> dict:
    state = request.session.get(f"{SESSION_PREFIX}{page.pk}")
    if not isinstance(state, dict) or "key" not in state:
        state = new_state()
    return state


def save(request: HttpRequest, page, state: dict) -> None:
    request.session[f"{SESSION_PREFIX}{page.pk}"] = state


def clear(request: HttpRequest, page) -> None:
    request.session.pop(f"{SESSION_PREFIX}{page.pk}", None)


def restore(request: HttpRequest, page, saved: dict) -> dict:
    """A saved application back into the session, with a fresh idempotency key if needed."""
    state = new_state()
    for name in ("answers", "done", "council", "contact", "started"):
        if name in saved:
            state[name] = saved[name]
    if not isinstance(state["answers"], dict):
        state["answers"] = {}
    state["done"] = [n for n in state.get("done") or [] if isinstance(n, int)]
    state["started"] = state["started"] or time.time()
    save(request, page, state)
    return state


def mark_started(state: dict) -> None:
    if not state.get("started"):
        state["started"] = time.time()


def pending_files(state: dict) -> dict[str, PendingFile]:
    files = {}
    for name, value in (state.get("answers") or {}).items():
        if isinstance(value, dict):
            pending = PendingFile.from_dict(value)
            if pending is not None:
                files[name] = pending
    return files


def field_types(page) -> dict[str, str]:
    return {f.clean_name: f.field_type for f in page.get_form_fields()}


def first_answer_of_type(page, state: dict, field_type: str) -> str:
    answers = state.get("answers") or {}
    for field in page.get_form_fields():
        if field.field_type == field_type and answers.get(field.clean_name):
            return str(answers[field.clean_name])
    return ""


def postcode(page, state: dict) -> str:
    return first_answer_of_type(page, state, "postcode")


def chosen_council(state: dict) -> Council | None:
    if not state.get("council"):
        return None
    return Council.objects.filter(pk=state["council"]).first()


def route_for(page, state: dict) -> Route | None:
    service = page.get_service()
    if service is None:
        return None
    return routing.route(service, postcode=postcode(page, state), council=chosen_council(state))


def where_for(page, state: dict) -> Where | None:
    """Who answers this page's service at the postcode given on its first page, or None when
    the page asks no postcode or it has not been answered yet (``services.routing.where``)."""
    service = page.get_service()
    if service is None or not page.asks_where() or 1 not in (state.get("done") or []):
        return None
    return routing.where(
        service,
        postcode=postcode(page, state),
        text=first_answer_of_type(page, state, "address"),
        council=chosen_council(state),
    )


def where_next(page, state: dict, where: Where | None) -> str | None:
    """Where the journey goes after the first page when ``where`` is not "carry on here"."""
    if where is None or where.outcome in (Outcome.SERVE, Outcome.UNKNOWN):
        return None
    if where.outcome == Outcome.ASK:
        return page.url + page.reverse_subpage("council")
    return page.url + page.reverse_subpage("elsewhere")


def move(page, state: dict, target_page, existing: dict | None = None) -> dict:
    """Carry an application over to the other council's page of the same service.

    Every answer goes to the target's question of the same name, else to its only question of
    the same type (postcode, address, email, phone); the contact details, the chosen council
    and the start time go as they are. A target step whose questions are all answered counts
    as done, so the resident continues at the first question they have not answered. What
    they already typed on the target page (``existing``, coming back the same way twice) is
    kept, under what they brought this time.
    """
    source_types = field_types(page)
    target_fields = list(target_page.get_form_fields())
    by_name = {f.clean_name: f for f in target_fields}
    by_type: dict[str, list] = {}
    for f in target_fields:
        by_type.setdefault(f.field_type, []).append(f)
    answers = {}
    for name, value in (state.get("answers") or {}).items():
        target = by_name.get(name)
        kind = source_types.get(name)
        if target is None and len(by_type.get(kind, [])) == 1:
            target = by_type[kind][0]
        if target is not None and target.field_type == kind and target.clean_name not in answers:
            answers[target.clean_name] = value
    moved = new_state()
    if existing and not existing.get("submitted"):
        moved["key"] = existing.get("key") or moved["key"]
        answers = {**(existing.get("answers") or {}), **answers}
    moved.update(
        answers=answers,
        contact=state.get("contact"),
        council=state.get("council"),
        started=state.get("started") or time.time(),
        moved_from=page.title,
    )
    for number, step in enumerate(target_page.steps(), start=1):
        if all(f.clean_name in answers or not f.required for f in step) and any(
            f.clean_name in answers for f in step
        ):
            moved["done"].append(number)
    return moved


def cannot_accept(route: Route | None) -> bool:
    """A case nobody here can work: another body's service, or a postcode outside its area."""
    return route is not None and (route.is_referral or route.outside_responsible_area)


@dataclass
class Answer:
    label: str
    value: str
    step: int
    field_id: str


def answers_for_display(page, state: dict) -> list[Answer]:
    answers = state.get("answers") or {}
    rows = []
    for number, step in enumerate(page.steps(), start=1):
        for field in step:
            value = answers.get(field.clean_name)
            rows.append(
                Answer(
                    label=field.label,
                    value=apply_fields.display(field.field_type, value),
                    step=number,
                    field_id=f"id_{field.clean_name}"
                    + ("_0" if field.field_type == "date" else ""),
                )
            )
    return rows


def next_url(page, state: dict) -> str:
    """The first thing still to do, in order: where (the first page, then the council for a
    straddling postcode, or elsewhere), the other questions, contact, check."""
    steps = page.steps()
    done = state.get("done", [])
    if steps and 1 in done and (after_where := where_next(page, state, where_for(page, state))):
        return after_where
    for number in range(1, len(steps) + 1):
        if number not in done:
            return page.url + page.reverse_subpage("question", kwargs={"number": number})
    route = route_for(page, state)
    if cannot_accept(route):
        return page.url + page.reverse_subpage("elsewhere")
    if route is not None and route.needs_council_choice and not state.get("council"):
        return page.url + page.reverse_subpage("council")
    if not state.get("contact"):
        return page.url + page.reverse_subpage("contact")
    return page.url + page.reverse_subpage("check")
