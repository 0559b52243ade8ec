"""An inbound text: what it asks for, what it changes, and the reply it gets.

Every text is recorded as one ``Message`` under the unique (sms, MessageSid) index, and the
reply we give is stored on that message (``metadata["reply"]``, by
``services.actions.messages.remember_reply``) in the same transaction, so Twilio's retry of the
same MessageSid — even ten at once — waits for the first, finds it and gets exactly the same
answer, and nothing is written twice. (A message with no stored reply — taken in by some other
way — gets its answer worded again from what intake did the first time; never a second case.)

Every field of Twilio's payload is cleaned once, as it is read (``services.inbound``: control
characters, lengths, phone numbers to E.164), so no NUL or oversized value goes further.

What a text does, in order:

1. a command word (STOP / START / HELP and variants, see ``keywords``) changes consent or
   explains the service; it is recorded, but opens no case;
2. a text that is only a reference: with a mistyped check digit it says so; a valid one
   gets the case's status *only* when the sender's number is the one on the case — anyone
   else gets the same answer as for a reference that does not exist, revealing nothing;
3. anything else (including a picture with no words) goes through ``services.actions.intake``
   with ``acknowledge=False`` (the TwiML reply *is* the acknowledgement) and
   ``when_several_open="ask"``: it threads to the sender's only open case, asks which one when
   they have several, or opens a general enquiry routed by the number texted. Intake returns
   what it did; the reply is worded here from that.

MMS pictures are only *listed* here (URLs and types on the message); fetching them is an
external call, done by ``channels.sms.tasks.fetch_media`` after commit.
"""

import datetime
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from channels.sms import keywords
from services import inbound as clean
from services import reference as references
from services import routing
from services.actions import InboundMessage, IntakeResult, intake, ratelimit
from services.actions.messages import remember_reply, store_message
from services.actions.residents import set_sms_consent
from services.models import Case, Channel, Council, Message, Resident
from services.models.cases import ACTIVE_STATUSES

logger = logging.getLogger(__name__)

MAX_MEDIA = 10  # Twilio delivers at most 10 media items per MMS
MAX_BODY = 10_000  # Twilio joins a long text into at most 1,600 characters; keep room
MAX_URL = 1000
_SID = re.compile(r"^[A-Za-z]{2}[0-9a-fA-F]{32}$")


class MalformedPayload(ValueError):
    """A signed request that is not a usable inbound message (no MessageSid, no sender)."""


@dataclass
class Media:
    url: str
    content_type: str


@dataclass
class InboundText:
    """The parts of Twilio's inbound webhook we use (field names as Twilio sends them)."""

    message_sid: str
    account_sid: str
    sender: str  # E.164 where it parses; Twilio's raw "From" otherwise (short codes, names)
    recipient: str
    body: str
    media: list[Media] = field(default_factory=list)
    opt_out_type: str = ""  # set by Twilio's Advanced Opt-Out, which then replied itself

    @classmethod
    def from_post(cls, data) -> "InboundText":
        """Read (and clean, once) Twilio's fields; ``MalformedPayload`` if unusable."""
        sid = clean.line(data.get("MessageSid") or data.get("SmsMessageSid"), clean.MAX_IDENTIFIER)
        if not _SID.match(sid):
            raise MalformedPayload("MessageSid is missing or malformed.")
        sender = clean.phone(data.get("From"))
        if not sender:
            raise MalformedPayload("From is missing.")
        media = []
        count = clean.integer(data.get("NumMedia"), default=0) or 0
        for index in range(min(count, MAX_MEDIA)):
            url = clean.line(data.get(f"MediaUrl{index}"), MAX_URL)
            if url.startswith("https://") or url.startswith("http://"):
                media.append(Media(url, clean.line(data.get(f"MediaContentType{index}"), 100)))
        return cls(
            message_sid=sid,
            account_sid=clean.line(data.get("AccountSid"), clean.MAX_IDENTIFIER),
            sender=sender,
            recipient=clean.phone(data.get("To")),
            body=clean.text(data.get("Body"), MAX_BODY),
            media=media,
            opt_out_type=clean.line(data.get("OptOutType"), 20).upper(),
        )


@dataclass
class Outcome:
    reply: str  # the text of the TwiML <Message>; "" for no reply
    message: Message
    kind: str  # stop / start / help / status / bad_reference / created / threaded / ask / …
    duplicate: bool = False


