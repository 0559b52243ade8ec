"""Filing the SMS inbox: every accepted text through intake, in order per sender, with a reply.

The webhook only accepted the text (``channels.sms.inbox``); this is where it does what it
asks, through exactly the code the webhook ran before (``inbound.receive``: STOP/START/HELP,
a bare reference's status — only to the case's own number —, threading, a new case, "which
case?") and the reply it worded is sent as an ordinary outbound text through the outbox
(``queue_text``, urgent: it answers a text the resident has just sent).

**Order per sender, senders in parallel.** Rows of one *lane* (a text's sender; a status
callback's MessageSid) are filed one at a time in arrival order: a worker takes a row only if
no older row of its lane is still pending, and only under a transaction-scoped advisory lock
on the lane (``pg_try_advisory_xact_lock``: another worker holding the lane skips to another
sender instead of waiting), then locks the row itself (``FOR UPDATE``) and checks again. So a
STOP is filed — consent withdrawn — before that sender's next text is looked at, and its
answer is withheld (``opted_out``). Any number of workers file different senders at once.

**Exactly once.** Filing a row, the reply it queues and marking it filed are one transaction:
a worker killed half-way leaves the row pending and nothing of its filing (PostgreSQL rolls
the transaction back), and the next worker files it from scratch. Intake is idempotent on
MessageSid as well, so a text that ``sms_catch_up`` took in first is recognised and not
answered twice.

**Failures.** A row whose filing raises is retried with backoff (``BACKOFF`` seconds,
doubling) and after ``MAX_ATTEMPTS`` parked: it keeps its error, shows on the desk
(``/desk/sms-inbox/``) and stops holding up its lane. A payload that can never be filed
(malformed) is parked at once. Losing the database itself is not the row's fault: the error
propagates, nothing is counted, and the worker waits and tries again.
"""

import datetime
import logging
import traceback
from dataclasses import dataclass, field

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.http import QueryDict
from django.utils import timezone

from channels.sms import actions, inbound, inbox, keywords, status
from channels.sms.models import InboxEntry
from channels.twilio import Sid
from services import inbound as clean
from services.actions.messages import queue_text
from services.models import Channel, Resident
from services.models.catalogue import MessageTemplate

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF = 5  # seconds before the second attempt; doubles each time, capped at MAX_BACKOFF
MAX_BACKOFF = 15 * 60  # so a row is parked about 20 minutes after its first failure

FILED, SKIPPED, RETRY, PARKED = "filed", "skipped", "retry", "parked"
SID = Sid()

# Is there an older pending row in the same lane? (Literal SQL: nothing here comes from input.)
_CANDIDATES = (
    "SELECT i.id, i.lane FROM sms_inbox i "
    "WHERE i.state = 'pending' AND i.next_attempt_at <= %s "
    "AND NOT EXISTS (SELECT 1 FROM sms_inbox j WHERE j.state = 'pending' AND j.lane = i.lane "
    "AND (j.received_at, j.id) < (i.received_at, i.id)) "
    "ORDER BY i.received_at, i.id LIMIT %s"
)
_STILL_FIRST = (
    "SELECT NOT EXISTS (SELECT 1 FROM sms_inbox j WHERE j.state = 'pending' AND j.lane = i.lane "
    "AND (j.received_at, j.id) < (i.received_at, i.id)) FROM sms_inbox i WHERE i.id = %s"
)


@dataclass
class Round:
    """What one ``file_due`` call did."""

    spool_moved: int = 0
    filed: int = 0
    retried: int = 0
    parked: int = 0
    skipped: int = 0
    outcomes: dict = field(default_factory=dict)

    @property
    def touched(self) -> int:
        return self.filed + self.retried + self.parked


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(BACKOFF * 2 ** max(attempts - 1, 0), MAX_BACKOFF))


def file_due(*, limit: int = 100, now: datetime.datetime | None = None) -> Round:
    """Move the spool into the inbox, then file up to ``limit`` due rows, oldest first."""
    report = Round(spool_moved=inbox.drain_spool())
    with connection.cursor() as cursor:
        cursor.execute(_CANDIDATES, [now or timezone.now(), limit])
        candidates = cursor.fetchall()
    for entry_id, lane in candidates:
        result, outcome = file_one(entry_id, lane, now=now)
        if result == FILED:
            report.filed += 1
            report.outcomes[outcome] = report.outcomes.get(outcome, 0) + 1
        elif result == RETRY:
            report.retried += 1
        elif result == PARKED:
            report.parked += 1
        else:
            report.skipped += 1
    return report


def file_all(*, limit: int = 100, rounds: int = 1000) -> Round:
    """File until nothing is due (for tests, the simulator and ``file_texts --once``)."""
    total = Round()
    for _ in range(rounds):
        report = file_due(limit=limit)
        total.spool_moved += report.spool_moved
        total.filed += report.filed
        total.retried += report.retried
        total.parked += report.parked
        for outcome, count in report.outcomes.items():
            total.outcomes[outcome] = total.outcomes.get(outcome, 0) + count
        if not report.touched and not report.spool_moved:
            break
    return total


