"""Reports and residents' updates from partners, into the one intake.

``POST requests`` becomes an ``InboundMessage`` on the ``open311`` channel and goes through
``services.actions.intake`` like a text or an email: the resident is who the partner says
(a new record each time, as for a web form — a partner's unverified email address never
attaches a report to someone else's record), the case is routed for the jurisdiction, and the
partner is named as the actor on the timeline. Everything is checked *before* intake, so a bad
report is refused whole with a clear error and nothing is half-created.

A repeated report — the same partner and the partner's own id (``attribute[fixmystreet_id]``)
— is the same ``Message`` (``channel``, ``provider_id`` is unique), so intake finds the first
and returns its case: a retry, even ten at once, never opens a second. The same holds for
``POST servicerequestupdates`` on the partner's ``update_id``.

Pictures (``media_url``) are fetched later by ``channels.open311.tasks.fetch_media``; files
uploaded with the form are judged now by the one attachment policy.
"""

import datetime
import decimal
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.http import QueryDict
from django.utils import dateparse, timezone

from channels.open311 import catalogue
from channels.open311.errors import Open311Error
from services import attachments as attachment_policy
from services import inbound as clean
from services import postcodes, questions, routing
from services import reference as references
from services.actions.intake import (
    InboundAttachment,
    InboundMessage,
    IntakeResult,
    ResidentDetails,
    intake,
)
from services.models import Case, Channel, Council, EventKind, Partner, Service

MAX_DESCRIPTION = 20_000  # FixMyStreet's longest real reports are far shorter
MAX_ATTRIBUTES = 100
MAX_ATTRIBUTE_VALUE = 5000
MAX_MEDIA_URLS = 10
MAX_UPLOADS = 10
MAX_NAME = 100
MAX_PARTNER_ID = 100
MAX_ADDRESS = 300


@dataclass
class Accepted:
    case: Case
    created: bool
    result: IntakeResult


def field(data: QueryDict, name: str, limit: int, *, label: str | None = None) -> str:
    """One form field as clean text, refused (never cut) when longer than ``limit``."""
    value = data.get(name, "")
    if len(value) > limit:
        raise Open311Error(400, f"{label or name} is longer than {limit} characters.")
    return clean.text(value, limit).strip()