def receive(text: InboundText, *, raw: str = "", now: datetime.datetime | None = None) -> Outcome:
    """Handle one inbound text and return the reply to give (idempotent on MessageSid).

    One transaction for the text, what it changed and the reply kept with it: a retry waits
    on the MessageSid's unique index until this commits, and then reads the reply.
    """
    now = now or timezone.now()
    with transaction.atomic():
        outcome = _receive(text, clean.storable(raw), now)
    if outcome.duplicate:
        return outcome
    if text.media and outcome.message.case_id:
        from channels.sms.tasks import fetch_media

        message_id = outcome.message.pk
        transaction.on_commit(lambda: fetch_media.enqueue(message_id))
    return outcome


def _repeat(message: Message, result: IntakeResult | None = None) -> Outcome:
    """The answer to a retry: the reply given the first time, or (none was kept) the same
    reply worded again from what intake did then."""
    metadata = message.metadata or {}
    if "reply" in metadata or result is None:
        return Outcome(
            reply=metadata.get("reply", ""),
            message=message,
            kind=metadata.get("sms", "duplicate"),
            duplicate=True,
        )
    kind, reply = _intake_reply(result)
    return Outcome(reply=reply, message=message, kind=kind, duplicate=True)


def _receive(text: InboundText, raw: str, now) -> Outcome:
    metadata = {
        "media": [{"url": m.url, "content_type": m.content_type} for m in text.media],
        "account_sid": text.account_sid,
    }
    point = routing.council_for_contact_point(Channel.SMS, text.recipient)
    council = point.council if point else None

    command = keywords.command_for(text.body) if not text.media else None
    if command is not None:
        return _command(text, command, raw, metadata, council, now)

    if references.looks_like_reference(text.body):
        return _status_query(text, raw, metadata, council, now)

    result = intake(
        InboundMessage(
            channel=Channel.SMS,
            sender=text.sender,
            recipient=text.recipient,
            body=text.body,
            provider_id=text.message_sid,
            received_at=now,
            raw=raw,
            metadata=metadata,
            council=council,
            service=point.service if point else None,
            summary=_summary(text),
            acknowledge=False,
            when_several_open="ask",
            actor_label="Resident (text message)",
        )
    )
    if result.duplicate:
        return _repeat(result.message, result)
    kind, reply = _intake_reply(result)
    remember_reply(result.message, reply, kind=kind)
    return Outcome(reply, result.message, kind)


def _intake_reply(result) -> tuple[str, str]:
    """What to answer a text that went through intake: (kind, reply), in their language."""
    with translation.override(_language(result.resident)):
        if result.open_cases:
            listed = "; ".join(
                f"{case.display_reference} ({case.service.name})" for case in result.open_cases[:5]
            )
            reply = _(
                "You have more than one open request with us: %(cases)s. Please send your "
                "message again, starting with the reference it is about."
            ) % {"cases": listed}
            return "ask", reply
        case = result.case
        if case is None:  # a retry of a text whose first delivery asked, and they since closed
            return "duplicate", ""
        if result.opened_case:
            reply = _(
                "Thank you. We have received your message. Your reference is %(reference)s. "
                "We will reply by %(due)s."
            ) % {"reference": case.display_reference, "due": _due(case)}
            return "created", reply
        reply = _("Thank you. We have added your message to your request %(reference)s.") % {
            "reference": case.display_reference
        }
        return "threaded", reply


def _summary(text: InboundText) -> str:
    first = next((line.strip() for line in text.body.splitlines() if line.strip()), "")
    if first:
        return first[:120]
    return _("Text message with a picture") if text.media else _("Text message")


def _due(case: Case) -> str:
    if not case.due_at:
        return ""
    return formats.date_format(timezone.localtime(case.due_at), "DATE_FORMAT")


def _language(resident: Resident | None) -> str:
    return (resident.language if resident else "") or settings.LANGUAGE_CODE


