"""``manage.py sms_catch_up``: texts Twilio logged while the webhook never heard of them.

Driven against the local fake Twilio (its message log, paging and media list), through the
real TwilioBackend client and the real inbound code; nothing under test is patched.
"""

import datetime
import io
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from channels.sms.catch_up import catch_up
from services.models import Attachment, Case, Channel, ContactPoint, Message, MessageStatus
from services.outbound.dispatch import dispatch_due
from tests.channels.sms.conftest import (
    COUNCIL_NUMBER,
    INBOUND_PATH,
    file_inbox,
    inbound_payload,
    post_signed,
)
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

NEW_SENDER = "+447400123456"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def setup(db, settings, twilio_backend):
    council = CouncilFactory(code="MKC", name="Milton Keynes City Council")
    triage = ServiceFactory(
        slug="general-enquiry", name="General enquiry", responsible_council=council
    )
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    settings.TWILIO_MEDIA_URL_PREFIXES = [twilio_backend.url + "/"]
    return {"council": council, "triage": triage, "fake": twilio_backend}


def _run(*args) -> str:
    out = io.StringIO()
    call_command("sms_catch_up", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _inbound():
    return Message.objects.filter(channel=Channel.SMS, direction="in")


def _late_replies():
    return Message.objects.filter(channel=Channel.SMS, direction="out", kind="reply")


def test_texts_missed_in_an_outage_are_taken_in_with_their_answers_sent_late(setup):
    fake = setup["fake"].start()
    known = ResidentFactory(phone="+447400654321", language="pl")
    case = make_case(setup["triage"], known, summary="Broken streetlight")
    opted_out = ResidentFactory(phone="+447400111222")
    at = timezone.now() - datetime.timedelta(minutes=40)
    free = fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Bin not collected on Elm Road", at=at)
    status = fake.receive(known.phone, COUNCIL_NUMBER, case.display_reference, at=at)
    stop = fake.receive(opted_out.phone, COUNCIL_NUMBER, "STOP", at=at)

    output = _run("--since", "2h")

    assert "3 inbound texts" in output and "took in 3" in output
    by_sid = {m.provider_id: m for m in _inbound()}
    assert set(by_sid) == {free, status, stop}
    # The new sender's text opened a case, dated when they sent it (the SLA clock too).
    opened = by_sid[free].case
    assert opened.resident.phone == NEW_SENDER and opened.service == setup["triage"]
    assert abs(opened.created_at - at) < datetime.timedelta(seconds=1)
    assert by_sid[free].created_at == opened.created_at
    assert by_sid[status].metadata["sms"] == "status"
    assert all("taken_in_late" in m.metadata for m in by_sid.values())
    opted_out.refresh_from_db()
    assert opted_out.consent_sms is False  # the STOP counted, late or not
    # The answers they should have had at once go out now, except to the number that said STOP.
    replies = {m.recipient: m for m in _late_replies()}
    assert set(replies) == {NEW_SENDER, known.phone}
    assert opened.display_reference in replies[NEW_SENDER].body
    assert replies[NEW_SENDER].case == opened
    assert replies[NEW_SENDER].status == MessageStatus.QUEUED
    assert replies[known.phone].body == by_sid[status].metadata["reply"]
    assert "1 withheld" in output and "2 late replies queued" in output


def test_a_second_run_changes_nothing(setup):
    fake = setup["fake"].start()
    at = timezone.now() - datetime.timedelta(minutes=5)
    fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Pothole outside number 4", at=at)
    _run("--since", "1h")
    counts = (_inbound().count(), Case.objects.count(), _late_replies().count())

    output = _run("--since", "1h")

    assert (_inbound().count(), Case.objects.count(), _late_replies().count()) == counts
    assert "1 already here, took in 0" in output


def test_a_text_the_webhook_took_is_left_alone(setup, sms_post):
    fake = setup["fake"].start()
    sid = fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Graffiti", at=timezone.now())
    response = sms_post(inbound_payload("Graffiti", sender=NEW_SENDER, sid=sid))
    assert response.status_code == 200

    output = _run("--since", "10m")

    assert _inbound().filter(provider_id=sid).count() == 1
    assert Case.objects.count() == 1
    # The filing worker's reply already answered them: the catch-up adds no late one.
    assert _late_replies().count() == 1
    assert not _late_replies().filter(metadata__has_key="late_reply_to").exists()
    assert "1 already here, took in 0" in output


def test_a_text_accepted_but_not_yet_filed_is_left_to_the_filing_worker(setup, client):
    fake = setup["fake"].start()
    sid = fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Graffiti", at=timezone.now())
    response = post_signed(
        client, INBOUND_PATH, inbound_payload("Graffiti", sender=NEW_SENDER, sid=sid)
    )
    assert response.status_code == 200  # in the inbox; nothing filed yet

    output = _run("--since", "10m")

    assert "1 already here, took in 0" in output
    assert not _inbound().exists() and not _late_replies().exists()
    file_inbox()
    assert _inbound().filter(provider_id=sid).count() == 1
    assert Case.objects.count() == 1 and _late_replies().count() == 1


def test_late_reply_reaches_the_resident_through_twilio(setup):
    fake = setup["fake"].start()
    fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Fly-tipping in the lane", at=timezone.now())
    _run("--since", "30m")
    # Tomorrow at 11:00: after the reply was queued, and outside quiet hours.
    daytime = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=11, minute=0)

    dispatch_due(now=daytime)

    reply = _late_replies().get()
    assert reply.status == MessageStatus.SENT
    sent = [m for m in fake.accepted if m.get("To") == NEW_SENDER]
    assert len(sent) == 1 and reply.case.display_reference in sent[0]["Body"]


