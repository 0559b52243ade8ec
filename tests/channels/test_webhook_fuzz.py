"""Every webhook, every parameter, arbitrary text: 2xx or 4xx, never a 500, nothing stored half.

Each endpoint's parameters (the fields Twilio or Mailgun posts, and the query string of the
URL we gave the provider) are drawn by hypothesis: the real value, or arbitrary text — NUL
and other control characters, any surrogate-free Unicode, huge values, thirty-digit numbers,
digit strings. Requests are signed the way the provider signs them (twilio's own
``RequestValidator``; Mailgun's HMAC), so every example passes the signature check and reaches
the entrance (``channels.twilio.TwilioWebhookView`` / ``channels.email.signals``).

After every example the database must be whole: every case has its timeline, every inbound
message filed on a case is on that case's timeline, every call that took a message points at
a message on a case, and no stored text holds a NUL. The same signed request is then delivered
again (a provider's retry): it answers the same class of status and creates no message, case
or timeline event.

The profile ``webhook-fuzz`` keeps the example count modest (``HYPOTHESIS_WEBHOOK_EXAMPLES``
raises it for a longer run) so the file runs in well under a minute on a quiet machine.
"""

import os
import time
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db.models import F
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from channels.voice.models import Call
from services.models import Case, Direction, Message, TimelineEvent
from tests.channels.email.conftest import SIGNING_KEY, mailgun_post
from tests.channels.sms.conftest import (
    COUNCIL_NUMBER,
    INBOUND_PATH,
    STATUS_PATH,
    inbound_payload,
    status_payload,
)
from tests.channels.sms.conftest import new_sid as sms_sid
from tests.channels.sms.conftest import post_signed as sms_post_signed
from tests.channels.voice.conftest import MKC_LINE, call_payload, new_sid, post_signed

pytestmark = pytest.mark.django_db