def _record(
    text: InboundText,
    raw: str,
    metadata: dict,
    now,
    *,
    kind: str,
    reply: str,
    resident: Resident | None,
    case: Case | None = None,
) -> Outcome:
    """Record a text that is not a contact about a case (a command, a status query).

    It goes under the same unique (channel, MessageSid) index as ``intake`` uses, so a
    concurrent retry waits for this transaction and then finds the row; the reply is stored
    with it for that retry. A retry rolls back whatever the caller's savepoint changed.
    """
    message, created = store_message(
        channel=Channel.SMS,
        provider_id=text.message_sid,
        sender=text.sender,
        recipient=text.recipient,
        body=text.body,
        resident=resident,
        case=case,
        metadata={**metadata, "sms": kind, "reply": reply},
        raw=raw,
        created_at=now,
    )
    if not created:
        transaction.set_rollback(True)
        return _repeat(message)
    return Outcome(reply, message, kind)


def _residents_with(phone: str):
    return Resident.objects.filter(phone=phone, merged_into__isnull=True)


def _council_words(council: Council | None) -> dict:
    if council is None:
        council = Council.objects.order_by("pk").first()
    return {
        "council": council.name if council else _("Your council"),
        "phone": council.phone if council and council.phone else "",
    }


def _command(text: InboundText, command: str, raw, metadata, council, now) -> Outcome:
    with transaction.atomic():
        if command in (keywords.STOP, keywords.START):
            # An opt-out is remembered even for a number we have never heard from.
            resident = set_sms_consent(text.sender, command == keywords.START, now=now)
        else:
            resident = _residents_with(text.sender).first()
        # With Twilio's Advanced Opt-Out, Twilio already answered in the words configured there.
        reply = "" if text.opt_out_type else _command_reply(command, resident, council)
        return _record(text, raw, metadata, now, kind=command, reply=reply, resident=resident)


def _command_reply(command: str, resident: Resident | None, council: Council | None) -> str:
    words = _council_words(council)
    with translation.override(_language(resident)):
        if command == keywords.STOP:
            return (
                _(
                    "%(council)s: you will not get any more text messages from us. "
                    "Text START to get them again."
                )
                % words
            )
        if command == keywords.START:
            return (
                _(
                    "%(council)s: you will get text messages about your requests again. "
                    "Text STOP to stop them."
                )
                % words
            )
        reply = (
            _(
                "%(council)s: text us your question, or text your 9-digit reference to hear "
                "how your request is going. Texts cost your standard network rate. "
                "Text STOP to stop messages."
            )
            % words
        )
        if words["phone"]:
            reply += " " + _("Or call %(phone)s.") % words
        return reply


def _status_query(text: InboundText, raw, metadata, council, now) -> Outcome:
    resident = _residents_with(text.sender).order_by("-phone_verified", "-created_at").first()
    if not ratelimit.allow("sms_status_sender", text.sender or "unknown"):
        # Kept (nothing lost), not answered: each answer is a text, and references are guessed.
        return _record(text, raw, metadata, now, kind="status_limited", reply="", resident=resident)
    try:
        ref = references.normalise(text.body)
    except references.InvalidReference:
        with translation.override(_language(resident)):
            reply = _(
                "That reference is not right: one of the digits is mistyped. Please check it "
                "and text it again. References have 9 digits, like 100 000 013."
            )
        return _record(
            text, raw, metadata, now, kind="bad_reference", reply=reply, resident=resident
        )
    case = Case.objects.select_related("resident", "service").filter(reference=ref).first()
    own = case is not None and case.resident.phone == text.sender and bool(text.sender)
    resident = resident or (case.resident if own else None)
    with translation.override(_language(resident)):
        if not own:
            # The same words whether the case does not exist or is someone else's.
            reply = _(
                "We cannot give details of request %(reference)s by text to this number. "
                "To check it, go to %(url)s with the email address or phone number you gave us."
            ) % {
                "reference": references.format_reference(ref),
                "url": f"{settings.PUBLIC_BASE_URL}/track/",
            }
            return _record(
                text, raw, metadata, now, kind="status_refused", reply=reply, resident=resident
            )
        reply = _("Your request %(reference)s (%(service)s) is: %(status)s.") % {
            "reference": case.display_reference,
            "service": case.service.name,
            "status": case.get_status_display(),
        }
        if case.due_at and case.status in ACTIVE_STATUSES:
            reply += " " + _("We aim to finish it by %(due)s.") % {"due": _due(case)}
    return _record(
        text, raw, metadata, now, kind="status", reply=reply, resident=resident, case=case
    )
