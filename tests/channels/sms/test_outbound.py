"""Outbound texts through the real TwilioBackend against a local fake Twilio, and callbacks."""

import datetime
import threading
import zoneinfo

import pytest
from django.test import Client

from channels.sms.backends.twilio import TwilioBackend
from channels.sms.models import InboxEntry
from services.actions.messages import queue_message
from services.models import Channel, EventKind, Message, MessageStatus, Status
from services.outbound.backends.base import PermanentFailure, TemporaryFailure
from services.outbound.dispatch import dispatch_due
from tests.channels.sms.conftest import (
    INBOUND_PATH,
    STATUS_PATH,
    file_inbox,
    inbound_payload,
    post_signed,
    reply_text,
    status_payload,
)
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

LONDON = zoneinfo.ZoneInfo("Europe/London")
DAYTIME = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=LONDON)


def _status(client, path, payload):
    """A signed status callback, accepted into the inbox, then filed (the worker's half)."""
    response = post_signed(client, path, payload)
    file_inbox()
    return response


def _sms_resident(**fields):
    return ResidentFactory(preferred_channel=Channel.SMS, consent_sms=True, **fields)


def test_fault_then_recovery_delivers_every_message_once_in_order(db, twilio_backend):
    """Connection refused, then 500s, then 429 — then Twilio recovers."""
    fake = twilio_backend
    # The fake is not listening yet: connections to its port are refused.
    residents = [_sms_resident(phone=f"+4477009001{i:02d}") for i in range(3)]
    messages = []
    for n in range(4):
        for resident in residents:
            case = make_case(resident=resident, status=Status.OPEN)
            messages.append(
                queue_message(
                    case,
                    "status_update",
                    body=f"update {n}",
                    now=DAYTIME + datetime.timedelta(seconds=n),
                )
            )
    assert all(m.status == MessageStatus.QUEUED for m in messages)

    now = DAYTIME + datetime.timedelta(minutes=1)
    step = datetime.timedelta(minutes=5)
    # Phase 1: nothing listens on Twilio's port: connection refused.
    for _ in range(3):
        assert dispatch_due(now=now) == 0
        now += step
    assert fake.requests == 0
    assert not Message.objects.filter(direction="out").exclude(status=MessageStatus.QUEUED).exists()
    # Phases 2 and 3: the server is up but answers 500, then 429 with Retry-After.
    fake.start()
    fake.script = ["500"] * 6 + ["429"] * 3
    for _ in range(200):
        if not fake.script:
            break
        assert dispatch_due(now=now) == 0
        statuses = set(Message.objects.filter(direction="out").values_list("status", flat=True))
        assert statuses == {MessageStatus.QUEUED}, "nothing is sent (or lost) while failing"
        now += step
    assert fake.script == []
    assert fake.accepted == []
    assert "429" in Message.objects.get(pk=messages[0].pk).last_error
    # Recovery: everything goes, within working hours.
    for _ in range(200):
        if not Message.objects.filter(direction="out", status=MessageStatus.QUEUED).exists():
            break
        dispatch_due(now=now)
        now += step
    assert now < DAYTIME.replace(hour=21)
    sent = list(Message.objects.filter(direction="out").order_by("pk"))
    assert {m.status for m in sent} == {MessageStatus.SENT}
    # Exactly once: every message reached Twilio once, and every "sent" is one Twilio accepted.
    accepted_ids = [int(a["StatusCallback"].rsplit("=", 1)[1]) for a in fake.accepted]
    assert sorted(accepted_ids) == sorted(m.pk for m in messages)
    assert {m.provider_id for m in sent} == {a["sid"] for a in fake.accepted}
    # In order per resident.
    for resident in residents:
        to_them = [a["Body"] for a in fake.accepted if a["To"] == resident.phone]
        assert [b.split("update ")[1][0] for b in to_them] == ["0", "1", "2", "3"]
    assert accepted_ids  # the loop did run
    assert all(
        a["StatusCallback"].startswith(
            "https://portal.example.test/channels/sms/twilio/status/?message="
        )
        for a in fake.accepted
    )


def test_backend_maps_errors(db, twilio_backend, settings):
    fake = twilio_backend.start()
    backend = TwilioBackend("sms")
    message = queue_message(
        make_case(resident=_sms_resident(phone="+447700900555")), "status_update"
    )
    fake.script = ["429"]
    with pytest.raises(TemporaryFailure) as error:
        backend.send(message)
    assert error.value.retry_after == 120
    fake.script = ["500"]
    with pytest.raises(TemporaryFailure):
        backend.send(message)
    message.recipient = "+447700900000"  # the fake answers 21211 for this one
    with pytest.raises(PermanentFailure, match="21211"):
        backend.send(message)
    message.recipient = "+447700900555"
    assert backend.send(message).provider_id.startswith("SM")


def test_permanent_failure_is_shown_on_the_case(db, twilio_backend):
    twilio_backend.start()
    resident = _sms_resident(phone="+447700900000")
    case = make_case(resident=resident)
    message = queue_message(case, "status_update", now=DAYTIME)
    dispatch_due(now=DAYTIME)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "21211" in message.last_error
    assert case.timeline.filter(kind=EventKind.DELIVERY).exists()


