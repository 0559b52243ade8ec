"""Texts Twilio received but we never took in: found in Twilio's message log and taken in now.

Twilio posts each inbound text to the webhook once. If the portal is down, restarting, or too
slow (Twilio waits at most 15 seconds, retries included — see docs/sms.md), the text stays in
Twilio's message log and nowhere else: nobody would ever see it. ``manage.py sms_catch_up``
asks Twilio's Messages API for the inbound texts to our numbers since a given time and passes
every one we have not got through ``inbound.receive`` — the very code the webhook runs, which
is idempotent on MessageSid, so running the catch-up twice, or while the webhook is taking the
same text, never makes a second message or case.

The resident never got the answer the webhook would have given (their reference, their case's
status …), so it is sent now as an ordinary text through the outbox — quiet hours, retries and
per-resident order apply — unless they have opted out (STOP) or the sender is not a phone
number. Each text is taken in, with its late answer, in one transaction, and marked
(``metadata["taken_in_late"]``) so the case timeline says it arrived late.
"""

import datetime
import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone
from twilio.base.exceptions import TwilioException

from channels.sms import inbound, keywords
from channels.sms.models import InboxEntry
from services.actions.messages import queue_text, update_metadata
from services.models import Channel, ContactPoint, Message
from services.models.catalogue import MessageTemplate

logger = logging.getLogger(__name__)

INBOUND_DIRECTION = "inbound"
LATE = "taken_in_late"  # metadata key on the inbound message: when the catch-up took it in


class CatchUpError(Exception):
    """Twilio could not be asked (not configured, unreachable, refused)."""


@dataclass
class Report:
    numbers: list[str] = field(default_factory=list)
    listed: int = 0  # inbound texts Twilio holds for the period
    already_had: int = 0
    taken_in: Counter = field(default_factory=Counter)  # by what the text did
    replies_queued: int = 0
    replies_withheld: int = 0  # opted out, or not a phone number
    failed: list[str] = field(default_factory=list)  # "SID: reason"

    @property
    def recovered(self) -> int:
        return sum(self.taken_in.values())


def our_numbers() -> list[str]:
    """The numbers residents text: the SMS contact points and the sending number."""
    numbers = set(
        ContactPoint.objects.filter(channel=Channel.SMS).values_list("address", flat=True)
    )
    if settings.TWILIO_SMS_FROM:
        numbers.add(settings.TWILIO_SMS_FROM)
    return sorted(number.strip() for number in numbers if number.strip().startswith("+"))


def catch_up(
    since: datetime.datetime,
    *,
    until: datetime.datetime | None = None,
    dry_run: bool = False,
    client=None,
) -> Report:
    """Take in every inbound text Twilio received for our numbers in [since, until)."""
    if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        raise CatchUpError("Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN).")
    if client is None:
        from channels.sms.backends.twilio import rest_client

        client = rest_client()
    report = Report(numbers=our_numbers())
    for number in report.numbers:
        for item in _inbound_to(client, number, since, until):
            report.listed += 1
            _take_in(client, item, report, dry_run)
    return report


def _inbound_to(client, number: str, since, until):
    try:
        # Twilio's "DateSent>" filter; the time is checked again here, whatever Twilio's
        # precision. The twilio library writes the time with a "Z": it must be in UTC.
        listed = client.messages.stream(
            to=number, date_sent_after=since.astimezone(datetime.UTC), page_size=100
        )
        for item in listed:
            sent = item.date_sent or item.date_created
            if item.direction != INBOUND_DIRECTION or sent is None:
                continue
            if sent < since or (until is not None and sent >= until):
                continue
            yield item
    except TwilioException as error:
        raise CatchUpError(f"Twilio refused to list the texts to {number}: {error}") from error
    except OSError as error:  # requests' connection errors are OSErrors
        raise CatchUpError(f"Twilio could not be reached: {type(error).__name__}") from error


