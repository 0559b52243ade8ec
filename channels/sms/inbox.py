"""Accepting a Twilio SMS webhook: one statement into the inbox, or a file in the disk spool.

This is all the inbound-text webhook and the delivery-status callback do after the signature
check (``channels.sms.views``): read the few fields that identify the request, write it, answer.
Filing happens behind it (``channels.sms.filing``), so a burst costs the resident a moment's
wait for the reply, never an error — and a provider's retry is a no-op.

**One statement.** ``INSERT … ON CONFLICT (key) DO NOTHING`` (the key is the MessageSid, so a
retry, even ten at once, inserts nothing). On PostgreSQL the same statement wakes the filing
workers: ``pg_notify`` in a CTE over the inserted row, delivered at commit (autocommit: at
once), so ``manage.py file_texts`` starts filing without waiting for its next poll.

**The spool.** When the database cannot be reached (``OperationalError``/``InterfaceError`` on
the insert) the request is written to ``PORTAL_SMS_SPOOL_DIR`` instead, one file per request
named by kind and key (a retry overwrites its own file with the same content): written to a
temporary file, ``fsync``'d, renamed into place (atomic on POSIX), and the directory
``fsync``'d so the rename itself survives a power cut. Only then is Twilio answered 200.
``drain_spool`` (run by the filing worker before each round) inserts each file with the same
statement — idempotent, so a file moved twice is harmless — and deletes it after the insert
committed. A file that cannot be read is moved aside to ``unreadable/`` and logged, never
deleted. ``spool_stats`` gives the size and the oldest file's age (``/healthz``, the worker's
log).

Why by hand: this is forty lines of standard POSIX durability (the same sequence SQLite and
PostgreSQL use for their own files); no maintained Django library offers a durable local
fallback queue for a webhook, and a queue server would be one more thing to be down.

A spool is local to the host (or volume) the web process writes to: see README "SMS inbox"
for one spool per web container versus a shared volume.
"""

import datetime
import json
import logging
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from services import inbound as clean

logger = logging.getLogger(__name__)

NOTIFY_CHANNEL = "sms_inbox"
TEXT, STATUS = "text", "status"
MAX_BODY = 64 * 1024  # Twilio's inbound payload is ~1 kB; 1,600 characters of emoji ~ 20 kB
MAX_QUERY = 300
MAX_LANE = 80
UNREADABLE = "unreadable"
_SID = re.compile(r"^[A-Za-z]{2}[0-9a-fA-F]{32}$")
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")

_INSERT = (
    "INSERT INTO sms_inbox (kind, key, lane, body, query, received_at, source, state, "
    "attempts, next_attempt_at, last_error, outcome) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, 'pending', 0, %s, '', '') "
    "ON CONFLICT (key) DO NOTHING"
)
# The same insert, waking the filing workers (LISTEN sms_inbox) when a row was new.
_INSERT_AND_NOTIFY = (
    "WITH new AS ("
    "INSERT INTO sms_inbox (kind, key, lane, body, query, received_at, source, state, "
    "attempts, next_attempt_at, last_error, outcome) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, 'pending', 0, %s, '', '') "
    "ON CONFLICT (key) DO NOTHING RETURNING id"
    ") SELECT pg_notify('sms_inbox', '') FROM new"
)


class Refused(ValueError):
    """A signed request that is not a usable inbound text (no MessageSid, no sender): 400."""


@dataclass(frozen=True)
class Request:
    """One accepted webhook request, as it is written to the inbox or the spool."""

    kind: str
    key: str
    lane: str
    body: str  # the form-encoded body Twilio signed (cleaned of NULs, bounded)
    query: str
    received_at: datetime.datetime

    def as_json(self) -> bytes:
        data = asdict(self) | {"received_at": self.received_at.isoformat(), "signed": True}
        return json.dumps(data, ensure_ascii=True).encode("ascii")

    @classmethod
    def from_json(cls, raw: bytes) -> "Request":
        data = json.loads(raw)
        if data.get("signed") is not True or data.get("kind") not in (TEXT, STATUS):
            raise ValueError("not a signed SMS webhook request")
        received = parse_datetime(str(data["received_at"]))
        if received is None:
            raise ValueError("received_at is not a time")
        return cls(
            kind=data["kind"],
            key=clean.line(data["key"], 120),
            lane=clean.line(data["lane"], MAX_LANE),
            body=clean.storable(str(data["body"]))[:MAX_BODY],
            query=clean.line(data.get("query", ""), MAX_QUERY),
            received_at=received,
        )


def _body(raw: bytes) -> str:
    return clean.storable(raw[:MAX_BODY].decode("utf-8", "replace"))


