"""Messages: storing what arrives, queueing what goes out, and recording what became of it.

Every write to a ``Message`` goes through here — from intake, the channels' webhooks and tasks,
the outbound dispatcher and the providers' status callbacks — so that each small job has one
implementation:

* ``store_message``: write a message under the unique ``(channel, provider_id)`` index, or
  find the one a provider's earlier delivery wrote (a retry, a concurrent duplicate);
* ``queue_message`` / ``queue_text``: an outbound message in the caller's transaction, and
  the sender woken after commit (``services.signals.message_queued``);
* ``claim_for_sending``, ``mark_sent``, ``retry_later``: the dispatcher's bookkeeping
  (``services.outbound.dispatch`` sends, these record); ``claim_stale``, ``found_sent`` and
  ``requeue_unsent`` recover a message a dead worker left "sending" (sent, or sent again);
* ``record_failure``: a message the resident did not get — failed, undelivered, bounced —
  and the same DELIVERY event on its case, whoever found out (the dispatcher, Twilio's
  callback, a bounce);
* ``apply_delivery_status``: a provider's status callback, never moving a message backwards;
* ``update_metadata``, ``remember_reply``, ``set_html_body``, ``add_transcript``: what a
  channel learns about a message after it was written.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.mail import make_msgid
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from services import composition
from services.actions.residents import mark_email_bouncing
from services.actions.timeline import record
from services.models import (
    Case,
    Channel,
    Direction,
    EventKind,
    Message,
    MessageStatus,
    Resident,
)
from services.signals import message_queued

# How far along a message is; a status callback never moves one back.
RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
}
NOT_RECEIVED = (MessageStatus.UNDELIVERED, MessageStatus.FAILED)


# --- storing ---------------------------------------------------------------------------------


def store_message(
    *,
    channel: str,
    provider_id: str | None,
    direction: str = Direction.IN,
    status: str = MessageStatus.RECEIVED,
    created_at: datetime.datetime | None = None,
    **fields,
) -> tuple[Message, bool]:
    """Write one message, or find the one already written for ``(channel, provider_id)``.

    Returns ``(message, created)``. The insert comes first and the unique index decides: a
    concurrent delivery of the same MessageSid, CallSid or Message-ID waits on the index until
    the first transaction commits and then gets the first message back (``created`` False) —
    so a retry never makes a second message, and a new message costs no look-up. Call it
    first in the caller's transaction, before anything that a duplicate must not repeat.
    ``fields`` are ``Message`` fields (sender, recipient, body, resident, case, metadata …).
    """
    now = created_at or timezone.now()
    fields.setdefault("status_changed_at", now)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                direction=direction,
                provider_id=provider_id or None,
                status=status,
                created_at=now,
                **fields,
            )
    except IntegrityError:
        if not provider_id:
            raise
        existing = (
            Message.objects.select_related("case", "resident")
            .filter(channel=channel, provider_id=provider_id)
            .first()
        )
        if existing is None:
            raise
        return existing, False
    return message, True


def update_metadata(message: Message, values: dict) -> Message:
    """Merge ``values`` into the message's metadata, under a row lock so that two writers (a
    media task, a late catch-up) each keep what the other added."""
    with transaction.atomic():
        current = Message.objects.select_for_update().filter(pk=message.pk).values("metadata").get()
        message.metadata = {**(current["metadata"] or {}), **values}
        Message.objects.filter(pk=message.pk).update(metadata=message.metadata)
    return message


def remember_reply(message: Message, reply: str, *, kind: str) -> Message:
    """Keep the answer a channel gave to this inbound message (SMS's TwiML reply), with what
    kind of answer it was, so that the provider's retry of the same message gets the same."""
    return update_metadata(message, {"reply": reply, message.channel: kind})


def set_html_body(message: Message, html: str) -> Message:
    """The HTML alternative the email channel renders for a queued email."""
    Message.objects.filter(pk=message.pk).update(html_body=html)
    message.html_body = html
    return message


def add_transcript(
    message: Message, transcript: str, *, data: dict, now: datetime.datetime
) -> Message:
    """A recording's transcript arrived: it becomes the message's text, and the case's
    timeline shows it (as a telephone event: ``data`` is what the channel keeps of the call)."""
    with transaction.atomic():
        message.metadata = {**message.metadata, "transcript": transcript}
        message.body = transcript
        message.save(update_fields=["metadata", "body"])
        if message.case_id:
            record(
                message.case,
                EventKind.CALL,
                actor_label="Transcription",
                channel=message.channel,
                message=message,
                body=transcript,
                data=data,
                at=now,
            )
    return message


# --- queueing --------------------------------------------------------------------------------


def queue_message(
    case: Case,
    kind: str,
    *,
    channel: str | None = None,
    body: str = "",
    urgent: bool = False,
    created_by=None,
    now: datetime.datetime | None = None,
) -> Message:
    """Write a queued outbound message for ``case``'s resident and wake the sender on commit.

    Called inside the transaction of the change that caused it, so the message exists exactly
    when the change does. The text is rendered now, from the editors' template in the
    resident's language (the timeline shows what will be sent). When the resident cannot be
    reached on any channel (no address, no consent, STOP), the message is still written, with
    status ``suppressed`` and the reason, so staff see on the case that the resident was not
    told.
    """
    now = now or timezone.now()
    resident = case.resident
    chosen, reason = composition.choose_channel(resident, channel)
    language = resident.language or case.language or "en"
    rendered = composition.render(
        kind,
        chosen or Channel.EMAIL,
        language,
        # Dates and status names in the language the text is actually written in.
        lambda used: composition.message_context(case, used, {"body": body}),
    )
    headers = {}
    provider_id = None
    if chosen == Channel.EMAIL:
        # Our own Message-ID, known before sending, so a reply's In-Reply-To threads even if
        # the resident answers before the provider confirms.
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
        headers["Message-ID"] = provider_id = make_msgid(domain=domain)
    message = Message.objects.create(
        channel=chosen or (channel or resident.preferred_channel),
        direction=Direction.OUT,
        provider_id=provider_id,
        case=case,
        resident=resident,
        kind=kind,
        sender=settings.TWILIO_SMS_FROM if chosen == Channel.SMS else settings.DEFAULT_FROM_EMAIL,
        recipient=composition.address_for(resident, chosen) if chosen else "",
        subject=rendered.subject if chosen == Channel.EMAIL else "",
        body=rendered.body,
        language=rendered.language,
        headers=headers,
        metadata={"template_fell_back": rendered.fell_back, "requested_language": language},
        status=MessageStatus.QUEUED if chosen else MessageStatus.SUPPRESSED,
        last_error="" if chosen else reason,
        urgent=urgent,
        created_by=created_by,
        created_at=now,
        next_attempt_at=now,
        status_changed_at=now,
    )
    if chosen:
        _wake_sender_on_commit(message)
    return message


def queue_text(
    *,
    channel: str,
    recipient: str,
    body: str,
    kind: str,
    sender: str = "",
    resident: Resident | None = None,
    case: Case | None = None,
    language: str = "en",
    metadata: dict | None = None,
    urgent: bool = False,
    now: datetime.datetime | None = None,
) -> Message:
    """Queue words already written (no template) to one address, and wake the sender on commit.

    For an answer that was owed but never given — the TwiML reply of a text the webhook missed
    (``channels.sms.catch_up``). The caller has checked consent; quiet hours, retries and
    per-resident order apply as for any queued message. ``urgent`` skips quiet hours: the
    answer to a text the resident has just sent (``channels.sms.filing``) goes at once, as the
    TwiML reply it replaces did.
    """
    now = now or timezone.now()
    message = Message.objects.create(
        channel=channel,
        direction=Direction.OUT,
        kind=kind,
        urgent=urgent,
        case=case,
        resident=resident,
        sender=sender,
        recipient=recipient,
        body=body,
        language=language,
        metadata=metadata or {},
        status=MessageStatus.QUEUED,
        created_at=now,
        next_attempt_at=now,
        status_changed_at=now,
    )
    _wake_sender_on_commit(message)
    return message


def _wake_sender_on_commit(message: Message) -> None:
    message_id = message.pk
    transaction.on_commit(lambda: message_queued.send(sender=Message, message_id=message_id))


# --- the dispatcher's bookkeeping ------------------------------------------------------------


def _earlier_pending(message: Message) -> bool:
    if message.resident_id is None:
        return False
    return (
        Message.objects.filter(
            resident_id=message.resident_id,
            channel=message.channel,
            direction=message.direction,
            status__in=[MessageStatus.QUEUED, MessageStatus.SENDING],
        )
        .filter(
            Q(created_at__lt=message.created_at)
            | Q(created_at=message.created_at, pk__lt=message.pk)
        )
        .exists()
    )


def claim_for_sending(
    message_id: int,
    now: datetime.datetime,
    *,
    hold_until: Callable[[Message], datetime.datetime | None],
) -> Message | None:
    """Take a due queued message for sending (``sending``, one more attempt), or None.

    The row is claimed with ``FOR UPDATE SKIP LOCKED``, so any number of workers can run and
    none sends a message another has taken. Messages to one resident on one channel go in the
    order they were queued: one waits while an earlier one is pending. ``hold_until`` is the
    dispatcher's say on when this message may go (quiet hours): a time puts it off until then.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if message is None or _earlier_pending(message):
            return None
        later = hold_until(message)
        if later is not None:
            message.next_attempt_at = later
            message.save(update_fields=["next_attempt_at"])
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.status_changed_at = now
        message.save(update_fields=["status", "attempts", "status_changed_at"])
        return message


def retry_later(
    message: Message,
    error: str,
    *,
    at: datetime.datetime,
    now: datetime.datetime,
    status_changed: bool = True,
) -> Message:
    """A temporary failure: back in the queue, to be tried again ``at`` (with backoff)."""
    message.status = MessageStatus.QUEUED
    message.last_error = error
    message.next_attempt_at = at
    fields = ["status", "last_error", "next_attempt_at"]
    if status_changed:
        message.status_changed_at = now
        fields.append("status_changed_at")
    message.save(update_fields=fields)
    return message


def mark_sent(
    message: Message, *, provider_id: str | None, delivered: bool, now: datetime.datetime
) -> Message:
    """The backend took the message: ``sent`` (or ``delivered``), with the provider's id.

    Conditional: a provider's status callback ("delivered") can arrive before this runs; it has
    already moved the message on, and must not be put back to "sent" — then only the id and
    the time of sending are filled in.
    """
    provider_id = message.provider_id or provider_id or None
    status = MessageStatus.DELIVERED if delivered else MessageStatus.SENT
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, provider_id=provider_id, sent_at=now, status_changed_at=now, last_error=""
    )
    if not updated:
        Message.objects.filter(pk=message.pk, provider_id__isnull=True).update(
            provider_id=provider_id, sent_at=now
        )
    message.refresh_from_db(fields=["status", "provider_id", "sent_at", "status_changed_at"])
    return message


def requeue_stale(now: datetime.datetime, *, older_than: datetime.timedelta) -> int:
    """Every message left ``sending`` longer than ``older_than`` back in the queue, without
    asking whether it left. Not used by the dispatcher any more (it asks the provider first:
    ``claim_stale`` → ``found_sent`` / ``requeue_unsent``); kept for an operator who knows the
    provider never got them. Returns how many."""
    return Message.objects.filter(
        status=MessageStatus.SENDING, status_changed_at__lt=now - older_than
    ).update(status=MessageStatus.QUEUED, next_attempt_at=now)


def stale_sending(now: datetime.datetime, *, older_than: datetime.timedelta) -> list[int]:
    """Ids of messages left ``sending`` longer than ``older_than``, oldest first."""
    return list(
        Message.objects.filter(status=MessageStatus.SENDING, status_changed_at__lt=now - older_than)
        .order_by("status_changed_at", "pk")
        .values_list("pk", flat=True)
    )


def claim_stale(
    message_id: int, now: datetime.datetime, *, older_than: datetime.timedelta
) -> tuple[Message, datetime.datetime] | None:
    """Take a message a dead worker left ``sending``, to find out whether it left.

    Returns the message and when it was claimed for sending (the provider's log is searched
    from then), or None if it is no longer stale or another sweep holds it. The claim is
    renewed (``status_changed_at = now``) in a committed transaction, so a second sweep
    running at the same time leaves it alone, and a sweep that dies while asking leaves it
    stale again, to be asked again ``older_than`` later.
    """
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(
                pk=message_id,
                status=MessageStatus.SENDING,
                status_changed_at__lt=now - older_than,
            )
            .first()
        )
        if message is None:
            return None
        claimed_at = message.status_changed_at or now - older_than
        message.status_changed_at = now
        message.save(update_fields=["status_changed_at"])
        return message, claimed_at


def found_sent(
    message: Message, *, provider_id: str, delivered: bool, now: datetime.datetime
) -> Message:
    """The provider's log shows the message left before its worker died: mark it sent (once),
    and say so in its metadata."""
    message = mark_sent(message, provider_id=provider_id, delivered=delivered, now=now)
    return update_metadata(message, {"recovered": "found in the provider's log"})


def requeue_unsent(message: Message, *, now: datetime.datetime, reason: str) -> Message:
    """The message did not leave (or the provider cannot say, and sending again is harmless):
    back in the queue, due now. Conditional on it still being ``sending``."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED, next_attempt_at=now, status_changed_at=now
    )
    message.refresh_from_db(fields=["status", "next_attempt_at", "status_changed_at"])
    return update_metadata(message, {"recovered": reason})