def test_every_page_of_the_log_is_read(setup):
    fake = setup["fake"].start()
    fake.page_size_cap = 7
    at = timezone.now() - datetime.timedelta(minutes=20)
    senders = [f"+4474005{n:05d}" for n in range(23)]
    for sender in senders:
        fake.receive(sender, COUNCIL_NUMBER, "Noise from the flats", at=at)

    output = _run("--since", "1h")

    assert "23 inbound texts" in output and "took in 23" in output
    assert Case.objects.filter(resident__phone__in=senders).count() == 23


def test_only_the_window_asked_for_and_only_inbound_texts(setup):
    fake = setup["fake"].start()
    now = timezone.now()
    old = fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Old", at=now - datetime.timedelta(hours=3))
    recent = fake.receive(
        NEW_SENDER, COUNCIL_NUMBER, "Recent", at=now - datetime.timedelta(minutes=30)
    )
    fake.log[-1]["direction"] = "inbound"
    ours = fake.receive(COUNCIL_NUMBER, NEW_SENDER, "an outbound text", at=now)
    fake.log[-1].update({"direction": "outbound-api", "to": COUNCIL_NUMBER})

    _run("--since", "1h")

    assert set(_inbound().values_list("provider_id", flat=True)) == {recent}
    assert not Message.objects.filter(provider_id__in=[old, ours]).exists()


def test_a_picture_is_listed_and_fetched(setup, django_capture_on_commit_callbacks):
    fake = setup["fake"].start()
    sid = fake.receive(
        NEW_SENDER, COUNCIL_NUMBER, "", at=timezone.now(), media=[(PNG, "image/png")]
    )

    with django_capture_on_commit_callbacks(execute=True):
        _run("--since", "15m")

    message = _inbound().get(provider_id=sid)
    assert message.metadata["media"][0]["content_type"] == "image/png"
    assert message.metadata["media"][0]["url"].startswith(fake.url + "/")
    attachment = Attachment.objects.get(message=message)
    assert attachment.content_type == "image/png" and attachment.size == len(PNG)


def test_a_text_that_cannot_be_read_is_reported_and_the_others_still_come_in(setup):
    fake = setup["fake"].start()
    now = timezone.now()
    picture = fake.receive(NEW_SENDER, COUNCIL_NUMBER, "", at=now, media=[(PNG, "image/png")])
    words = fake.receive("+447400222333", COUNCIL_NUMBER, "Hello", at=now)
    fake.script = ["ok", "500"]  # the list answers; the picture's media list fails

    with pytest.raises(CommandError, match="1 texts could not be taken in"):
        _run("--since", "1h")

    assert set(_inbound().values_list("provider_id", flat=True)) == {words}
    _run("--since", "1h")  # run again once Twilio answers: the picture comes in too
    assert set(_inbound().values_list("provider_id", flat=True)) == {words, picture}


