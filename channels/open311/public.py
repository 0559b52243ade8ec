"""What Open311 tells anyone about a case: its state, never the resident.

``GET requests`` answers without a key (FixMyStreet sends none on GETs), so everything here is
public: the reference, the service, the status, the delivering council, dates, and — for a
report that came in through Open311 — the point on the map the partner itself published. Never
a name, email, phone, address, postcode, description or answers (a council-tax case's
description is someone's life), never a restricted service. Every field written is in
``REQUEST_FIELDS`` / ``UPDATE_FIELDS``; tests compare answers against these lists.

Statuses follow mySociety's extension of Open311 (what FixMyStreet maps onto its own states);
the plain GeoReport status is ``open`` for a case still being worked and ``closed`` otherwise.
"""

import datetime

from django.db.models import Q, QuerySet

from services.models import (
    Case,
    Channel,
    Council,
    Direction,
    EventKind,
    Message,
    Status,
    TimelineEvent,
)
from services.models.cases import OPEN_STATUSES

REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "lat",
    "long",
)
UPDATE_FIELDS = (
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
)

EXTENDED_STATUS = {
    Status.RECEIVED: "OPEN",
    Status.OPEN: "INVESTIGATING",
    Status.IN_PROGRESS: "IN_PROGRESS",
    Status.WAITING: "IN_PROGRESS",
    Status.RESOLVED: "FIXED",
    Status.CLOSED: "CLOSED",
    Status.REFERRED: "NOT_COUNCILS_RESPONSIBILITY",
    Status.WITHDRAWN: "CLOSED",
    Status.MERGED: "DUPLICATE",
}
# What a status change says to the public when staff wrote nothing for the public.
STATUS_WORDS = {
    Status.RECEIVED: "Report received.",
    Status.OPEN: "The council is looking into this report.",
    Status.IN_PROGRESS: "Work on this report is in progress.",
    Status.WAITING: "Work on this report is in progress.",
    Status.RESOLVED: "The council has fixed this.",
    Status.CLOSED: "This report is closed.",
    Status.REFERRED: "This is for another organisation; the report has been passed on.",
    Status.WITHDRAWN: "This report was withdrawn.",
    Status.MERGED: "This is a duplicate of another report.",
}
MAX_PAGE = 200
MAX_UPDATES = 1000


def w3c(moment: datetime.datetime | None) -> str:
    """A W3C date-time in UTC, to the second (what FixMyStreet parses)."""
    if moment is None:
        return ""
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def basic_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def cases_for(council: Council) -> QuerySet[Case]:
    """Every case of ``council`` anyone may hear about: restricted services never."""
    return (
        Case.objects.filter(Q(responsible_council=council) | Q(delivering_council=council))
        .filter(service__restricted=False)
        .select_related("service", "delivering_council", "responsible_council")
    )


def is_public_event() -> Q:
    """A status change the resident was told about, or a note staff marked for the public."""
    return Q(kind=EventKind.STATUS, visible_to_resident=True) | Q(data__public=True)


def _public_notes(cases: list[Case]) -> dict[int, str]:
    notes: dict[int, str] = {}
    events = TimelineEvent.objects.filter(case__in=cases, data__public=True).order_by(
        "created_at", "pk"
    )
    for event in events.only("case_id", "body"):
        notes[event.case_id] = event.body
    return notes


def _points(cases: list[Case]) -> dict[int, tuple]:
    """Where each case reported through Open311 is on the map, as its partner published it."""
    points: dict[int, tuple] = {}
    messages = (
        Message.objects.filter(
            case__in=[c for c in cases if c.origin_channel == Channel.OPEN311],
            channel=Channel.OPEN311,
            direction=Direction.IN,
        )
        .order_by("-created_at", "-pk")
        .only("case_id", "metadata")
    )
    for message in messages:
        report = (message.metadata or {}).get("open311") or {}
        if report.get("lat") is not None and report.get("long") is not None:
            points[message.case_id] = (report["lat"], report["long"])
    return points


def request_items(cases: list[Case]) -> list[dict]:
    notes = _public_notes(cases)
    points = _points(cases)
    items = []
    for case in cases:
        council = case.delivering_council or case.responsible_council
        lat, long = points.get(case.pk, ("", ""))
        items.append(
            {
                "service_request_id": case.reference,
                "status": basic_status(case.status),
                "status_notes": notes.get(case.pk, ""),
                "service_name": case.service.name,
                "service_code": case.service.slug,
                "description": "",
                "agency_responsible": council.name if council else "",
                "service_notice": "",
                "requested_datetime": w3c(case.created_at),
                "updated_datetime": w3c(case.updated_at),
                "expected_datetime": w3c(case.due_at) if case.is_open else "",
                "lat": lat,
                "long": long,
            }
        )
    return items


def update_items(events: list[TimelineEvent]) -> list[dict]:
    items = []
    for event in events:
        if event.kind == EventKind.STATUS:
            status = (event.data or {}).get("to") or event.case.status
        else:
            status = event.case.status
        public = (event.data or {}).get("public")
        items.append(
            {
                "update_id": str(event.pk),
                "service_request_id": event.case.reference,
                "status": EXTENDED_STATUS.get(status, "OPEN"),
                "updated_datetime": w3c(event.created_at),
                # Staff's words only when they wrote them for the public; a status change's
                # own note may be meant for the resident alone.
                "description": event.body if public else STATUS_WORDS.get(status, ""),
                "media_url": "",
            }
        )
    return items
