"""Send queued messages through their channel's backend, with retries and backoff.

One message is claimed at a time with ``SELECT … FOR UPDATE SKIP LOCKED`` so any number of
workers can run. A message is only marked ``sent`` after its backend returned; a temporary
failure puts it back in the queue for later (exponential backoff, capped); a permanent one
marks it ``failed`` and says so on the case. Messages to one resident go in the order they
were queued: a later one waits while an earlier one is still pending.

This module sends; every write it causes — claiming, sent, retry, failure, stale messages —
is a message action (``services.actions.messages``), so the dispatcher's outcomes are recorded
exactly as a provider's callback or a bounce would record them.

**A worker killed mid-send.** "sending" is committed before the provider call, and "sent"
after it; a worker that dies in between leaves the message "sending". After
``STALE_SENDING`` the sweep (``recover_stale``, run by ``dispatch_due``) asks the channel's
backend whether it left (``find_sent``: Twilio's message log for a text, by recipient,
sender, time and words) and marks it sent if so; otherwise it goes back in the queue and is
sent again. Email is sent again with the Message-ID it was given when queued — ours, stable
across every attempt — so the second copy is the same message to the recipient's mail system
(threaded as one, and dropped as a duplicate by the mail systems that deduplicate).
"""

import datetime
import logging
import time
from pathlib import Path

from django.conf import settings
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
        fault_point("after-send", message)
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


def fault_point(name: str, message: Message) -> None:
    """A pause for the fault tests, off unless ``PORTAL_FAULT_PAUSE`` names a directory (never
    set outside tests): there the worker writes ``<name>-<message id>`` and waits to be
    killed, so the test's SIGKILL lands exactly between the provider call and the commit that
    records it — with the real send path up to that point."""
    directory = getattr(settings, "PORTAL_FAULT_PAUSE", "")
    if not directory:
        return
    Path(directory, f"{name}-{message.pk}").touch()
    time.sleep(float(getattr(settings, "PORTAL_FAULT_PAUSE_SECONDS", 60)))


# When searching the provider's log, start this long before the claim (clocks differ).
CLOCK_SLACK = datetime.timedelta(minutes=2)


def recover_stale(now: datetime.datetime | None = None) -> int:
    """Messages a dead worker left "sending": marked sent when the provider's log shows they
    left, else put back in the queue to be sent again. Returns how many were found sent.

    A message whose provider cannot be asked now (``TemporaryFailure``) stays "sending" and is
    asked again at a later sweep: never sent twice because the log was unreachable.
    """
    now = now or timezone.now()
    found = 0
    for pk in actions.stale_sending(now, older_than=STALE_SENDING):
        claimed = actions.claim_stale(pk, now, older_than=STALE_SENDING)
        if claimed is None:
            continue
        message, claimed_at = claimed
        backend = get_backend(message.channel)
        try:
            candidates = backend.find_sent(message, since=claimed_at - CLOCK_SLACK)
        except TemporaryFailure as error:
            logger.warning("Cannot tell yet whether message %s left: %s", message.pk, error)
            continue
        taken = actions.known_provider_ids(
            message.channel,
            [c.provider_id for c in candidates if c.provider_id],
            other_than=message.pk,
        )
        match = next((c for c in candidates if c.provider_id not in taken), None)
        if match is not None:
            actions.found_sent(
                message, provider_id=match.provider_id, delivered=match.delivered, now=now
            )
            logger.info("Message %s had left before its worker died: marked sent", message.pk)
            found += 1
        else:
            actions.requeue_unsent(
                message, now=now, reason="not in the provider's log (or it keeps none): sent again"
            )
            logger.warning("Message %s was left sending by a worker that died: sending", pk)
    return found


def dispatch_due(now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Send every queued message that is due, oldest first. Returns how many were sent."""
    now = now or timezone.now()
    recover_stale(now)
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