def test_malformed_and_hostile_log_entries(setup):
    fake = setup["fake"].start()
    now = timezone.now()
    nameless = fake.receive("", COUNCIL_NUMBER, "No sender at all", at=now)
    hostile = "Bin 🗑️ missed\x00 <script>alert(1)</script> " + "ż" * 1600
    kept = fake.receive(NEW_SENDER, COUNCIL_NUMBER, hostile, at=now)

    with pytest.raises(CommandError, match="1 texts could not be taken in"):
        _run("--since", "1h")

    assert not _inbound().filter(provider_id=nameless).exists()
    message = _inbound().get(provider_id=kept)
    assert "\x00" not in message.body and "<script>alert(1)</script>" in message.body
    assert message.body.endswith("ż" * 1600) and message.case is not None
    assert _late_replies().filter(recipient=NEW_SENDER).count() == 1


def test_dry_run_counts_and_changes_nothing(setup):
    fake = setup["fake"].start()
    fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Hello", at=timezone.now())

    output = _run("--since", "1h", "--dry-run")

    assert "would take in 1" in output
    assert not _inbound().exists() and not Case.objects.exists()


def test_twilio_unreachable_or_failing_is_a_clear_error_and_changes_nothing(setup):
    fake = setup["fake"]  # not started: connections are refused
    with pytest.raises(CommandError, match="could not be reached"):
        _run("--since", "1h")
    fake.start()
    fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Hello", at=timezone.now())
    fake.script = ["500"]
    with pytest.raises(CommandError, match="refused"):
        _run("--since", "1h")
    assert not _inbound().exists()
    _run("--since", "1h")  # Twilio is back: the text comes in
    assert _inbound().count() == 1


def test_wrong_credentials_are_a_clear_error(setup, settings):
    setup["fake"].start()
    settings.TWILIO_AUTH_TOKEN = "not-the-token"
    with pytest.raises(CommandError, match="refused"):
        _run("--since", "1h")


def test_without_twilio_configured_it_says_so(setup, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    with pytest.raises(CommandError, match="not configured"):
        _run("--since", "1h")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "give a time like"),
        (["--since", "2026-13-45T99:00"], "give a time like"),
        (["--since", "'; DROP TABLE services_message; --"], "give a time like"),
        (["--since", "2h", "--until", "3h"], "after --since"),
        (["--since", "40d"], "more than 31 days"),
        (["--since", "2099-01-01T00:00"], "in the future"),
    ],
)
def test_bad_times_are_refused_with_a_clear_message(setup, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not _inbound().exists()


def test_iso_times_without_an_offset_are_local(setup):
    fake = setup["fake"].start()
    now = timezone.localtime()
    fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Hello", at=now - datetime.timedelta(minutes=10))
    since = (now - datetime.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M")

    output = _run("--since", since)

    assert "took in 1" in output


@pytest.mark.django_db(transaction=True)
def test_racing_the_webhook_for_the_same_text_still_makes_one_message(settings, twilio_backend):
    """The webhook's transaction holds the MessageSid while the catch-up tries to insert it."""
    council = CouncilFactory(code="MKC", name="Milton Keynes City Council")
    ServiceFactory(slug="general-enquiry", name="General enquiry", responsible_council=council)
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    fake = twilio_backend.start()
    sid = fake.receive(NEW_SENDER, COUNCIL_NUMBER, "Streetlight out", at=timezone.now())
    inserted, release = threading.Event(), threading.Event()

    def webhook_holding_the_row():
        # What the webhook's first statement does: insert the text under its MessageSid.
        with transaction.atomic():
            Message.objects.create(
                channel=Channel.SMS,
                direction="in",
                provider_id=sid,
                sender=NEW_SENDER,
                recipient=COUNCIL_NUMBER,
                body="Streetlight out",
                metadata={"sms": "created", "reply": "Thank you."},
                status=MessageStatus.RECEIVED,
                created_at=timezone.now(),
            )
            inserted.set()
            release.wait(20)
        connection.close()

    reports = []

    def catch_up_now():
        reports.append(catch_up(timezone.now() - datetime.timedelta(hours=1)))
        connection.close()

    webhook = threading.Thread(target=webhook_holding_the_row)
    webhook.start()
    assert inserted.wait(20)
    catching = threading.Thread(target=catch_up_now)
    catching.start()
    # Wait until the catch-up is blocked on the unique index behind the webhook's row.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not _waiting_on_a_lock():
        time.sleep(0.05)
    assert _waiting_on_a_lock(), "the catch-up never reached the insert"
    release.set()
    webhook.join(20)
    catching.join(20)

    assert Message.objects.filter(channel=Channel.SMS, provider_id=sid).count() == 1
    assert not Case.objects.exists()  # the webhook's row won; the catch-up made nothing
    assert reports[0].already_had == 1 and reports[0].recovered == 0
    assert not reports[0].failed and not _late_replies().exists()


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
