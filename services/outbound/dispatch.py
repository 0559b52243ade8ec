"""Send queued messages through their channel's backend, with retries and backoff.

One message is claimed at a time with ``SELECT … FOR UPDATE SKIP LOCKED`` so any number of
workers can run. A message is only marked ``sent`` after its backend returned; a temporary
failure puts it back in the queue for later (exponential backoff, capped); a permanent one
marks it ``failed`` and says so on the case. Messages to one resident go in the order they
were queued: a later one waits while an earlier one is still pending.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from services.models import EventKind, Message, MessageStatus, TimelineEvent
from services.outbound.backends.base import PermanentFailure, TemporaryFailure
from services.outbound.registry import get_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BASE_DELAY = 30  # seconds
MAX_DELAY = 60 * 60
# A message left "sending" this long was being sent by a worker that died: send it again.
STALE_SENDING = datetime.timedelta(minutes=10)
QUIET_START, QUIET_END = datetime.time(21, 0), datetime.time(8, 0)


def backoff(attempts: int, retry_after: float | None = None) -> datetime.timedelta:
    delay = min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    if retry_after:
        delay = max(delay, retry_after)
    return datetime.timedelta(seconds=delay)


def in_quiet_hours(moment: datetime.datetime) -> bool:
    local = timezone.localtime(moment).time()
    return local >= QUIET_START or local < QUIET_END


def end_of_quiet_hours(moment: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(moment)
    day = local.date() if local.time() < QUIET_END else local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(day, QUIET_END, tzinfo=local.tzinfo)


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


def _claim(message_id: int, now: datetime.datetime) -> Message | None:
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=MessageStatus.QUEUED)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            .first()
        )
        if message is None or _earlier_pending(message):
            return None
        backend = get_backend(message.channel)
        if backend.respects_quiet_hours and not message.urgent and in_quiet_hours(now):
            message.next_attempt_at = end_of_quiet_hours(now)
            message.save(update_fields=["next_attempt_at"])
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.status_changed_at = now
        message.save(update_fields=["status", "attempts", "status_changed_at"])
        return message


def dispatch(message_id: int, now: datetime.datetime | None = None) -> str | None:
    """Try to send one message now. Returns its new status, or None if it was not due/ours."""
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return None
    backend = get_backend(message.channel)
    try:
        result = backend.send(message)
    except TemporaryFailure as error:
        if message.attempts >= MAX_ATTEMPTS:
            return _fail(message, f"Gave up after {message.attempts} attempts: {error}", now)
        message.status = MessageStatus.QUEUED
        message.last_error = str(error)
        message.next_attempt_at = now + backoff(message.attempts, error.retry_after)
        message.status_changed_at = now
        message.save(update_fields=["status", "last_error", "next_attempt_at", "status_changed_at"])
        logger.warning("Message %s will be retried: %s", message.pk, error)
        return message.status
    except PermanentFailure as error:
        return _fail(message, str(error), now)
    except Exception as error:
        # An unexpected error is treated as temporary: the message is kept, never lost.
        logger.exception("Unexpected error sending message %s", message.pk)
        message.status = MessageStatus.QUEUED
        message.last_error = f"{type(error).__name__}: {error}"
        message.next_attempt_at = now + backoff(message.attempts)
        message.save(update_fields=["status", "last_error", "next_attempt_at"])
        return message.status
    provider_id = message.provider_id or result.provider_id or None
    status = MessageStatus.DELIVERED if result.delivered else MessageStatus.SENT
    # Conditional: a provider's status callback ("delivered") can arrive before this line
    # runs; it has already moved the message on, and must not be put back to "sent".
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=status, provider_id=provider_id, sent_at=now, status_changed_at=now, last_error=""
    )
    if not updated:
        Message.objects.filter(pk=message.pk, provider_id__isnull=True).update(
            provider_id=provider_id, sent_at=now
        )
    message.refresh_from_db(fields=["status", "provider_id", "sent_at", "status_changed_at"])
    _send_next_for_resident(message, now)
    return message.status


def _send_next_for_resident(message: Message, now) -> None:
    """A message held back behind this one can go now, keeping the resident's order."""
    if message.resident_id is None:
        return
    following = (
        Message.objects.filter(
            resident_id=message.resident_id,
            channel=message.channel,
            direction=message.direction,
            status=MessageStatus.QUEUED,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        dispatch(following, now)


def _fail(message: Message, reason: str, now) -> str:
    with transaction.atomic():
        message.status = MessageStatus.FAILED
        message.last_error = reason
        message.status_changed_at = now
        message.save(update_fields=["status", "last_error", "status_changed_at"])
        if message.case_id:
            TimelineEvent.objects.create(
                case_id=message.case_id,
                kind=EventKind.DELIVERY,
                created_at=now,
                actor_label="System",
                channel=message.channel,
                message=message,
                body=f"Could not send {message.get_channel_display()} to the resident: {reason}",
            )
    return message.status


def dispatch_due(now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Send every queued message that is due, oldest first. Returns how many were sent."""
    now = now or timezone.now()
    Message.objects.filter(
        status=MessageStatus.SENDING, status_changed_at__lt=now - STALE_SENDING
    ).update(status=MessageStatus.QUEUED, next_attempt_at=now)
    due = list(
        Message.objects.filter(status=MessageStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in due:
        if dispatch(pk, now) in (MessageStatus.SENT, MessageStatus.DELIVERED):
            sent += 1
    return sent
