"""The outbox: queued with the change, sent by the dispatcher, retried, never lost or doubled."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from services.actions.messages import queue_message
from services.models import MessageStatus, MessageTemplate, Status
from services.outbound.backends import locmem
from services.outbound.backends.base import PermanentFailure, TemporaryFailure
from services.outbound.dispatch import backoff, dispatch_due, in_quiet_hours
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

LONDON = ZoneInfo("Europe/London")
NOON = datetime.datetime(2026, 11, 2, 12, tzinfo=LONDON)


@pytest.fixture
def case(db):
    service = ServiceFactory(responsible_council=CouncilFactory(code="MKC"))
    return make_case(service, ResidentFactory(preferred_channel="sms"), status=Status.OPEN)


def test_a_temporary_failure_is_retried_with_backoff_and_then_sent_once(case, outbox):
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Hello", now=NOON)
    locmem.fail_next(TemporaryFailure("connection refused"), times=2)
    assert dispatch_due(now=NOON) == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 1
    assert message.next_attempt_at == NOON + backoff(1)
    assert dispatch_due(now=NOON) == 0  # not due yet: nothing happens
    assert dispatch_due(now=NOON + backoff(1)) == 0  # second failure
    assert dispatch_due(now=NOON + datetime.timedelta(hours=2)) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.attempts == 3
    assert len(outbox) == 1 and outbox[0].provider_id == message.provider_id


def test_a_permanent_failure_is_recorded_on_the_case_and_not_retried(case, outbox):
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Hello", now=NOON)
    locmem.fail_next(PermanentFailure("invalid number"))
    dispatch_due(now=NOON)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "invalid number" in message.last_error
    assert case.timeline.filter(kind="delivery").exists()
    assert dispatch_due(now=NOON + datetime.timedelta(days=1)) == 0
    assert outbox == []


def test_messages_to_one_resident_go_in_the_order_they_were_queued(case, outbox):
    first = queue_message(case, MessageTemplate.Kind.REPLY, body="first", now=NOON)
    second = queue_message(
        case, MessageTemplate.Kind.REPLY, body="second", now=NOON + datetime.timedelta(seconds=1)
    )
    locmem.fail_next(TemporaryFailure("busy"))
    later = NOON + datetime.timedelta(seconds=5)
    from services.outbound.dispatch import dispatch

    dispatch(first.pk, later)  # fails
    assert dispatch(second.pk, later) is None  # held back behind the first
    dispatch_due(now=NOON + datetime.timedelta(hours=1))
    assert [m.body for m in outbox] == [
        "first (Ref " + case.display_reference + ")",
        "second (Ref " + case.display_reference + ")",
    ]
    second.refresh_from_db()
    assert second.status == MessageStatus.SENT


def test_a_worker_that_died_mid_send_does_not_lose_the_message(case, outbox):
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Hello", now=NOON)
    message.status = MessageStatus.SENDING
    message.status_changed_at = NOON
    message.save()
    assert dispatch_due(now=NOON + datetime.timedelta(minutes=5)) == 0  # maybe still sending
    assert dispatch_due(now=NOON + datetime.timedelta(minutes=11)) == 1
    assert len(outbox) == 1


def test_quiet_hours_are_evening_and_early_morning():
    assert in_quiet_hours(datetime.datetime(2026, 11, 2, 22, tzinfo=LONDON))
    assert in_quiet_hours(datetime.datetime(2026, 11, 2, 7, 59, tzinfo=LONDON))
    assert not in_quiet_hours(NOON)


def test_suppressed_when_the_resident_cannot_be_reached(db, outbox):
    service = ServiceFactory(responsible_council=CouncilFactory(code="MKC"))
    resident = ResidentFactory(email="", phone="")
    case = make_case(service, resident)
    message = queue_message(case, MessageTemplate.Kind.STATUS_UPDATE, now=NOON)
    assert message.status == MessageStatus.SUPPRESSED and "no" in message.last_error
    assert dispatch_due(now=NOON) == 0 and outbox == []


def test_rendering_falls_back_to_english_and_says_so(case):
    MessageTemplate.objects.create(kind="reply", channel="sms", language="en", body="EN {{ body }}")
    MessageTemplate.objects.create(kind="reply", channel="sms", language="pl", body="PL {{ body }}")
    case.resident.language = "pl"
    assert queue_message(case, "reply", body="x", now=NOON).body == "PL x"
    case.resident.language = "ro"
    fallback = queue_message(case, "reply", body="x", now=NOON)
    assert fallback.body == "EN x" and fallback.language == "en"
    assert fallback.metadata["template_fell_back"] is True


def test_a_delivery_callback_that_beats_the_send_is_not_overwritten(case, outbox):
    from services.models import Message
    from services.outbound.backends.base import OutboundBackend, SendResult
    from services.outbound.dispatch import dispatch

    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Hello", now=NOON)

    class RacingBackend(OutboundBackend):
        def send(self, msg):
            # The provider's "delivered" callback lands while the API call is returning.
            Message.objects.filter(pk=msg.pk).update(status=MessageStatus.DELIVERED)
            return SendResult(provider_id="SMracing")

    from django.test import override_settings

    from services.outbound.registry import get_backend

    with override_settings(
        PORTAL_CHANNEL_BACKENDS={
            "sms": f"{__name__}.RacingBackend",
            "email": "services.outbound.backends.locmem.LocmemBackend",
        }
    ):
        globals()["RacingBackend"] = RacingBackend
        get_backend.cache_clear()
        assert dispatch(message.pk, NOON) == MessageStatus.DELIVERED
    get_backend.cache_clear()
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.provider_id == "SMracing"
