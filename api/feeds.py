"""Partner event feeds: record each case event in the change's transaction, send it later.

Recording — ``record_event`` receives ``services.signals.case_changed`` inside the action's
transaction and writes one ``FeedEvent`` per partner that subscribes to the event *and whose
staff account may see the case* (``services.permissions.visible_cases``, the desk's rule), so
a restricted case never reaches a partner outside its team. A partner that was following a
case (it had events for it) and cannot see it after a transfer gets one last
``case.transferred`` saying where it went, without the case's details. Payloads carry the
reference, the catalogue codes, status and dates — never a resident's name or contacts: the
partner reads those through the API, where the same permission applies. After the commit a
task (``api.tasks.deliver_feeds``) is queued by ``api.receivers``; nothing is sent from the web request.

Sending — ``deliver_due`` takes the oldest due event of each lane (one partner, one case) that
has no earlier event still pending, locks it with ``FOR UPDATE SKIP LOCKED`` (any number of
workers), POSTs it and records the answer. 2xx: delivered. Anything else (refused, timeout,
5xx, 4xx, a redirect): it stays pending with exponential backoff (30 s doubling to an hour, or
the partner's ``Retry-After``), and the lane waits behind it — so events arrive in order per
case, and none is lost however long the partner is down. The row stays locked while it is
sent (at most the transport's timeouts): a worker that dies mid-send leaves it pending, and it
is sent again (at least once; ``event_id`` lets the partner drop a repeat).

Signing — ``X-Portal-Signature: sha256=<hex>``, the HMAC-SHA256 under the partner's
``feed_secret`` of ``<X-Portal-Timestamp>.<body>``; the timestamp (Unix seconds) lets a
partner refuse replays. docs/api.md has the partner's side in Python and in shell.
"""

import datetime
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.urls import reverse
from django.utils import timezone

from api.models import FeedEvent
from api.transport import get_transport
from services import permissions
from services.models import Case, Feed, Partner

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"
EVENT_HEADER = "X-Portal-Event"
EVENT_ID_HEADER = "X-Portal-Event-Id"
BASE_DELAY = 30  # seconds
MAX_DELAY = 60 * 60
CACHE_KEY = "api:feed-subscribers"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass(frozen=True)
class Subscriber:
    partner_id: int
    user_id: int
    feeds: frozenset[str]


def _cache():
    # The catalogue cache: partners are catalogue data, and it is cleared with the catalogue.
    return caches["catalogue"]


def subscribers() -> list[Subscriber]:
    """Active partners with a feed address, a staff account and at least one feed (cached:
    every case change asks, and most deployments have no subscriber at all)."""
    found = _cache().get(CACHE_KEY)
    if found is None:
        found = [
            Subscriber(p.pk, p.user_id, frozenset(p.feeds))
            for p in Partner.objects.filter(active=True, user__isnull=False).exclude(feed_url="")
            if isinstance(p.feeds, list) and p.feeds
        ]
        _cache().set(CACHE_KEY, found)
    return found


def forget_subscribers() -> None:
    """A partner changed: read the subscribers again on the next event."""
    _cache().delete(CACHE_KEY)


def _code(obj, attr: str) -> str | None:
    return getattr(obj, attr) if obj is not None else None


def case_snapshot(case: Case) -> dict:
    """What an event says about a case: no personal data, only what the API would also show."""
    return {
        "reference": case.reference,
        "url": settings.PUBLIC_BASE_URL + reverse("api:case-detail", args=[case.reference]),
        "service": case.service.slug,
        "status": case.status,
        "priority": case.priority,
        "origin_channel": case.origin_channel,
        "responsible_council": _code(case.responsible_council, "code"),
        "delivering_council": _code(case.delivering_council, "code"),
        "team": _code(case.team, "slug"),
        "office": _code(case.office, "slug"),
        "created_at": case.created_at,
        "due_at": case.due_at,
    }


def _payload(event_id, kind: str, case: Case | None, reference: str, data: dict, now) -> dict:
    body = {"id": str(event_id), "type": kind, "created_at": now, "data": data}
    body["case"] = case_snapshot(case) if case is not None else {"reference": reference}
    body["visible"] = case is not None
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))