def test_quiet_hours_hold_non_urgent_texts(db, twilio_backend):
    fake = twilio_backend.start()
    case = make_case(resident=_sms_resident(phone="+447700900556"))
    night = datetime.datetime(2026, 3, 10, 22, 30, tzinfo=LONDON)
    message = queue_message(case, "status_update", now=night)
    dispatch_due(now=night)
    assert fake.accepted == []
    dispatch_due(now=night.replace(hour=23) + datetime.timedelta(hours=9, minutes=1))
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


# --- Status callbacks -------------------------------------------------------------------------


def _sent_message(outbox_sid="SM" + "a" * 32):
    case = make_case(resident=_sms_resident(phone="+447700900557"))
    message = queue_message(case, "status_update")
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, provider_id=outbox_sid)
    message.refresh_from_db()
    return case, message


def test_status_callbacks_in_order(db, client):
    case, message = _sent_message()
    for status in ("sent", "delivered"):
        response = _status(client, STATUS_PATH, status_payload(message.provider_id, status))
        assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert not case.timeline.filter(kind=EventKind.DELIVERY).exists()


def test_status_callbacks_out_of_order_never_move_backwards(db, client):
    case, message = _sent_message()
    for status in ("delivered", "sent", "queued", "sending", "delivered"):
        _status(client, STATUS_PATH, status_payload(message.provider_id, status))
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_undelivered_shows_on_the_timeline_once(db, client):
    case, message = _sent_message()
    payload = status_payload(message.provider_id, "undelivered", error_code="30005")
    _status(client, STATUS_PATH, payload)
    _status(client, STATUS_PATH, payload)  # Twilio repeats itself sometimes
    message.refresh_from_db()
    assert message.status == MessageStatus.UNDELIVERED
    assert "30005" in message.last_error
    assert case.timeline.filter(kind=EventKind.DELIVERY).count() == 1


def test_callback_before_dispatcher_recorded_the_sid_finds_the_message_by_url(db, client, outbox):
    """Twilio accepted a text but our request timed out, so it sits queued for a retry.

    The callback (found through ``?message=<pk>`` in the signed URL) records what really
    happened, and the retry that would have sent it twice does not happen.
    """
    case = make_case(resident=_sms_resident(phone="+447700900558"))
    message = queue_message(case, "status_update")
    sid = "SM" + "b" * 32
    path = f"{STATUS_PATH}?message={message.pk}"
    _status(client, path, status_payload(sid, "queued"))
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED  # Twilio's "queued" changes nothing
    _status(client, path, status_payload(sid, "delivered"))
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.DELIVERED, sid)
    dispatch_due()
    assert outbox == []


def test_status_callback_for_another_message_is_ignored(db, client):
    case, message = _sent_message()
    _status(
        client, f"{STATUS_PATH}?message={message.pk}", status_payload("SM" + "c" * 32, "failed")
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_unsigned_status_callback_is_refused(db, client):
    case, message = _sent_message()
    response = client.post(STATUS_PATH, data=status_payload(message.provider_id, "failed"))
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


# --- MMS media, fetched from a local fake Twilio ----------------------------------------------


def test_mms_media_fetched_in_background_with_twilio_auth(
    db, settings, twilio_backend, sms_post, django_capture_on_commit_callbacks
):
    fake = twilio_backend.start()
    settings.TWILIO_MEDIA_URL_PREFIXES = [fake.url + "/"]
    council = CouncilFactory(code="MKC")
    ServiceFactory(slug="general-enquiry", responsible_council=council)
    path = f"/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/MM1/Media/ME1"
    fake.media[path] = (b"\xff\xd8\xff\xe0fake-jpeg", "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        sms_post(
            inbound_payload("Fly-tipping, photo attached", media=[(fake.url + path, "image/jpeg")])
        )
    message = Message.objects.get(direction="in")
    attachment = message.attachments.get()
    assert attachment.case == message.case
    assert attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"\xff\xd8\xff\xe0fake-jpeg"
    # Running the task again stores nothing twice.
    from channels.sms.tasks import fetch_media

    assert fetch_media.call(message.pk) == 0
    assert message.attachments.count() == 1


def test_media_url_outside_twilio_is_never_fetched(db, settings):
    from channels.sms.tasks import MediaError, download

    settings.TWILIO_MEDIA_URL_PREFIXES = ["https://api.twilio.com/"]
    with pytest.raises(MediaError, match="not a Twilio media address"):
        download("http://169.254.169.254/latest/meta-data/")


# --- Ten concurrent deliveries of one MessageSid ----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_same_message_sid_ten_times_concurrently(postgres_only):
    from django.db import connections

    council = CouncilFactory(code="MKC")
    ServiceFactory(slug="general-enquiry", responsible_council=council)
    resident = _sms_resident(phone="+447700900777")
    payload = inbound_payload("Streetlight out on Grafton Street", sender=resident.phone)
    barrier = threading.Barrier(10)
    responses, errors = [], []

    def post():
        try:
            barrier.wait()
            response = post_signed(Client(), INBOUND_PATH, payload)
            responses.append((response.status_code, response.content))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(responses) == 10
    assert {status for status, _ in responses} == {200}
    assert len({content for _, content in responses}) == 1
    # Ten deliveries, one row in the inbox: the other nine inserts were no-ops.
    assert InboxEntry.objects.filter(key=payload["MessageSid"]).count() == 1
    file_inbox()
    assert Message.objects.filter(provider_id=payload["MessageSid"]).count() == 1
    assert resident.cases.count() == 1
    response = type("R", (), {"content": responses[0][1], "message_sid": payload["MessageSid"]})
    assert resident.cases.get().display_reference in reply_text(response)  # answered once