def parse_datetime(value: str, name: str) -> datetime.datetime:
    """A W3C / ISO 8601 date-time (``2026-12-01T09:30:00Z``, ``…+01:00``) or date; a time
    without a zone is read as UK time. Anything else is a clear 400."""
    value = (value or "").strip()
    moment = None
    try:
        moment = dateparse.parse_datetime(value)
        if moment is None:
            day = dateparse.parse_date(value)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        moment = None
    if moment is None or not value[:4].isdigit():
        raise Open311Error(
            400, f"{name} must be a W3C date-time such as 2026-12-01T09:30:00Z; got {value[:40]!r}."
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def date_range(data: QueryDict) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    start = parse_datetime(data["start_date"], "start_date") if data.get("start_date") else None
    end = parse_datetime(data["end_date"], "end_date") if data.get("end_date") else None
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date.")
    return start, end


def coordinate(data: QueryDict, name: str, bound: float) -> float | None:
    raw = data.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number in decimal degrees.") from None
    if not math.isfinite(value) or abs(value) > bound:
        raise Open311Error(400, f"{name} must be between -{bound:g} and {bound:g}.")
    return round(value, 6)


def attributes(data: QueryDict) -> dict[str, str]:
    """``attribute[code]=value`` pairs, cleaned; a list attribute (``attribute[x][]``) joined."""
    found: dict[str, str] = {}
    for key in data:
        if not (key.startswith("attribute[") and "]" in key):
            continue
        code = key[len("attribute[") : key.index("]")]
        code = clean.text(code, 100).strip()
        if not code:
            continue
        values = [v for v in data.getlist(key) if v != ""]
        value = ", ".join(values)
        if len(value) > MAX_ATTRIBUTE_VALUE:
            raise Open311Error(
                400, f"attribute[{code}] is longer than {MAX_ATTRIBUTE_VALUE} characters."
            )
        found[code] = clean.text(value, MAX_ATTRIBUTE_VALUE).strip()
        if len(found) > MAX_ATTRIBUTES:
            raise Open311Error(400, f"More than {MAX_ATTRIBUTES} attributes.")
    return found


def answers_for(service: Service, given: dict[str, str]) -> dict[str, str]:
    """The service's questions answered (by label, as the web form keeps them) and every other
    attribute kept under its own code. A missing required answer or an impossible one is a
    400 naming the attribute."""
    answers: dict[str, str] = {}
    problems = []
    asked = catalogue.asked(service)
    for question in asked:
        value = given.get(question.code, "")
        if not value:
            if catalogue.required(question):
                problems.append(f"attribute[{question.code}] is required: {question.label}")
            continue
        limit = catalogue.MAX_LENGTHS.get(question.kind)
        if limit and len(value) > limit:
            problems.append(f"attribute[{question.code}] is longer than {limit} characters.")
            continue
        if question.kind == questions.CHOICE:
            names = dict(question.choices)
            if value not in names:
                problems.append(
                    f"attribute[{question.code}] must be one of: " + ", ".join(names) + "."
                )
                continue
            value = names[value]
        elif question.kind == questions.NUMBER:
            try:
                number = decimal.Decimal(value)
            except decimal.InvalidOperation:
                number = None
            if number is None or not number.is_finite():
                problems.append(f"attribute[{question.code}] must be a number.")
                continue
        elif question.kind == questions.DATE:
            try:
                value = parse_datetime(value, f"attribute[{question.code}]").date().isoformat()
            except Open311Error as error:
                problems.extend(error.descriptions)
                continue
        answers[question.label] = value
    if problems:
        raise Open311Error(400, *problems)
    codes = {question.code for question in asked}
    for code, value in given.items():
        if code not in codes and value:
            answers[code] = value
    return answers


def partner_id(given: dict[str, str]) -> str:
    for code in catalogue.PARTNER_ID_ATTRIBUTES:
        if given.get(code):
            value = given[code]
            if len(value) > MAX_PARTNER_ID:
                raise Open311Error(400, f"attribute[{code}] is longer than {MAX_PARTNER_ID}.")
            return value
    return ""


def media_urls(data: QueryDict) -> list[str]:
    urls = [clean.text(u, 2000).strip() for u in data.getlist("media_url")]
    urls += [clean.text(u, 2000).strip() for u in data.getlist("media_url[]")]
    urls = [u for u in urls if u]
    if len(urls) > MAX_MEDIA_URLS:
        raise Open311Error(400, f"At most {MAX_MEDIA_URLS} media_url values.")
    for url in urls:
        if not url.lower().startswith(("https://", "http://")):
            raise Open311Error(400, "media_url must be an http or https address.")
    return urls


def uploads(files) -> list[InboundAttachment]:
    """Files posted with the form (FixMyStreet's ``photo1``… for private reports), judged now
    by the one attachment policy: a refused file refuses the report, with the reason."""
    found = []
    for key in files:
        for upload in files.getlist(key):
            if len(found) >= MAX_UPLOADS:
                raise Open311Error(400, f"At most {MAX_UPLOADS} files.")
            limit = attachment_policy.max_bytes()
            if upload.size > limit:
                raise Open311Error(400, f"{key} is larger than {limit // (1024 * 1024)} MB.")
            content = upload.read()
            name = clean.text(upload.name or key, 200) or key
            try:
                accepted = attachment_policy.check(content, name)
            except attachment_policy.Refused as error:
                raise Open311Error(400, f"{key} was refused: {error.detail}") from None
            found.append(
                InboundAttachment(
                    filename=accepted.filename,
                    content_type=accepted.content_type,
                    content=accepted.content,
                )
            )
    return found


def resident_details(data: QueryDict) -> tuple[ResidentDetails, dict]:
    """Who the resident is, from ``first_name``/``last_name`` (FixMyStreet splits the name in
    two), ``email`` and ``phone``. An email that is not one is refused; a phone number we
    cannot dial is kept for staff to read (in the message's metadata), not on the record."""
    first = field(data, "first_name", MAX_NAME)
    last = field(data, "last_name", MAX_NAME)
    if last == "-":  # FixMyStreet's placeholder for a one-word name
        last = ""
    email = field(data, "email", clean.MAX_ADDRESS).lower()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error(400, "email is not an email address.") from None
    phone_given = field(data, "phone", 40)
    phone = ""
    extra = {}
    if phone_given:
        try:
            phone = clean.normalise_phone(phone_given)
        except clean.InvalidPhoneNumber:
            extra["phone_as_given"] = phone_given
    name = " ".join(part for part in (first, last) if part)
    return ResidentDetails(name=name, email=email, phone=phone), extra


def where(service: Service, council: Council, text: str, partner: Partner) -> Service:
    """``where`` first: the place in ``address_string`` decides, the jurisdiction settles a
    straddling district; lat/long alone (no postcode) is the jurisdiction's. A place another
    body or nobody here answers for is a 400 that says so — the partner sends it there."""
    found = routing.where(service, text=text, council=council)
    outcome = found.outcome
    if outcome in (routing.Outcome.SERVE, routing.Outcome.UNKNOWN, routing.Outcome.ASK):
        return service
    if outcome == routing.Outcome.MOVE:
        allowed = catalogue.allowed_services(found.council, partner).filter(
            pk__in=[t.pk for t in found.targets]
        )
        target = allowed.first()
        if target is not None and partner.councils.filter(pk=found.council.pk).exists():
            return target
        raise Open311Error(
            400,
            f"{found.postcode} is in {found.council}'s area: send it to jurisdiction "
            f"{found.council.code}.",
        )
    if outcome == routing.Outcome.REFER and found.body is not None:
        raise Open311Error(400, f"{service.name} at {found.postcode} is for {found.body.name}.")
    if outcome == routing.Outcome.OUTSIDE:
        raise Open311Error(400, f"{found.postcode} is outside jurisdiction {council.code}.")
    raise Open311Error(
        400, f"{service.name} is not a service of {found.council or council} at {found.postcode}."
    )


def raw_form(data: QueryDict) -> str:
    """The form as received, for the record — without the api_key."""
    kept = data.copy()
    kept.pop("api_key", None)
    return kept.urlencode()[:100_000]


def submit_request(partner: Partner, data: QueryDict, files) -> Accepted:
    council = catalogue.jurisdiction(data.get("jurisdiction_id"), partner)
    service = catalogue.service(council, data.get("service_code"), partner)
    description = field(data, "description", MAX_DESCRIPTION)
    lat = coordinate(data, "lat", 90)
    long = coordinate(data, "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long go together.")
    address = field(data, "address_string", MAX_ADDRESS)
    address_id = field(data, "address_id", 100)
    if lat is None and not address and not address_id:
        raise Open311Error(400, "A location is required: lat and long, or address_string.")
    given = attributes(data)
    answers = answers_for(service, given)
    their_id = partner_id(given)
    details, extra = resident_details(data)
    account_id = field(data, "account_id", 100)
    urls = media_urls(data)
    files = uploads(files)
    service = where(service, council, address, partner)
    postcode = postcodes.find_in_text(address)
    title = given.get("title", "")
    report = {
        "partner": partner.slug,
        "partner_id": their_id,
        "jurisdiction": council.code,
        "service_code": service.slug,
        "lat": lat,
        "long": long,
        "address_string": address,
        "address_id": address_id,
        "account_id": account_id,
        "attributes": given,
        **extra,
    }
    message = InboundMessage(
        channel=Channel.OPEN311,
        provider_id=f"{partner.pk}:request:{their_id}" if their_id else None,
        body=description,
        subject=title[:300],
        raw=raw_form(data),
        metadata={"open311": report, "media": [{"url": url} for url in urls]},
        resident_details=details,
        service=service,
        council=council,
        summary=(title or service.name)[:200],
        answers=answers,
        location=address or (f"{lat}, {long}" if lat is not None else ""),
        postcode=postcode,
        attachments=files,
        # The partner tells the resident it was sent, with our reference; the case's own
        # status updates still reach them on the address they gave.
        acknowledge=False,
        thread_to_open_case=False,
        actor_label=partner.name,
    )
    with transaction.atomic():
        result = intake(message)
        if result.case is None:  # pragma: no cover - a report always opens or finds its case
            raise Open311Error(500, "The report could not be filed.")
        if result.created_case and urls:
            from channels.open311.tasks import fetch_media

            message_id = result.message.pk
            transaction.on_commit(lambda: fetch_media.enqueue(message_id))
    return Accepted(case=result.case, created=result.created_case, result=result)


def case_for(council: Council, reference: str) -> Case:
    """The case ``service_request_id`` names in this jurisdiction, or 404 (a restricted case,
    another council's, a mistyped one: all the same answer)."""
    try:
        digits = references.normalise(reference or "")
    except references.InvalidReference:
        raise Open311Error(404, "service_request_id is not a request here.") from None
    from channels.open311.public import cases_for

    case = cases_for(council).filter(reference=digits).first()
    if case is None:
        raise Open311Error(404, "service_request_id is not a request here.")
    return case


def submit_update(partner: Partner, data: QueryDict, files) -> tuple[int, bool]:
    """A resident's update (a comment on FixMyStreet) onto the case's timeline, once per
    ``update_id``. Returns the timeline event's id (our update_id) and whether it was new.
    The partner's ``status`` is kept with the update; only staff change a case's status."""
    council = catalogue.jurisdiction(data.get("jurisdiction_id"), partner)
    case = case_for(council, data.get("service_request_id", ""))
    update_id = field(data, "update_id", MAX_PARTNER_ID)
    if not update_id:
        raise Open311Error(400, "update_id is required.")
    description = field(data, "description", MAX_DESCRIPTION)
    urls = media_urls(data)
    files = uploads(files)
    if not description and not urls and not files:
        raise Open311Error(400, "description is required.")
    if data.get("updated_datetime"):  # checked, kept with the update; the timeline says when
        parse_datetime(data["updated_datetime"], "updated_datetime")  # it reached us
    status = field(data, "status", 40).upper()
    details, extra = resident_details(data)
    resident = None
    if details.email and details.email == (case.resident.email or "").lower():
        resident = case.resident
    message = InboundMessage(
        channel=Channel.OPEN311,
        provider_id=f"{partner.pk}:update:{update_id}",
        body=description,
        raw=raw_form(data),
        metadata={
            "open311": {
                "partner": partner.slug,
                "update_id": update_id,
                "status": status,
                "updated_datetime": data.get("updated_datetime", "")[:40],
                "attributes": attributes(data),
                **extra,
            },
            "media": [{"url": url} for url in urls],
        },
        resident=resident,
        resident_details=None if resident else details,
        case=case,
        attachments=files,
        acknowledge=False,
        actor_label=partner.name,
    )
    with transaction.atomic():
        result = intake(message)
        event = result.message.events.filter(kind=EventKind.MESSAGE_IN).order_by("pk").first()
        if not result.duplicate and urls:
            from channels.open311.tasks import fetch_media

            message_id = result.message.pk
            transaction.on_commit(lambda: fetch_media.enqueue(message_id))
    return (event.pk if event else result.message.pk), not result.duplicate