hypothesis_settings.register_profile(
    "webhook-fuzz",
    max_examples=int(os.environ.get("HYPOTHESIS_WEBHOOK_EXAMPLES", "12")),
    deadline=None,
    derandomize=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
PROFILE = hypothesis_settings.get_profile("webhook-fuzz")

# --- What a hostile provider field can be ----------------------------------------------------

CONTROL = "".join(chr(c) for c in [*range(0, 32), 127, *range(128, 160)])
hostile = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),  # any Unicode, no surrogates
    st.text(st.sampled_from(CONTROL + "+0123456789 abc"), max_size=40),  # NUL and controls
    st.text("0123456789", min_size=10, max_size=40),  # digits beyond any column
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=2_000, max_value=60_000).map(lambda n: "9\x00x" * (n // 3)),  # huge
    st.sampled_from(
        ["", "\x00", "-1", "0", "2147483648", "9" * 30, "1e9", "NaN", "client:", "\u202e"]
    ),
)


def fields(real: dict[str, str]):
    """Every parameter: its real value or a hostile one, independently."""
    return st.fixed_dictionaries(
        {name: st.one_of(st.just(value), hostile) for name, value in real.items()}
    )


# --- The database is whole ------------------------------------------------------------------


def counts() -> tuple[int, int, int]:
    return Case.objects.count(), Message.objects.count(), TimelineEvent.objects.count()


def assert_whole() -> None:
    """Nothing stored half: no case without its timeline, no filed message off its case's
    timeline, no voicemail call whose message is not on a case, no NUL anywhere we store text."""
    assert not Case.objects.filter(timeline__isnull=True).exists(), "a case without a timeline"
    unfiled = (
        Message.objects.filter(direction=Direction.IN, case__isnull=False)
        .exclude(events__case_id=F("case_id"))
        .values_list("pk", "channel")
    )
    assert not list(unfiled), f"inbound messages not on their case's timeline: {list(unfiled)}"
    for call in Call.objects.exclude(message__isnull=True).select_related("message"):
        assert call.message.case_id is not None, f"call {call.pk} holds a message on no case"
        assert call.case_id == call.message.case_id
    for message in Message.objects.all():
        for value in (message.body, message.sender, message.recipient, message.provider_id or ""):
            assert "\x00" not in value
    for call in Call.objects.all():
        for value in (call.from_number, call.to_number, call.transcript, call.account_sid):
            assert "\x00" not in value


def deliver_twice(post, on_commit) -> None:
    """Deliver, check, deliver again as a retry would: same answer class, no new rows.

    What the request left to run after its commit (filing an accepted text, sending the
    acknowledgement) runs too, as a worker would run it."""
    with on_commit(execute=True):
        first = post()
    assert first.status_code < 500, first.content[:300]
    assert 200 <= first.status_code < 300 or 400 <= first.status_code < 500
    assert_whole()
    before = counts()
    with on_commit(execute=True):
        second = post()
    assert second.status_code // 100 == first.status_code // 100, (first, second)
    assert counts() == before, "a retry of the same signed request stored something again"
    assert_whole()


# --- SMS ------------------------------------------------------------------------------------

SMS_REAL = {
    key: value
    for key, value in inbound_payload("Hello, my bin was not collected").items()
    if key not in ("MessageSid", "SmsSid", "SmsMessageSid")
}


@PROFILE
@given(payload=fields(SMS_REAL), sid=st.one_of(st.just("new"), hostile))
def test_sms_inbound(client, catalogue, django_capture_on_commit_callbacks, payload, sid):
    sid = sms_sid() if sid == "new" else sid
    payload = {**payload, "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid}
    deliver_twice(
        lambda: sms_post_signed(client, INBOUND_PATH, payload), django_capture_on_commit_callbacks
    )


@PROFILE
@given(
    payload=fields(status_payload("SM" + "0" * 32, "delivered", error_code="30003")),
    message=st.one_of(st.just("real"), hostile),
)
def test_sms_status_callback(
    client, catalogue, django_capture_on_commit_callbacks, payload, message
):
    sent = Message.objects.create(
        channel="sms",
        direction=Direction.OUT,
        recipient="+447700900123",
        sender=COUNCIL_NUMBER,
        body="Your case is open.",
        status="sent",
        provider_id=sms_sid(),
        created_at=timezone.now(),
    )
    if payload["MessageSid"] == "SM" + "0" * 32:
        payload = {**payload, "MessageSid": sent.provider_id, "SmsSid": sent.provider_id}
    query = str(sent.pk) if message == "real" else message
    path = STATUS_PATH + "?" + urlencode({"message": query})
    deliver_twice(
        lambda: sms_post_signed(client, path, payload), django_capture_on_commit_callbacks
    )
    sent.refresh_from_db()
    assert "\x00" not in sent.last_error


# --- Voice ----------------------------------------------------------------------------------

RECORDING = "RE" + "a" * 32
VOICE = {
    "/channels/voice/twilio/": {},
    "/channels/voice/twilio/language/": {"Digits": "1"},
    "/channels/voice/twilio/menu/": {"Digits": "1", "SpeechResult": "status"},
    "/channels/voice/twilio/reference/": {"Digits": "10000001", "SpeechResult": "one two"},
    "/channels/voice/twilio/group/": {"Digits": "1", "SpeechResult": "bins"},
    "/channels/voice/twilio/connect/": {"Digits": "1"},
    "/channels/voice/twilio/wait/": {"QueuePosition": "2", "AvgQueueTime": "30", "QueueTime": "9"},
    "/channels/voice/twilio/wait-key/": {"Digits": "1"},
    "/channels/voice/twilio/queue-end/": {"QueueResult": "leave", "QueueTime": "30"},
    "/channels/voice/twilio/recording/": {
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Recordings/{RECORDING}",
        "RecordingSid": RECORDING,
        "RecordingDuration": "12",
        "TranscriptionText": "My bin was not collected",
    },
    "/channels/voice/twilio/transcription/": {
        "TranscriptionSid": "TR" + "b" * 32,
        "TranscriptionStatus": "completed",
        "TranscriptionText": "My bin was not collected",
        "RecordingSid": RECORDING,
    },
    "/channels/voice/twilio/status/": {"CallStatus": "completed", "CallDuration": "95"},
    "/channels/voice/twilio/agent/": {"Intent": "call", "To": "+447400123456"},
    "/channels/voice/twilio/agent/status/": {"CallStatus": "completed", "CallDuration": "30"},
    "/channels/voice/twilio/whisper/": {"DequeingCallSid": "CA" + "c" * 32},
}
VOICE_QUERY = {"attempt": "2", "agent": "0" * 32, "intent": "next"}


@pytest.mark.parametrize("path", list(VOICE))
def test_voice_webhook(client, catalogue, django_capture_on_commit_callbacks, path):
    real = call_payload("CA" + "d" * 32, to=MKC_LINE) | VOICE[path]
    real.pop("CallSid")

    @PROFILE
    @given(
        payload=fields(real),
        sid=st.one_of(st.just("new"), st.just("seen"), hostile),
        query=fields(VOICE_QUERY),
    )
    def run(payload, sid, query):
        if sid == "seen":  # a call already in the IVR (it went through the entry)
            sid = new_sid()
            assert (
                post_signed(client, "/channels/voice/twilio/", call_payload(sid)).status_code == 200
            )
        elif sid == "new":
            sid = new_sid()
        body = {**payload, "CallSid": sid}
        url = path + "?" + urlencode(query)
        deliver_twice(lambda: post_signed(client, url, body), django_capture_on_commit_callbacks)

    run()


# --- Email (anymail's Mailgun inbound webhook) -----------------------------------------------


def mime(sender: str, to: str, subject: str, message_id: str, body: str) -> str:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
        f"Message-ID: <{message_id}@mail.example.net>\r\nDate: Wed, 2 Dec 2026 10:00:00 +0000\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    )


@PROFILE
@given(
    parts=fields(
        {
            "sender": "Ann Resident <ann@mail.example.net>",
            "to": "contact@mk.example.org",
            "subject": "Missed bin",
            "body": "My bin was not collected on Elm Road.",
        }
    ),
    envelope=fields({"sender": "ann@mail.example.net", "recipient": "contact@mk.example.org"}),
    whole=st.one_of(st.none(), hostile),
)
def test_email_inbound_webhook(
    client, catalogue, settings, django_capture_on_commit_callbacks, parts, envelope, whole
):
    settings.ANYMAIL = {**settings.ANYMAIL, "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    message_id = f"fuzz-{time.monotonic_ns()}"
    raw = whole if whole is not None else mime(message_id=message_id, **parts)

    def post():
        return mailgun_post(
            client,
            raw.encode("utf-8"),
            sender=envelope["sender"],
            recipient=envelope["recipient"],
        )

    deliver_twice(post, django_capture_on_commit_callbacks)


# --- The entrance itself --------------------------------------------------------------------


def test_the_four_crashes_of_issue_21_answer_and_store_clean(client, catalogue):
    """The probes that gave a 500: NUL in an SMS ``To`` and a call's ``From``, a 30-digit
    ``CallDuration``, a NUL in ``TranscriptionText``; and a NUL in a status callback's sid."""
    text = inbound_payload("hello", to=COUNCIL_NUMBER[:5] + "\x00" + COUNCIL_NUMBER[5:])
    assert sms_post_signed(client, INBOUND_PATH, text).status_code == 200
    sid = new_sid()
    entry = post_signed(
        client, "/channels/voice/twilio/", call_payload(sid, sender="+4474\x0000123456")
    )
    assert entry.status_code == 200
    assert Call.objects.get(call_sid=sid).from_number == "+447400123456"
    status = call_payload(sid, CallStatus="completed", CallDuration="9" * 30)
    assert post_signed(client, "/channels/voice/twilio/status/", status).status_code == 204
    transcript = call_payload(sid, TranscriptionStatus="completed", TranscriptionText="a\x00b")
    assert (
        post_signed(client, "/channels/voice/twilio/transcription/", transcript).status_code == 204
    )
    callback = status_payload(sms_sid() + "\x00", "deliv\x00ered", error_code="\x00")
    response = sms_post_signed(client, STATUS_PATH + "?message=1%00", callback)
    assert response.status_code == 204
    assert_whole()


def test_voice_handlers_read_only_the_cleaned_fields():
    """No voice webhook reads ``request.POST`` / ``request.GET``: only the entrance does.
    (The SMS webhooks hand the request to the inbox, which cleans what it keeps:
    ``channels.sms.inbox``.)"""
    from pathlib import Path

    root = Path(settings.BASE_DIR) / "channels"
    offenders = [
        str(path.relative_to(root))
        for path in root.glob("voice/**/*.py")
        if "request.POST" in path.read_text() or "request.GET" in path.read_text()
    ]
    assert offenders == []