def known_provider_ids(channel: str, provider_ids: list[str], *, other_than: int) -> set[str]:
    """Which of ``provider_ids`` already belong to another of our messages on ``channel``."""
    return set(
        Message.objects.filter(channel=channel, provider_id__in=provider_ids)
        .exclude(pk=other_than)
        .values_list("provider_id", flat=True)
    )


def record_failure(
    message: Message,
    error: str,
    *,
    now: datetime.datetime,
    status: str = MessageStatus.FAILED,
    reported_by: str = "System",
    explanation: str = "",
    data: dict | None = None,
    provider_id: str = "",
) -> Message:
    """The resident did not get this message: say so on the message and on its case.

    The one place for "message failed → event on the case", whoever found out: the dispatcher
    giving up (``reported_by`` "System"), a provider's callback ("Twilio": ``undelivered`` or
    ``failed``), a bounce ("Email"). ``explanation`` is the timeline's sentence for staff
    (default: "Could not send … to the resident: <error>"); ``error`` is kept on the message.
    """
    with transaction.atomic():
        message.status = status
        message.last_error = error
        message.status_changed_at = now
        fields = ["status", "last_error", "status_changed_at"]
        if provider_id and not message.provider_id:
            message.provider_id = provider_id
            fields.append("provider_id")
        message.save(update_fields=fields)
        if message.case_id:
            record(
                message.case,
                EventKind.DELIVERY,
                actor_label=reported_by,
                channel=message.channel,
                message=message,
                body=explanation
                or f"Could not send {message.get_channel_display()} to the resident: {error}",
                data=data,
                at=now,
            )
    return message


