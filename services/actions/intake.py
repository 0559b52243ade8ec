"""Intake: every inbound contact, from every channel, enters the queue here.

::

    InboundMessage ──intake──▶ dedupe by (channel, provider id)
                               identify the resident
                               thread to a case (explicit, reference, email headers,
                                                 the sender's only open case) or open one
                               route, timeline, acknowledgement — one transaction

The ``Message`` row is written first (``services.actions.messages.store_message``): its unique
``(channel, provider_id)`` index makes a concurrent retry of the same delivery wait for the first
and then find it, so ten copies of one MessageSid make one message and at most one case.

Intake returns an ``IntakeResult`` and calls nothing back: the channel words its own answer from
it (SMS its TwiML reply), after intake, in its own transaction.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from services import inbound as clean
from services import lookups, routing, workflow
from services import reference as references
from services.actions.attachments import attach
from services.actions.cases import change_status, create_case
from services.actions.messages import queue_message, store_message
from services.actions.residents import identify_resident
from services.actions.timeline import record
from services.models import (
    Case,
    Channel,
    Council,
    Direction,
    EventKind,
    Message,
    MessageTemplate,
    Resident,
    Service,
    Status,
)
from services.models.cases import OPEN_STATUSES

TRIAGE_SERVICE_SLUG = "general-enquiry"
MAX_PROVIDER_ID = 255  # Message.provider_id
MAX_BODY = 200_000
MAX_HTML_BODY = 1_000_000


@dataclass
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class ResidentDetails:
    """What the resident told us about themselves (web form, counter, agent on a call)."""

    name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    language: str = ""
    preferred_channel: str = ""
    consent_sms: bool | None = None
    consent_email: bool | None = None
    accessibility_needs: str = ""


@dataclass
class InboundMessage:
    """A provider-neutral inbound contact, built by a channel adapter."""

    channel: str
    sender: str = ""  # E.164 phone or lower-case email address; "" for web
    body: str = ""
    provider_id: str | None = None
    recipient: str = ""  # the number dialled or texted, the mailbox written to
    subject: str = ""
    html_body: str = ""
    received_at: datetime.datetime | None = None
    attachments: list[InboundAttachment] = field(default_factory=list)
    raw: str = ""
    headers: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    # What the channel already knows:
    resident: Resident | None = None  # e.g. the signed-in resident
    resident_details: ResidentDetails | None = None
    service: Service | None = None
    council: Council | None = None
    case: Case | None = None  # thread onto this case (the resident was shown it)
    summary: str = ""
    answers: dict = field(default_factory=dict)
    location: str = ""
    postcode: str = ""
    language: str = "en"
    priority: int = 1
    # Behaviour:
    acknowledge: bool = True  # queue an acknowledgement (SMS answers in its TwiML instead)
    thread_to_open_case: bool = True  # a fresh web application never threads
    when_several_open: str = "open"  # "open" a new case, or "ask" which (SMS)
    actor_label: str = ""

    def clean(self) -> "InboundMessage":
        """Every field safe to store and within its column (``services.inbound``).

        Adapters clean what they read from a provider as they build the message; intake calls
        this once more, so whichever adapter forgot, no NUL, control character or oversized
        value reaches a model. NUL left in text is marked with U+FFFD; a provider id too long
        for its column is replaced by its hash (still unique, still the same on a retry).
        """
        for name, limit in (
            ("sender", clean.MAX_ADDRESS),
            ("recipient", clean.MAX_ADDRESS),
            ("subject", 300),
            ("summary", 200),
            ("location", 300),
            ("postcode", 10),
            ("language", 8),
            ("actor_label", 120),
        ):
            setattr(self, name, clean.text(getattr(self, name), limit, nul="\ufffd"))
        self.body = clean.text(self.body, MAX_BODY, nul="\ufffd")
        self.html_body = clean.text(self.html_body, MAX_HTML_BODY, nul="\ufffd")
        if self.provider_id:
            self.provider_id = clean.text(self.provider_id, nul="\ufffd")
            if len(self.provider_id) > MAX_PROVIDER_ID:
                self.provider_id = provider_id_for_raw(self.provider_id)
        self.raw = clean.storable(self.raw)
        self.headers = clean.storable(self.headers)
        self.metadata = clean.storable(self.metadata)
        self.answers = clean.storable(self.answers)
        details = self.resident_details
        if details is not None:
            for name, limit in (
                ("name", 200),
                ("email", clean.MAX_ADDRESS),
                ("phone", clean.MAX_PHONE),
                ("address", None),
                ("postcode", 10),
                ("accessibility_needs", None),
            ):
                setattr(details, name, clean.text(getattr(details, name), limit, nul="\ufffd"))
        return self


@dataclass
class IntakeResult:
    """What intake did: the channel words its answer from this.

    ``created_case`` and ``threaded`` say what *this* delivery did (a ``duplicate`` — the
    provider's retry of a message already taken in — did neither). ``opened_case`` and
    ``open_cases`` describe the message itself, for a duplicate too, so a channel that kept no
    answer for the first delivery can word the same one again.
    """

    message: Message
    case: Case | None
    resident: Resident | None
    created_case: bool = False
    duplicate: bool = False
    threaded: bool = False
    acknowledgement: Message | None = None
    # The sender has several open cases and the channel asked which one.
    open_cases: list[Case] = field(default_factory=list)
    # The message opened its case (this delivery, or the first one of a duplicate).
    opened_case: bool = False
    # Where the new case's postcode put it (``services.routing.where``): a channel that can
    # ask (SMS) may ask a straddling postcode's council; None when no case was opened.
    where: "routing.Where | None" = None


def provider_id_for_raw(raw: bytes | str) -> str:
    """A stable id for a delivery that carries none (an email without Message-ID)."""
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
    return "sha256:" + hashlib.sha256(data).hexdigest()


def intake(inbound: InboundMessage) -> IntakeResult:
    """Take one inbound contact into the queue, once, and say what became of it."""
    inbound.clean()
    now = inbound.received_at or timezone.now()
    with transaction.atomic():
        message, created = store_message(
            channel=inbound.channel,
            provider_id=inbound.provider_id,
            sender=inbound.sender,
            recipient=inbound.recipient,
            subject=inbound.subject,
            body=inbound.body,
            html_body=inbound.html_body,
            language=inbound.language or "en",
            headers=inbound.headers,
            metadata=inbound.metadata,
            raw=inbound.raw,
            created_at=now,
        )
        if not created:
            return _as_before(inbound, message)
        return _process(inbound, message, now)


def _as_before(inbound: InboundMessage, message: Message) -> IntakeResult:
    """The result of the first delivery of a message we already have (a retry)."""
    case = message.case
    opened_case = bool(
        case is not None
        and case.messages.filter(direction=Direction.IN).order_by("created_at", "pk").first()
        == message
    )
    open_cases = []
    if case is None and message.resident_id and inbound.when_several_open == "ask":
        open_cases = list(
            Case.objects.filter(resident_id=message.resident_id, status__in=OPEN_STATUSES)
            .select_related("service")
            .order_by("-created_at")[:10]
        )
    return IntakeResult(
        message=message,
        case=case,
        resident=message.resident,
        duplicate=True,
        opened_case=opened_case,
        open_cases=open_cases,
    )


def _resident_for(inbound: InboundMessage) -> tuple[Resident, bool]:
    details = inbound.resident_details
    resident = inbound.resident or identify_resident(inbound.channel, inbound.sender)
    created = False
    if resident is None:
        resident = Resident(language=inbound.language or "en")
        if inbound.channel == Channel.SMS:
            resident.phone, resident.phone_verified = inbound.sender[: clean.MAX_PHONE], True
            resident.preferred_channel = Channel.SMS
        elif inbound.channel == Channel.VOICE:
            resident.phone = inbound.sender[: clean.MAX_PHONE]
            resident.preferred_channel = Channel.SMS
        elif inbound.channel in (Channel.EMAIL, Channel.FAX):
            resident.email = inbound.sender
            resident.preferred_channel = Channel.EMAIL
        created = True
    changed = created
    if details is not None:
        updates = {
            name: getattr(details, name)
            for name in ("name", "email", "phone", "address", "postcode", "accessibility_needs")
            if getattr(details, name) and (created or not getattr(resident, name))
        }
        updates.update(
            (name, getattr(details, name))
            for name in ("language", "preferred_channel")
            if getattr(details, name)
        )
        updates.update(
            (name, getattr(details, name))
            for name in ("consent_sms", "consent_email")
            if getattr(details, name) is not None
        )
        for name, value in updates.items():
            if getattr(resident, name) != value:
                setattr(resident, name, value)
                changed = True
    if changed:
        # A text from a known number changes nothing about them: no write, no reindex.
        resident.save()
    return resident, created


def _thread(
    inbound: InboundMessage, resident: Resident, resident_is_new: bool
) -> tuple[Case | None, list[Case]]:
    """The case this message continues, or the open cases to ask about."""
    if inbound.case is not None:
        return inbound.case, []
    own_cases = Case.objects.filter(resident=resident)
    # 1. Our reference in the text or subject — only ever one of the sender's own cases.
    for ref in references.find_in_text(f"{inbound.subject}\n{inbound.body}"):
        case = own_cases.filter(reference=ref).first()
        if case is not None:
            return _follow_merge(case), []
    # 2. Email headers pointing at a message we sent.
    thread_ids = _header_ids(inbound.headers)
    if thread_ids:
        sent = (
            Message.objects.filter(
                direction=Direction.OUT, provider_id__in=thread_ids, case__isnull=False
            )
            .select_related("case")
            .first()
        )
        if sent is not None:
            return _follow_merge(sent.case), []
    # 3. The sender's only open case.
    if inbound.thread_to_open_case and not resident_is_new:
        open_cases = list(own_cases.filter(status__in=OPEN_STATUSES).order_by("-created_at")[:10])
        if len(open_cases) == 1:
            return open_cases[0], []
        if len(open_cases) > 1 and inbound.when_several_open == "ask":
            return None, open_cases
    return None, []


def _header_ids(headers: dict) -> list[str]:
    values = []
    for key, value in (headers or {}).items():
        if key.lower() in ("in-reply-to", "references") and value:
            values.extend(str(value).split())
    return [v.strip() for v in values if v.strip()]


def _follow_merge(case: Case) -> Case:
    seen = set()
    while case.merged_into_id and case.pk not in seen:
        seen.add(case.pk)
        case = case.merged_into
    return case


def _triage_service() -> Service:
    service = lookups.service_by_slug(TRIAGE_SERVICE_SLUG)
    if service is None:
        raise Service.DoesNotExist(f"The triage service {TRIAGE_SERVICE_SLUG!r} is missing.")
    return service


def _serialise_sender(inbound: InboundMessage) -> None:
    """Two first contacts from one new number at the same moment must not make two residents.

    A transaction-scoped PostgreSQL advisory lock on the sender serialises intake per sender
    (different senders never wait for each other). SQLite allows one writer at a time anyway.
    """
    if not inbound.sender or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"intake:{inbound.channel}:{inbound.sender.lower()}"],
        )


def _process(inbound: InboundMessage, message: Message, now) -> IntakeResult:
    _serialise_sender(inbound)
    resident, resident_is_new = _resident_for(inbound)
    message.resident = resident
    case, open_cases = _thread(inbound, resident, resident_is_new)
    result = IntakeResult(message=message, case=case, resident=resident)

    if case is None and open_cases:
        result.open_cases = open_cases
        message.save(update_fields=["resident"])
        return result

    if case is None:
        council = inbound.council
        service = inbound.service
        if council is None or service is None:
            point = routing.council_for_contact_point(inbound.channel, inbound.recipient)
            if point is not None:
                council = council or point.council
                service = service or point.service
        asked = service or _triage_service()
        # Where first, then what (services.routing.where): a report naming a postcode goes to
        # whoever answers there — the other council's same service, or the district's body.
        # Only the resident's own answer settles a straddling postcode, never the number
        # dialled or the mailbox written to.
        found = routing.where(
            asked,
            postcode=inbound.postcode,
            text=f"{inbound.subject}\n{inbound.body}",
            council=inbound.council,
        )
        result.where = found
        service = routing.filed_service(found)
        case = create_case(
            resident=resident,
            service=service,
            channel=inbound.channel,
            summary=inbound.summary or inbound.subject or _first_line(inbound.body) or service.name,
            description=inbound.body,
            answers=inbound.answers,
            location=inbound.location,
            postcode=found.postcode or resident.postcode,
            council=found.council or (None if found.outcome == routing.Outcome.ASK else council),
            priority=inbound.priority,
            language=inbound.language or resident.language,
            actor_label=inbound.actor_label or "Resident",
            now=now,
        )
        result.created_case = result.opened_case = True
        if note := routing.staff_note(found):
            record(case, EventKind.NOTE, actor_label="Routing", body=note, at=now)
    else:
        result.threaded = True
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        if case.status in workflow.RESUMED_BY_REPLY:
            # The resident answered: the clock runs again. Staff see it; the resident is not
            # sent a status update about their own reply.
            case = change_status(
                None,
                case,
                Status.IN_PROGRESS,
                notify=False,
                visible_to_resident=False,
                actor_label="Resident replied",
                now=now,
            )

    message.case = case
    result.case = case
    message.save(update_fields=["resident", "case"])
    for item in inbound.attachments:
        attach(item, case=case, message=message)
    record(
        case,
        EventKind.MESSAGE_IN,
        actor_label=inbound.actor_label or "Resident",
        channel=inbound.channel,
        visible_to_resident=True,
        message=message,
        body=inbound.body[:2000],
        data={"attachments": len(inbound.attachments)},
        at=now,
    )
    if result.created_case and inbound.acknowledge:
        kind = (
            MessageTemplate.Kind.REFERRAL
            if case.status == Status.REFERRED
            else MessageTemplate.Kind.ACKNOWLEDGEMENT
        )
        body = case.referral_body.with_contacts() if case.referral_body else ""
        result.acknowledgement = queue_message(case, kind, body=body, now=now)
    return result


def _first_line(text: str) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()[:120]
    return ""