def _take_in(client, item, report: Report, dry_run: bool) -> None:
    sid = item.sid or ""
    # Filed already, or accepted by the webhook and waiting in the inbox for the filing
    # worker (which will answer it): either way it is here.
    if (
        Message.objects.filter(channel=Channel.SMS, provider_id=sid).exists()
        or InboxEntry.objects.filter(key=sid).exists()
    ):
        report.already_had += 1
        return
    if dry_run:
        report.taken_in["would take in"] += 1
        return
    try:
        text = _text(client, item)
    except (inbound.MalformedPayload, TwilioException, OSError, ValueError) as error:
        # This one text (its media list, say) is reported; the others are still taken in.
        report.failed.append(f"{sid}: {error}")
        return
    try:
        with transaction.atomic():
            outcome = inbound.receive(
                text, raw=json.dumps(_raw(item), default=str), now=item.date_sent
            )
            if outcome.duplicate:  # the webhook took it in a moment ago
                report.already_had += 1
                return
            # Staff see on the timeline that this text reached us late, and from where.
            update_metadata(outcome.message, {LATE: timezone.now().isoformat()})
            queued = _queue_reply(text, outcome)
    except DatabaseError as error:
        # Most likely the webhook took the same text in at this very moment (the unique
        # MessageSid index): then it is not lost. Anything else is reported.
        if Message.objects.filter(channel=Channel.SMS, provider_id=sid).exists():
            report.already_had += 1
        else:
            report.failed.append(f"{sid}: {type(error).__name__}: {error}")
        return
    report.taken_in[outcome.kind] += 1
    if queued:
        report.replies_queued += 1
    elif outcome.reply:
        report.replies_withheld += 1
    logger.info("Took in text %s from Twilio's message log: %s", sid, outcome.kind)


def _text(client, item) -> inbound.InboundText:
    """The same ``InboundText`` the webhook would have built, from the API's record."""
    data = {
        "MessageSid": item.sid or "",
        "AccountSid": item.account_sid or "",
        "From": item.from_ or "",
        "To": item.to or "",
        "Body": item.body or "",
    }
    count = int(item.num_media or 0)
    if count:
        media = client.messages(item.sid).media.list(limit=inbound.MAX_MEDIA)
        base = client.api.base_url.rstrip("/")
        for index, medium in enumerate(media):
            uri = (medium.uri or "").removesuffix(".json")
            data[f"MediaUrl{index}"] = f"{base}{uri}" if uri.startswith("/") else uri
            data[f"MediaContentType{index}"] = medium.content_type or ""
        data["NumMedia"] = str(len(media))
    return inbound.InboundText.from_post(data)


def _raw(item) -> dict:
    fields = ("sid", "account_sid", "from_", "to", "body", "num_media", "status", "direction")
    record = {name: getattr(item, name, None) for name in fields}
    record["date_sent"] = item.date_sent.isoformat() if item.date_sent else None
    record["source"] = "twilio-message-log"
    return record


def _queue_reply(text: inbound.InboundText, outcome: inbound.Outcome) -> bool:
    """Send the answer the webhook would have given, late, as an ordinary text."""
    resident = outcome.message.resident
    if not outcome.reply or not text.sender.startswith("+") or outcome.kind == keywords.STOP:
        return False
    if resident is not None:
        resident.refresh_from_db(fields=["consent_sms", "language"])
        if not resident.consent_sms:
            return False  # they texted STOP before: Twilio would refuse the text anyway
    queue_text(
        channel=Channel.SMS,
        kind=MessageTemplate.Kind.REPLY,
        recipient=text.sender,
        sender=text.recipient if text.recipient.startswith("+") else settings.TWILIO_SMS_FROM,
        body=outcome.reply,
        case=outcome.message.case,
        resident=resident,
        language=(resident.language if resident else "") or settings.LANGUAGE_CODE,
        metadata={"late_reply_to": text.message_sid},
    )
    return True