def text_request(
    *, sid: str, sender: str, raw: bytes, now: datetime.datetime | None = None
) -> Request:
    """The inbox row for an inbound text; ``Refused`` if it has no MessageSid or sender.

    ``sid`` and ``sender`` come cleaned from the webhook entrance (``channels.twilio``); the
    same checks ``inbound.InboundText.from_post`` makes when the row is filed, so a row
    accepted here can be filed.
    """
    sid = clean.line(sid, clean.MAX_IDENTIFIER)
    if not _SID.match(sid):
        raise Refused("MessageSid is missing or malformed.")
    sender = clean.phone(sender)
    if not sender:
        raise Refused("From is missing.")
    return Request(TEXT, sid, sender[:MAX_LANE], _body(raw), "", now or timezone.now())


def status_request(
    *,
    sid: str,
    status: str,
    message: str,
    raw: bytes,
    query: str,
    now: datetime.datetime | None = None,
) -> Request:
    """The inbox row for a delivery-status callback (never refused: a signed callback that is
    not one of ours is filed as "not ours", as before).

    Twilio posts several callbacks per MessageSid (sent, delivered …), so the key is the
    MessageSid with the status and our message id; the lane is the MessageSid, so the callbacks
    of one text are applied in the order they came (they only ever move forward anyway).
    """
    sid = clean.line(sid, clean.MAX_IDENTIFIER)
    state = clean.line(status, 20).lower()
    message = clean.line(message, 20)
    key = f"{sid}:{state}:{message}"[:120]
    lane = sid or f"message:{message}"
    query = clean.storable(clean.line(query, MAX_QUERY))
    return Request(STATUS, key, lane[:MAX_LANE], _body(raw), query, now or timezone.now())


def insert(request: Request, *, source: str = "webhook") -> bool:
    """Write ``request`` into the inbox in one statement. True if it was new.

    Database errors propagate: ``accept`` turns "cannot reach the database" into the spool.
    """
    params = [
        request.kind,
        request.key,
        request.lane,
        request.body,
        request.query,
        request.received_at,
        source,
        request.received_at,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_INSERT_AND_NOTIFY, params)
        else:
            cursor.execute(_INSERT, params)
        return cursor.rowcount == 1


def accept(request: Request) -> str:
    """Keep ``request`` durably: in the inbox, or (database unreachable) in the spool.

    Returns ``"inbox"``, ``"duplicate"`` or ``"spool"``. Raises only when neither the database
    nor the disk can take it (then Twilio gets a 500 and ``sms_catch_up`` is the way back).
    """
    try:
        return "inbox" if insert(request) else "duplicate"
    except (OperationalError, InterfaceError) as error:
        # A broken persistent connection (CONN_MAX_AGE) is dropped now, so the next request
        # connects afresh instead of failing on the dead one.
        connection.close_if_unusable_or_obsolete()
        path = spool(request)
        logger.warning(
            "SMS webhook: database unreachable (%s: %s); %s %s spooled to %s",
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
            request.kind,
            request.key,
            path,
        )
        return "spool"


# --- the spool ---------------------------------------------------------------------------------


def spool_dir() -> Path:
    return Path(settings.PORTAL_SMS_SPOOL_DIR)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def spool(request: Request, directory: Path | None = None) -> Path:
    """Write ``request`` to its own file in the spool, durably, before Twilio is answered."""
    directory = directory or spool_dir()
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{request.kind}-{_SAFE.sub('_', request.key)}.json"
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(request.as_json())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_dir(directory)
    return target


def spooled(directory: Path | None = None) -> list[Path]:
    directory = directory or spool_dir()
    try:
        entries = [Path(e.path) for e in os.scandir(directory) if e.name.endswith(".json")]
    except FileNotFoundError:
        return []
    return sorted(entries)


def spool_stats(directory: Path | None = None, now: float | None = None) -> dict:
    """How many requests wait in the spool, and the oldest one's age in seconds (0 if none)."""
    files = spooled(directory)
    oldest = None
    for path in files:
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:  # moved into the inbox meanwhile
            continue
        oldest = mtime if oldest is None else min(oldest, mtime)
    now = now if now is not None else timezone.now().timestamp()
    return {
        "spooled": len(files),
        "oldest_seconds": round(max(0.0, now - oldest), 1) if oldest is not None else 0,
    }


def drain_spool(directory: Path | None = None, limit: int = 1000) -> int:
    """Move spooled requests into the inbox (idempotent). Returns how many files were moved.

    A database error stops the drain and propagates (the files stay for the next round).
    """
    directory = directory or spool_dir()
    moved = 0
    for path in spooled(directory)[:limit]:
        try:
            request = Request.from_json(path.read_bytes())
        except FileNotFoundError:
            continue  # another worker moved it
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
            aside = directory / UNREADABLE
            aside.mkdir(exist_ok=True)
            os.replace(path, aside / path.name)
            logger.error("SMS spool: %s cannot be read (%s); moved to %s", path.name, error, aside)
            continue
        insert(request, source="spool")
        path.unlink(missing_ok=True)
        moved += 1
    if moved:
        _fsync_dir(directory)
        logger.info("SMS spool: moved %s spooled requests into the inbox", moved)
    return moved