def apply_delivery_status(
    channel: str,
    *,
    provider_id: str,
    status: str,
    message_id: int | None = None,
    error: str = "",
    reported_by: str,
    explanation: str = "",
    data: dict | None = None,
    now: datetime.datetime | None = None,
) -> Message | None:
    """A provider says what became of a message we sent. Returns it, or None if not ours.

    Statuses only move forward (``RANK``): a callback that arrives late or twice changes
    nothing, and our own ``queued``/``sending`` are never set from outside (the dispatcher
    owns those, and would send the message again). A suppressed or ignored message is not the
    provider's to change. ``message_id`` (our id, carried in a signed callback URL) finds a
    message whose provider id was not recorded yet; if it names a message with another
    provider id (a signed URL replayed), it is ignored. ``undelivered``/``failed`` go through
    ``record_failure``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        candidates = Message.objects.select_for_update().filter(
            channel=channel, direction=Direction.OUT
        )
        message = None
        if message_id is not None:
            message = candidates.filter(pk=message_id).first()
            if message and message.provider_id and message.provider_id != provider_id:
                message = None
        if message is None and provider_id:
            message = candidates.filter(provider_id=provider_id).first()
        if message is None or status not in RANK:
            return message
        if message.status not in RANK or RANK[status] <= RANK[message.status]:
            return message
        if status in NOT_RECEIVED:
            return record_failure(
                message,
                error,
                now=now,
                status=status,
                reported_by=reported_by,
                explanation=explanation,
                data=data,
                provider_id=provider_id,
            )
        message.status = status
        message.status_changed_at = now
        fields = ["status", "status_changed_at"]
        if provider_id and not message.provider_id:
            message.provider_id = provider_id
            fields.append("provider_id")
        message.save(update_fields=fields)
    return message


def record_bounce(
    provider_ids: list[str],
    *,
    failed_recipients: list[str],
    error: str,
    explanation: Callable[[str], str],
    now: datetime.datetime | None = None,
) -> list[Message]:
    """A permanent bounce quoting our outbound emails: each is failed (``record_failure``) and
    its resident's address marked bouncing, so nothing more is sent to it until corrected.

    ``failed_recipients`` (when the bounce names them) limits it to those addresses;
    ``explanation(address)`` is the timeline's sentence for staff.
    """
    now = now or timezone.now()
    marked = []
    with transaction.atomic():
        sent = (
            Message.objects.select_for_update()
            .filter(channel=Channel.EMAIL, direction=Direction.OUT)
            .filter(
                Q(provider_id__in=provider_ids) | Q(**{"headers__Message-ID__in": provider_ids})
            )
            .exclude(status=MessageStatus.FAILED)
        )
        for message in sent:
            address = message.recipient.lower()
            if failed_recipients and address not in failed_recipients:
                continue
            record_failure(
                message,
                error,
                now=now,
                reported_by="Email",
                explanation=explanation(address),
            )
            if message.resident_id:
                mark_email_bouncing(message.resident_id, address)
            marked.append(message)
    return marked
