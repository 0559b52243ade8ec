"""One path for every inbound email, whichever way it arrived.

``manage.py receive_email`` (an MTA pipe, raw bytes) and django-anymail's inbound webhooks (a
message anymail has already parsed) both call ``receive``, and each message is parsed once:
``parsing.parse`` reads the pipe's bytes, ``parsing.read`` takes anymail's message as it is.
From the neutral ``ParsedEmail`` on, the path is the same::

    ParsedEmail ──▶ bounce? ──▶ record it (ignored), mark our message failed and the
                                resident's address bouncing
                    automatic? ─▶ record it (ignored): no case, no acknowledgement
                    fax gateway? ▶ channel "fax", the document on the case
                    otherwise ──▶ services.actions.intake (dedupe, resident, thread, route,
                                  timeline, acknowledgement — rate limited per sender)

Attachments go through the one attachment policy (``services.attachments``, by content, with
email's own size limit ``PORTAL_EMAIL_MAX_ATTACHMENT_BYTES``); refused ones stay in the original
message and are noted on the case.

Idempotent: the provider id is the Message-ID (or, when there is none, a hash of the message's
content — not of its bytes, which each entrance frames differently: ``provider_id_for``), and
``(channel, provider_id)`` is unique, so the same message delivered twice — an MTA
retry, a webhook retry, both entry points — is one message.

Errors: ``Rejected`` means "bounce it, retrying will not help" (exit 65). A database that is
down raises ``django.db.DatabaseError`` (exit 75: the MTA keeps the message and tries again).
Anything else that goes wrong while filing a readable message falls back to keeping the raw
message on a triage case, so a message is never lost to a bug in our parsing.
"""

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass, field
from email.message import Message as MimeMessage
from email.utils import parseaddr

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.email import loops
from channels.email.parsing import ParsedEmail, clean_text, content_digest, parse, read
from services import attachments as attachment_policy
from services import inbound as clean
from services import routing
from services.actions import InboundAttachment, InboundMessage, IntakeResult, ResidentDetails
from services.actions import intake as intake_action
from services.actions.messages import record_bounce, store_message
from services.actions.timeline import record
from services.models import (
    Case,
    Channel,
    ContactPoint,
    Direction,
    EventKind,
    Message,
    MessageStatus,
    MessageTemplate,
)

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 20
MAX_BODY_CHARS = 200_000
MAX_PROVIDER_ID = 255
BOUNCE_MATCH_DAYS = 7


class Rejected(Exception):
    """The message is refused for good (too large, empty): the MTA should bounce it."""


@dataclass
class Outcome:
    """Where a message ended up. ``status``: accepted, duplicate, ignored or bounce."""

    status: str
    message: Message
    case: Case | None = None
    reason: str = ""
    result: IntakeResult | None = None
    refused: list[dict] = field(default_factory=list)


def provider_id_for(parsed: ParsedEmail, raw: bytes) -> str:
    """The one id of an inbound email, the same whichever way it came in.

    The Message-ID; a hash of it when it is too long for the column (hostile or broken
    senders); and for a message without one, ``parsing.content_digest``: a hash of what the
    sender wrote (its From, To, Cc, Subject, Date, threading headers, text, HTML and
    attachments), not of the bytes, because the MTA and the provider each add their own trace
    headers and line endings, and the same message piped and posted must be one message.
    """
    message_id = parsed.message_id.strip()
    if not message_id:
        return content_digest(parsed)
    if len(message_id) > MAX_PROVIDER_ID:
        return "sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return message_id


