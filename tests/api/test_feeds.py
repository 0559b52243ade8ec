"""Event feeds: recorded in the change's transaction for the partners that may see the case,
sent by the worker after the commit, signed, without personal data, in order per case."""

import datetime
import hashlib
import hmac
import json

import pytest
from django.db import transaction
from django.utils import timezone

from api import feeds
from api.models import FeedEvent
from services.actions.cases import change_status, create_case, transfer
from services.actions.partners import create_partner, set_staff_account
from services.models import Channel, Feed, Role, Status
from tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db

# Everything an event may say: the reference, catalogue codes, status and dates. No resident.
PAYLOAD_KEYS = {"id", "type", "created_at", "data", "case", "visible"}
CASE_KEYS = {
    "reference",
    "url",
    "service",
    "status",
    "priority",
    "origin_channel",
    "responsible_council",
    "delivering_council",
    "team",
    "office",
    "created_at",
    "due_at",
}


def verify(secret: str, posted) -> dict:
    """What a partner does: recompute the HMAC over timestamp + "." + body, compare."""
    timestamp = posted.headers["X-Portal-Timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + posted.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(posted.headers["X-Portal-Signature"], f"sha256={expected}")
    return json.loads(posted.body)


def open_case(service, summary="Bin not emptied"):
    resident = ResidentFactory(name="Ada Lovelace", email="ada@example.com")
    return create_case(resident=resident, service=service, channel=Channel.WEB, summary=summary)


def test_a_new_case_is_recorded_in_its_transaction_and_sent_after_the_commit(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            case = open_case(world.bins)
        assert FeedEvent.objects.filter(case=case, kind=Feed.CASE_CREATED).count() == 1
        assert feed_outbox.outbox == []  # nothing sent inside the request's transaction
    for callback in callbacks:  # the commit: the worker's task runs (immediate backend here)
        callback()
    [posted] = feed_outbox.outbox
    assert posted.url == world.partner.feed_url
    assert posted.headers["X-Portal-Event"] == "case.created"
    body = verify(world.secret, posted)
    assert body["type"] == "case.created"
    assert body["case"]["reference"] == case.reference
    assert body["id"] == posted.headers["X-Portal-Event-Id"]
    assert FeedEvent.objects.get(case=case).state == FeedEvent.State.DELIVERED


def test_a_rolled_back_change_leaves_no_event(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        open_case(world.bins)
        raise RuntimeError("the change failed")
    assert FeedEvent.objects.count() == 0


def test_events_carry_no_personal_data(world, feed_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world.bins, summary="Ada Lovelace, 07400 123456, bin")
        change_status(world.partner.user, case, Status.IN_PROGRESS, note="Ada, we are coming")
    assert len(feed_outbox.outbox) == 2
    for posted in feed_outbox.outbox:
        body = verify(world.secret, posted)
        assert set(body) == PAYLOAD_KEYS
        assert set(body["case"]) == CASE_KEYS
        text = posted.body.decode()
        for personal in ("Ada", "Lovelace", "ada@example.com", "07400", "we are coming"):
            assert personal not in text


def test_status_changes_and_transfers_arrive_in_order(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world.bins)
        user = world.partner.user
        change_status(user, case, Status.IN_PROGRESS)
        change_status(user, case, Status.WAITING)
        transfer(user, case, team=world.mk_other, note="parking's")
    bodies = [verify(world.secret, p) for p in feed_outbox.outbox]
    assert [b["type"] for b in bodies] == [
        "case.created",
        "case.status_changed",
        "case.status_changed",
        "case.transferred",
    ]
    assert bodies[1]["data"] == {"from": "received", "to": "in_progress"}
    assert bodies[2]["data"] == {"from": "in_progress", "to": "waiting"}
    assert bodies[3]["data"]["to"]["team"] == "mk-parking"
    assert bodies[3]["case"]["team"] == "mk-parking"


def test_only_the_feeds_subscribed_to_are_sent(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    world.partner.feeds = [Feed.CASE_TRANSFERRED]
    world.partner.save()
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world.bins)
        change_status(world.partner.user, case, Status.IN_PROGRESS)
        transfer(world.partner.user, case, team=world.mk_other)
    assert [p.headers["X-Portal-Event"] for p in feed_outbox.outbox] == ["case.transferred"]


def test_a_case_the_partner_may_not_see_is_never_sent(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        social = open_case(world.social, summary="Care assessment")
        change_status(None, social, Status.IN_PROGRESS, actor_label="test")
        pothole = open_case(world.potholes)
    assert feed_outbox.outbox == []
    assert not FeedEvent.objects.filter(case__in=[social, pothole]).exists()


def test_a_restricted_service_reaches_only_a_partner_in_its_team(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    care = create_partner(
        "Care system", [world.ncc], feeds=[Feed.CASE_CREATED], feed_url="https://care.example.org/"
    )
    set_staff_account(
        care.partner, council=world.ncc, role=Role.CASEWORKER, teams=[world.ncc_social]
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world.social, summary="Care assessment")
    [posted] = feed_outbox.outbox
    assert posted.url == "https://care.example.org/"
    assert verify(care.feed_secret, posted)["case"]["reference"] == case.reference


def test_a_partner_that_loses_sight_by_a_transfer_hears_where_it_went_and_nothing_more(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    restricted_elsewhere = world.social
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(world.bins)
    feed_outbox.reset()
    # An NCC worker moves it into the restricted team's hands: the MKC system can't see it.
    case.service = restricted_elsewhere
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        transfer(None or world.partner.user, case, team=world.ncc_social)
    [posted] = feed_outbox.outbox
    body = verify(world.secret, posted)
    assert body["type"] == "case.transferred"
    assert body["visible"] is False
    assert body["case"] == {"reference": case.reference}
    with django_capture_on_commit_callbacks(execute=True):
        change_status(None, case, Status.IN_PROGRESS, actor_label="test")
    assert len(feed_outbox.outbox) == 1  # and nothing after


def test_a_partner_that_is_down_gets_every_event_later_in_order_per_case(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    feed_outbox.answers = [None, 503, 500]  # refused, a 503, then a 500 on the first retry
    with django_capture_on_commit_callbacks(execute=True):
        first = open_case(world.bins)
        change_status(world.partner.user, first, Status.IN_PROGRESS)
        second = open_case(world.bins)
    # Each case's created event was tried once and failed; the first case's status change
    # waits behind its created event (a lane never overtakes itself).
    tried = [(json.loads(p.body)["case"]["reference"], p.answered) for p in feed_outbox.outbox]
    assert tried == [(first.reference, None), (second.reference, 503)]
    pending = FeedEvent.objects.filter(state=FeedEvent.State.PENDING)
    assert pending.count() == 3
    head = pending.get(case=first, kind=Feed.CASE_CREATED)
    assert head.attempts == 1 and head.last_error and head.next_attempt_at > timezone.now()
    assert feeds.deliver_due().delivered == 0  # nothing is due before its backoff
    later = timezone.now()
    for _ in range(5):
        later += datetime.timedelta(hours=2)
        feeds.deliver_due(now=later)
    assert not FeedEvent.objects.filter(state=FeedEvent.State.PENDING).exists()
    received = [verify(world.secret, p) for p in feed_outbox.outbox if p.answered == 200]
    # Every event once, each case's in the order they happened.
    assert len({b["id"] for b in received}) == len(received) == 3
    by_case = {}
    for body in received:
        by_case.setdefault(body["case"]["reference"], []).append(body["type"])
    assert by_case == {
        first.reference: ["case.created", "case.status_changed"],
        second.reference: ["case.created"],
    }
    assert FeedEvent.objects.get(case=first, kind=Feed.CASE_CREATED).attempts == 3


def test_backoff_doubles_to_an_hour_and_honours_retry_after():
    assert feeds.backoff(1).total_seconds() == 30
    assert feeds.backoff(2).total_seconds() == 60
    assert feeds.backoff(20).total_seconds() == 3600
    assert feeds.backoff(1, retry_after=600).total_seconds() == 600


def test_a_plain_http_address_elsewhere_is_never_posted_to(
    world, feed_outbox, django_capture_on_commit_callbacks
):
    world.partner.feed_url = "http://waste.example.org/events"
    world.partner.save()
    with django_capture_on_commit_callbacks(execute=True):
        open_case(world.bins)
    assert feed_outbox.outbox == []
    event = FeedEvent.objects.get()
    assert event.state == FeedEvent.State.PENDING and "HTTPS" in event.last_error


def test_send_feeds_command_sweeps_what_is_due(world, feed_outbox):
    from io import StringIO

    from django.core.management import call_command

    open_case(world.bins)  # no commit callback ran: still pending
    assert feed_outbox.outbox == []
    out = StringIO()
    call_command("send_feeds", stdout=out)
    assert "1 delivered" in out.getvalue()
    assert len(feed_outbox.outbox) == 1
