"""What goes into a search document, computed once for every backend.

Both backends index exactly these values, so a behaviour tested on one holds on the other:
identifiers are stored normalised (phone E.164, email lower case, postcode "MK9 3EJ"), names
carry their misspelling keys, and the case text holds the words staff remember (summary,
description, form answers, and the messages and notes on its timeline).
"""

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch

from search.phonetics import name_keys
from services import postcodes
from services.models import Case, Message, Resident, TimelineEvent

MAX_BODY = 20_000
MAX_MESSAGES = 50


def _postcode(text: str) -> tuple[str, str]:
    try:
        code = postcodes.normalise(text)
    except postcodes.InvalidPostcode:
        return "", ""
    return code, code.split(" ")[0]


def _answers_text(answers: Any) -> list[str]:
    if isinstance(answers, dict):
        return [t for v in answers.values() for t in _answers_text(v)]
    if isinstance(answers, list):
        return [t for v in answers for t in _answers_text(v)]
    if isinstance(answers, str):
        return [answers]
    return []


def resident_fields(resident: Resident) -> dict[str, Any]:
    postcode, district = _postcode(resident.postcode)
    return {
        "resident_id": resident.pk,
        "name": resident.name[:200],
        "name_keys": " ".join(name_keys(resident.name)),
        "email": (resident.email or "").strip().lower(),
        "phone": resident.phone or "",
        "postcode": postcode,
        "district": district,
        "address": resident.address or "",
        "merged": resident.merged_into_id is not None,
    }


def case_queryset():
    """Cases with everything a document needs, in a handful of queries per batch."""
    return Case.objects.select_related("service", "resident").prefetch_related(
        Prefetch(
            "messages",
            queryset=Message.objects.only("id", "case_id", "subject", "body").order_by("-id"),
            to_attr="search_messages",
        ),
        Prefetch(
            "timeline",
            queryset=TimelineEvent.objects.exclude(body="").only("id", "case_id", "body"),
            to_attr="search_events",
        ),
    )


def resident_queryset():
    return Resident.objects.all()


def case_fields(case: Case) -> dict[str, Any]:
    resident = case.resident
    own_postcode, own_district = _postcode(case.postcode)
    resident_postcode, resident_district = _postcode(resident.postcode)
    messages = getattr(case, "search_messages", None)
    if messages is None:
        messages = list(case.messages.only("subject", "body").order_by("-id")[:MAX_MESSAGES])
    events = getattr(case, "search_events", None)
    if events is None:
        events = list(case.timeline.exclude(body="").only("body"))
    parts = [case.description, *_answers_text(case.answers)]
    parts += [f"{m.subject} {m.body}" for m in messages[:MAX_MESSAGES]]
    parts += [e.body for e in events]
    body = "\n".join(p for p in parts if p)[:MAX_BODY]
    service = case.service
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "resident_id": case.resident_id,
        "name": resident.name[:200],
        "name_keys": " ".join(name_keys(resident.name)),
        "email": (resident.email or "").strip().lower(),
        "phone": resident.phone or "",
        "postcode": own_postcode or resident_postcode,
        "district": own_district or resident_district,
        "resident_postcode": resident_postcode,
        "resident_district": resident_district,
        "address": "\n".join(p for p in (case.location, resident.address) if p),
        "service_name": service.name,
        "summary": case.summary,
        "body": body,
        "status": case.status,
        "created_at": case.created_at,
        "service_id": service.pk,
        "responsible_council_id": case.responsible_council_id,
        "delivering_council_id": case.delivering_council_id,
        "team_id": case.team_id,
        "delivering_team_id": service.delivering_team_id,
        "joint": service.joint,
        "restricted": service.restricted,
    }


def batched(iterable: Iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
