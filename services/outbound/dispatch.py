"""Send queued messages through their channel's backend, with retries and backoff.

One message is claimed at a time with ``SELECT … FOR UPDATE SKIP LOCKED`` so any number of
workers can run. A message is only marked ``sent`` after its backend returned; a temporary
failure puts it back in the queue for later (exponential backoff, capped); a permanent one
marks it ``failed`` and says so on the case. Messages to one resident go in the order they
were queued: a later one waits while an earlier one is still pending.

This module sends; every write it causes — claiming, sent, retry, failure, stale messages —
is a message action (``services.actions.messages``), so the dispatcher's outcomes are recorded
exactly as a provider's callback or a bounce would record them.
"""

import datetime
import logging

from django.db.models import Q
from django.utils import timezone

from services.actions import messages as actions
from services.models import Message, MessageStatus
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


def _hold_until(message: Message, now: datetime.datetime) -> datetime.datetime | None:
    """When a message may not go yet: a non-urgent text in quiet hours waits for the morning."""
    backend = get_backend(message.channel)
    if backend.respects_quiet_hours and not message.urgent and in_quiet_hours(now):
        return end_of_quiet_hours(now)
    return None


def dispatch(message_id: int, now: datetime.datetime | None = None) -> str | None:
    """Try to send one message now. Returns its new status, or None if it was not due/ours."""
    now = now or timezone.now()
    message = actions.claim_for_sending(
        message_id, now, hold_until=lambda message: _hold_until(message, now)
    )
    if message is None:
        return None
    backend = get_backend(message.channel)
    try:
        result = backend.send(message)
    except TemporaryFailure as error:
        if message.attempts >= MAX_ATTEMPTS:
            return _fail(message, f"Gave up after {message.attempts} attempts: {error}", now)
        actions.retry_later(
            message, str(error), at=now + backoff(message.attempts, error.retry_after), now=now
        )
        logger.warning("Message %s will be retried: %s", message.pk, error)
        return message.status
    except PermanentFailure as error:
        return _fail(message, str(error), now)
    except Exception as error:
        # An unexpected error is treated as temporary: the message is kept, never lost.
        logger.exception("Unexpected error sending message %s", message.pk)
        actions.retry_later(
            message,
            f"{type(error).__name__}: {error}",
            at=now + backoff(message.attempts),
            now=now,
            status_changed=False,
        )
        return message.status
    actions.mark_sent(message, provider_id=result.provider_id, delivered=result.delivered, now=now)
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
    return actions.record_failure(message, reason, now=now).status


def dispatch_due(now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Send every queued message that is due, oldest first. Returns how many were sent."""
    now = now or timezone.now()
    actions.requeue_stale(now, older_than=STALE_SENDING)
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