def raw_text(raw: bytes) -> str:
    """The raw message as text for ``Message.raw``.

    UTF-8 when it is UTF-8; otherwise decoded as Latin-1, which maps every byte to one
    character, so ``raw_text(raw).encode("latin-1") == raw`` and the original is recoverable
    (``Message.metadata["raw_encoding"]`` says which). NUL bytes, which PostgreSQL cannot store
    in text, are the only loss.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return clean.storable(text)


def raw_encoding(raw: bytes) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return "latin-1"
    return "utf-8"


def our_addresses() -> set[str]:
    """Addresses we send from or receive at: mail from them to us is a loop."""
    addresses = {
        parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(),
        parseaddr(settings.SERVER_EMAIL)[1].lower(),
    }
    addresses.update(
        ContactPoint.objects.filter(channel=Channel.EMAIL).values_list("address", flat=True)
    )
    return {a for a in addresses if a}


def _mailbox(envelope_recipient: str, recipients: list[str]) -> str:
    """The mailbox written to: the envelope recipient, else the first To/Cc we know."""
    if envelope_recipient and "@" in envelope_recipient:
        return clean_text(envelope_recipient).strip().strip("<>").lower()[:254]
    known = set(
        ContactPoint.objects.filter(
            channel=Channel.EMAIL, address__in=[r[:254] for r in recipients]
        ).values_list("address", flat=True)
    )
    for address in recipients:
        if address in known:
            return address
    return recipients[0][:254] if recipients else ""


def is_fax_gateway(*addresses: str) -> bool:
    gateways = [g.strip().lower() for g in settings.PORTAL_FAX_GATEWAYS if g.strip()]
    for address in addresses:
        address = (address or "").strip().strip("<>").lower()
        if "@" not in address:
            continue
        domain = address.rsplit("@", 1)[1]
        for gateway in gateways:
            if "@" in gateway.lstrip("@"):
                if address == gateway:
                    return True
            else:
                gateway = gateway.lstrip("@")
                if domain == gateway or domain.endswith("." + gateway):
                    return True
    return False


def acknowledgement_allowed(address: str, now: datetime.datetime) -> bool:
    """At most ``PORTAL_EMAIL_ACKNOWLEDGEMENTS_PER_HOUR`` automatic answers to one address.

    A sender (or a robot we failed to recognise as one) writing a new message every minute
    gets a case each time but not an acknowledgement each time.
    """
    if not address:
        return False
    sent = Message.objects.filter(
        direction=Direction.OUT,
        channel=Channel.EMAIL,
        kind__in=[MessageTemplate.Kind.ACKNOWLEDGEMENT, MessageTemplate.Kind.REFERRAL],
        recipient__iexact=address,
        created_at__gte=now - datetime.timedelta(hours=1),
    ).count()
    return sent < settings.PORTAL_EMAIL_ACKNOWLEDGEMENTS_PER_HOUR


def _check_attachments(parsed: ParsedEmail) -> tuple[list[InboundAttachment], list[dict]]:
    """The attachments the policy accepts (by content), and why the others were refused."""
    kept: list[InboundAttachment] = []
    refused: list[dict] = []
    limit = settings.PORTAL_EMAIL_MAX_ATTACHMENT_BYTES
    for part in parsed.attachments:
        size = len(part.content)
        reason = ""
        try:
            accepted = attachment_policy.check(part.content, part.filename, limit=limit)
        except attachment_policy.Refused as error:
            if error.code == "too_big":
                reason = _("larger than %(limit)s MB") % {"limit": limit // 1_000_000}
            elif error.code == "empty":
                reason = _("the file is empty")
            else:
                reason = _("this type of file is not accepted")
        else:
            if len(kept) >= MAX_ATTACHMENTS:
                reason = ngettext(
                    "more than %(count)s file", "more than %(count)s files", MAX_ATTACHMENTS
                ) % {"count": MAX_ATTACHMENTS}
        if reason:
            refused.append(
                {
                    "filename": part.filename,
                    "content_type": part.content_type,
                    "size": size,
                    "reason": reason,
                }
            )
        else:
            kept.append(
                InboundAttachment(accepted.filename, accepted.content_type, accepted.content)
            )
    return kept, refused


def _record_ignored(
    parsed: ParsedEmail,
    raw: bytes,
    *,
    status: str,
    reason: str,
    envelope_sender: str | None,
    recipient: str,
    source: str,
) -> tuple[Message, bool]:
    """Keep automatic mail as an ignored message on no case. Returns (message, created)."""
    return store_message(
        channel=Channel.EMAIL,
        provider_id=provider_id_for(parsed, raw),
        status=MessageStatus.IGNORED,
        sender=parsed.sender[:254],
        recipient=recipient[:254],
        subject=parsed.subject[:300],
        body=parsed.full_text[:MAX_BODY_CHARS],
        headers=parsed.headers,
        metadata={
            "ignored": status,
            "reason": reason,
            "source": source,
            "envelope_sender": envelope_sender,
            "raw_encoding": raw_encoding(raw),
        },
        raw=raw_text(raw),
    )


def bounced_messages(bounce: loops.Bounce, now: datetime.datetime) -> list[str]:
    """The provider ids of our emails a bounce is about.

    The Message-IDs it quotes, when it quotes any (ours are random: a bounce quoting only other
    ids is about someone else's message, or forged, and marks nothing). A bounce that quotes no
    Message-ID at all — many plain-text bounces do not — is matched by the failed recipients it
    names: the latest email we sent each of them in the last ``BOUNCE_MATCH_DAYS`` days (MTAs
    give up within five), so an old or made-up bounce cannot reach further back.
    """
    ids = [i for i in bounce.original_ids if len(i) <= MAX_PROVIDER_ID]
    if ids:
        return ids
    found = []
    for address in bounce.failed_recipients[:10]:
        latest = (
            Message.objects.filter(
                channel=Channel.EMAIL,
                direction=Direction.OUT,
                recipient__iexact=address,
                created_at__gte=now - datetime.timedelta(days=BOUNCE_MATCH_DAYS),
                # Only what may have left: a bounce cannot be about an email still queued.
                status__in=[MessageStatus.SENDING, MessageStatus.SENT, MessageStatus.DELIVERED],
            )
            .exclude(provider_id="")
            .order_by("-created_at")
            .values_list("provider_id", flat=True)
            .first()
        )
        if latest:
            found.append(latest)
    return found


def _apply_bounce(parsed: ParsedEmail, raw: bytes) -> list[Message]:
    """Mark the outbound messages a bounce is about as failed, and their recipients bouncing."""
    bounce = loops.read_bounce(parsed, raw)
    if not bounce.permanent:
        return []
    ids = bounced_messages(bounce, timezone.now())
    if not ids:
        return []
    detail = " ".join(filter(None, [bounce.status, bounce.diagnostic])) or "-"
    return record_bounce(
        ids,
        failed_recipients=bounce.failed_recipients,
        error=_("Bounced: %(detail)s") % {"detail": detail},
        explanation=lambda address: (
            _(
                "The email to %(address)s bounced (%(detail)s). We will not email this "
                "address again until it is corrected."
            )
            % {"address": address, "detail": detail}
        ),
    )


_FAX_NUMBER = re.compile(r"\+?\d[\d \-]{5,18}\d")


def _inbound(
    parsed: ParsedEmail,
    raw: bytes,
    *,
    envelope_sender: str | None,
    recipient: str,
    source: str,
    now: datetime.datetime,
) -> tuple[InboundMessage, list[dict]]:
    attachments, refused = _check_attachments(parsed)
    body = parsed.text[:MAX_BODY_CHARS]
    if not body and not attachments:
        body = _("(This email has no readable text. The original message is kept with it.)")
    metadata = {
        "source": source,
        "envelope_sender": envelope_sender,
        "raw_encoding": raw_encoding(raw),
        "problems": parsed.problems[:50],
        "refused_attachments": refused,
        "inline_images": sum(1 for p in parsed.attachments if p.inline),
    }
    if parsed.full_text and parsed.full_text != parsed.text:
        metadata["full_text"] = parsed.full_text[:MAX_BODY_CHARS]
    inbound = InboundMessage(
        channel=Channel.EMAIL,
        sender=parsed.sender,
        body=body,
        provider_id=provider_id_for(parsed, raw),
        recipient=recipient,
        subject=parsed.subject,
        html_body=parsed.html,
        received_at=now,
        attachments=attachments,
        raw=raw_text(raw),
        headers=parsed.headers,
        metadata=metadata,
        resident_details=ResidentDetails(name=parsed.sender_name[:200])
        if parsed.sender_name
        else None,
        actor_label=parsed.sender_name[:120] or parsed.sender[:120],
    )
    if is_fax_gateway(parsed.sender, envelope_sender or ""):
        # The gateway is not the resident: every fax is its own contact, never acknowledged
        # (the gateway cannot pass an answer on), filed with the document attached.
        number = _FAX_NUMBER.search(parsed.subject or "")
        inbound.channel = Channel.FAX
        inbound.metadata["fax_gateway"] = parsed.sender
        inbound.sender = ""
        inbound.resident_details = None
        inbound.acknowledge = False
        inbound.thread_to_open_case = False
        inbound.actor_label = _("Fax")
        inbound.summary = (
            _("Fax from %(number)s") % {"number": number.group(0)} if number else _("Fax received")
        )
        if routing.council_for_contact_point(Channel.FAX, recipient) is None:
            point = routing.council_for_contact_point(Channel.EMAIL, recipient)
            if point is not None:
                inbound.council, inbound.service = point.council, point.service
    else:
        # A no-reply or mail-daemon address cannot read an answer; the case is still opened.
        inbound.acknowledge = not loops.unanswerable(parsed.sender) and acknowledgement_allowed(
            parsed.sender, now
        )
    return inbound, refused


def _note_refused(case: Case, refused: list[dict], now) -> None:
    lines = [
        ngettext(
            "%(filename)s (%(type)s, %(size)s byte): %(reason)s",
            "%(filename)s (%(type)s, %(size)s bytes): %(reason)s",
            item["size"],
        )
        % {
            "filename": item["filename"],
            "type": item["content_type"],
            "size": item["size"],
            "reason": item["reason"],
        }
        for item in refused
    ]
    record(
        case,
        EventKind.NOTE,
        actor_label="Email",
        channel=Channel.EMAIL,
        body=_("Attachments not added to the case (still in the original message):")
        + "\n"
        + "\n".join(lines),
        data={"refused_attachments": refused},
        at=now,
    )


def receive(
    message: bytes | MimeMessage,
    *,
    raw: bytes | None = None,
    envelope_sender: str | None = None,
    envelope_recipient: str = "",
    source: str = "pipe",
) -> Outcome:
    """File one message: the raw bytes (the MTA pipe), or a message already parsed (anymail's,
    with ``raw`` the original to keep). Raises ``Rejected`` (permanent) or ``DatabaseError``
    (retry)."""
    if isinstance(message, bytes | bytearray):
        raw = bytes(message)
    elif raw is None:
        raise TypeError("a parsed message needs the raw original to keep with it")
    if not raw or not raw.strip():
        raise Rejected("empty message")
    if len(raw) > settings.PORTAL_EMAIL_MAX_MESSAGE_BYTES:
        raise Rejected(
            f"message too large ({len(raw)} bytes; the limit is "
            f"{settings.PORTAL_EMAIL_MAX_MESSAGE_BYTES})"
        )
    if isinstance(message, bytes | bytearray):
        parsed = parse(raw, envelope_sender=envelope_sender or "")
    else:
        parsed = read(message, raw=raw, envelope_sender=envelope_sender or "")
    recipient = _mailbox(envelope_recipient, parsed.recipients)
    ignore = dict(envelope_sender=envelope_sender, recipient=recipient, source=source)

    verdict = loops.classify(parsed, envelope_sender, our_addresses())
    if verdict.kind == "bounce":
        message, created = _record_ignored(
            parsed, raw, status="bounce", reason=verdict.reason, **ignore
        )
        if created:
            marked = _apply_bounce(parsed, raw)
            logger.info("Bounce %s marked %d message(s) failed", message.pk, len(marked))
        return Outcome("bounce" if created else "duplicate", message, reason=verdict.reason)
    if verdict.kind:
        message, created = _record_ignored(
            parsed, raw, status="auto", reason=verdict.reason, **ignore
        )
        return Outcome("ignored" if created else "duplicate", message, reason=verdict.reason)

    now = timezone.now()
    try:
        inbound, refused = _inbound(
            parsed,
            raw,
            envelope_sender=envelope_sender,
            recipient=recipient,
            source=source,
            now=now,
        )
        with transaction.atomic():
            result = intake_action(inbound)
            if refused and result.case is not None and not result.duplicate:
                _note_refused(result.case, refused, now)
    except DatabaseError as error:
        if _is_temporary(error):
            raise
        logger.exception("Could not file email %s; keeping it raw for triage", parsed.message_id)
        return _keep_raw(parsed, raw, recipient, source, error)
    except Exception as error:
        logger.exception("Could not file email %s; keeping it raw for triage", parsed.message_id)
        return _keep_raw(parsed, raw, recipient, source, error)
    return Outcome(
        "duplicate" if result.duplicate else "accepted",
        result.message,
        case=result.case,
        result=result,
        refused=refused,
    )


def _is_temporary(error: DatabaseError) -> bool:
    from django.db import InterfaceError, OperationalError

    return isinstance(error, (OperationalError, InterfaceError))


def _keep_raw(parsed: ParsedEmail, raw: bytes, recipient: str, source: str, error) -> Outcome:
    """The last resort: the raw message on a triage case, with the failure noted."""
    sender = parsed.sender if "@" in parsed.sender else ""
    inbound = InboundMessage(
        channel=Channel.EMAIL,
        sender=clean_text(sender)[:254],
        body=_("This email could not be read automatically. The original message is kept with it."),
        provider_id=provider_id_for(parsed, raw),
        recipient=recipient,
        subject=clean_text(parsed.subject)[:300],
        raw=raw_text(raw),
        metadata={
            "source": source,
            "raw_encoding": raw_encoding(raw),
            "error": f"{type(error).__name__}: {error}"[:1000],
        },
        acknowledge=False,
        thread_to_open_case=False,
    )
    result = intake_action(inbound)
    return Outcome(
        "duplicate" if result.duplicate else "accepted",
        result.message,
        case=result.case,
        result=result,
        reason="kept raw for triage",
    )