def record_event(event: str, case: Case, data: dict) -> list[FeedEvent]:
    """One pending ``FeedEvent`` per partner subscribed to ``event`` that may see ``case``."""
    wanted = [s for s in subscribers() if event in s.feeds]
    if not wanted:
        return []
    users = get_user_model().objects.in_bulk([s.user_id for s in wanted])
    now = timezone.now()
    written = []
    for subscriber in wanted:
        user = users.get(subscriber.user_id)
        sees = user is not None and permissions.visible_cases(user).filter(pk=case.pk).exists()
        if not sees:
            following = (
                event == Feed.CASE_TRANSFERRED
                and FeedEvent.objects.filter(partner_id=subscriber.partner_id, case=case).exists()
            )
            if not following:
                continue
        row = FeedEvent(partner_id=subscriber.partner_id, case=case, kind=event, created_at=now)
        row.payload = _payload(
            row.event_id, event, case if sees else None, case.reference, data, now
        )
        row.save()
        written.append(row)
    return written


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def backoff(attempts: int, retry_after: float | None = None) -> datetime.timedelta:
    delay = min(BASE_DELAY * 2 ** max(attempts - 1, 0), MAX_DELAY)
    if retry_after:
        delay = max(delay, min(retry_after, 24 * 3600))
    return datetime.timedelta(seconds=delay)


def allowed_url(url: str) -> bool:
    """HTTPS only, except to this machine (a partner's relay, the tests' local server)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)


@dataclass
class Run:
    delivered: int = 0
    failed: int = 0


def _due(now, partner_id: int | None):
    earlier_pending = FeedEvent.objects.filter(
        partner=OuterRef("partner"),
        case=OuterRef("case"),
        state=FeedEvent.State.PENDING,
        id__lt=OuterRef("id"),
    )
    rows = FeedEvent.objects.filter(
        state=FeedEvent.State.PENDING,
        next_attempt_at__lte=now,
        partner__active=True,
    ).exclude(partner__feed_url="")
    if partner_id is not None:
        rows = rows.filter(partner_id=partner_id)
    return rows.exclude(Exists(earlier_pending)).order_by("id")


def _send(row: FeedEvent, now) -> bool:
    partner = row.partner
    body = json.dumps(row.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "public-access-portal-feeds/1",
        EVENT_HEADER: row.kind,
        EVENT_ID_HEADER: str(row.event_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(partner.feed_secret, timestamp, body),
    }
    row.attempts += 1
    if not allowed_url(partner.feed_url):
        answer_ok, code, error, retry_after = False, None, "Feed address must be HTTPS.", None
    else:
        answer = get_transport().post(partner.feed_url, body, headers)
        answer_ok, code, error, retry_after = (
            answer.ok,
            answer.status_code,
            answer.error,
            answer.retry_after,
        )
    row.last_status_code = code
    if answer_ok:
        row.state = FeedEvent.State.DELIVERED
        row.delivered_at = now
        row.last_error = ""
    else:
        row.last_error = error or f"HTTP {code}"
        row.next_attempt_at = now + backoff(row.attempts, retry_after)
        logger.warning(
            "Feed event %s to %s failed (attempt %s): %s",
            row.event_id,
            partner,
            row.attempts,
            row.last_error,
        )
    row.save(
        update_fields=[
            "attempts",
            "state",
            "delivered_at",
            "last_error",
            "last_status_code",
            "next_attempt_at",
        ]
    )
    return answer_ok


def deliver_due(
    partner_id: int | None = None, *, now: datetime.datetime | None = None, limit: int = 500
) -> Run:
    """Send every event that is due, oldest first, each lane in order (see the module)."""
    run = Run()
    for _ in range(limit):
        moment = now or timezone.now()
        with transaction.atomic():
            row = (
                _due(moment, partner_id)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("partner")
                .first()
            )
            if row is None:
                break
            if _send(row, moment):
                run.delivered += 1
            else:
                run.failed += 1
    return run


def next_attempt(partner_id: int | None = None) -> datetime.datetime | None:
    """When the earliest pending event (of ``partner_id``) is next due."""
    rows = FeedEvent.objects.filter(state=FeedEvent.State.PENDING)
    if partner_id is not None:
        rows = rows.filter(partner_id=partner_id)
    return rows.aggregate(at=Min("next_attempt_at"))["at"]