def _lock_lane(lane: str) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: one writer at a time; the demo runs one filing worker
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))", [f"sms:{lane}"])
        return bool(cursor.fetchone()[0])


def _still_first(entry_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_STILL_FIRST, [entry_id])
        row = cursor.fetchone()
        return bool(row and row[0])


def file_one(entry_id: int, lane: str, *, now: datetime.datetime | None = None) -> tuple[str, str]:
    """File one row if it is still pending, due and first in its lane. (result, outcome)."""
    with transaction.atomic():
        if not _lock_lane(lane):
            return SKIPPED, ""
        entry = (
            InboxEntry.objects.select_for_update(skip_locked=True)
            .filter(pk=entry_id, state=InboxEntry.State.PENDING)
            .first()
        )
        moment = now or timezone.now()
        if entry is None or entry.next_attempt_at > moment or not _still_first(entry_id):
            return SKIPPED, ""
        try:
            with transaction.atomic():
                outcome = _file(entry, moment)
        except inbound.MalformedPayload as error:
            actions.record_failure(entry, f"Cannot be filed: {error}", moment, retry_at=None)
            logger.error("SMS inbox %s parked: %s", entry.key, error)
            return PARKED, ""
        except (OperationalError, InterfaceError):
            if not connection.is_usable():
                raise  # the database went away: not this row's fault; try again later
            return _failed(entry, moment)
        except Exception:  # noqa: BLE001 - any failure of one row is recorded on it, then retried
            return _failed(entry, moment)
        actions.mark_filed(entry, outcome, moment)
        return FILED, outcome


def _failed(entry: InboxEntry, now: datetime.datetime) -> tuple[str, str]:
    error = traceback.format_exc(limit=6)
    attempts = entry.attempts + 1
    retry_at = None if attempts >= MAX_ATTEMPTS else now + backoff(attempts)
    actions.record_failure(entry, error, now, retry_at=retry_at)
    if retry_at is None:
        logger.error("SMS inbox %s parked after %s attempts:\n%s", entry.key, attempts, error)
        return PARKED, ""
    logger.warning("SMS inbox %s failed (attempt %s), retry at %s", entry.key, attempts, retry_at)
    return RETRY, ""


def _file(entry: InboxEntry, now: datetime.datetime) -> str:
    data = QueryDict(entry.body)
    if entry.kind == InboxEntry.Kind.STATUS:
        # Read through the same cleaning as the webhook entrance: a NUL in a sid is no id.
        message = status.apply_status(
            message_sid=SID.clean(data.get("MessageSid") or data.get("SmsSid")),
            status=clean.line(data.get("MessageStatus") or data.get("SmsStatus"), 20),
            error_code=clean.line(data.get("ErrorCode"), 10),
            message_id=clean.line(QueryDict(entry.query).get("message"), 20),
            now=entry.received_at,
        )
        return "applied" if message is not None else "not_ours"
    text = inbound.InboundText.from_post(data)
    outcome = inbound.receive(text, raw=entry.body, now=entry.received_at)
    if outcome.duplicate:
        return "duplicate"  # taken in before (sms_catch_up): it was answered then
    if not send_reply(text, outcome, now=now):
        return f"{outcome.kind}:no_reply"[:30]
    return outcome.kind


def opted_out(phone: str) -> bool:
    """Whether this number has said STOP (any live record of it): then no answer is sent."""
    return Resident.objects.filter(
        phone=phone, merged_into__isnull=True, consent_sms=False
    ).exists()


def send_reply(text: inbound.InboundText, outcome: inbound.Outcome, *, now) -> bool:
    """Queue the answer ``inbound.receive`` worded, as an urgent outbound text. Sent or not.

    Withheld when there is nothing to say (Twilio's Advanced Opt-Out answered a STOP itself),
    when the sender is not a phone number (a short code or sender id cannot be texted), and
    when the number has opted out — except the one confirmation of the STOP itself, which the
    TwiML reply used to give too.
    """
    if not outcome.reply or not text.sender.startswith("+"):
        return False
    if outcome.kind != keywords.STOP and opted_out(text.sender):
        return False
    resident = outcome.message.resident
    queue_text(
        channel=Channel.SMS,
        kind=MessageTemplate.Kind.REPLY,
        recipient=text.sender,
        sender=text.recipient if text.recipient.startswith("+") else settings.TWILIO_SMS_FROM,
        body=outcome.reply,
        case=outcome.message.case,
        resident=resident,
        language=(resident.language if resident else "") or settings.LANGUAGE_CODE,
        metadata={"reply_to": text.message_sid},
        urgent=True,
        now=now,
    )
    return True


def backlog() -> dict:
    """Pending and parked rows and the oldest pending row's age (for /healthz and the log)."""
    pending = InboxEntry.objects.filter(state=InboxEntry.State.PENDING)
    oldest = pending.order_by("received_at").values_list("received_at", flat=True).first()
    return {
        "pending": pending.count(),
        "parked": InboxEntry.objects.filter(state=InboxEntry.State.PARKED).count(),
        "oldest_pending_seconds": round((timezone.now() - oldest).total_seconds(), 1)
        if oldest
        else 0,
    }
