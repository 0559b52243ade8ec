"""SMS inbox actions: the only code (with ``inbox.insert``) that writes ``InboxEntry`` rows.

The filing worker (``channels.sms.filing``) calls these inside the transaction that files a
row, so "filed" is committed together with what filing changed — or not at all.
"""

import datetime

from channels.sms.models import InboxEntry

MAX_ERROR = 2000


def mark_filed(entry: InboxEntry, outcome: str, now: datetime.datetime) -> None:
    entry.state = InboxEntry.State.FILED
    entry.filed_at = now
    entry.outcome = outcome[:30]
    entry.last_error = "" if entry.attempts == 0 else entry.last_error
    InboxEntry.objects.filter(pk=entry.pk).update(
        state=entry.state, filed_at=now, outcome=entry.outcome, last_error=entry.last_error
    )


def record_failure(
    entry: InboxEntry, error: str, now: datetime.datetime, *, retry_at: datetime.datetime | None
) -> None:
    """One more failed attempt: try again at ``retry_at``, or (``None``) park the row."""
    entry.attempts += 1
    entry.last_error = error[:MAX_ERROR]
    if retry_at is None:
        entry.state = InboxEntry.State.PARKED
    else:
        entry.next_attempt_at = retry_at
    InboxEntry.objects.filter(pk=entry.pk).update(
        attempts=entry.attempts,
        last_error=entry.last_error,
        state=entry.state,
        next_attempt_at=entry.next_attempt_at,
    )
