"""Signed voice webhooks with hostile fields: NUL characters and absurd numbers never crash one.

Twilio signs what it sends, but a signature says who sent a request, not that its fields are
sane: a caller id can carry anything a phone network lets through, and a transcript anything
the recogniser heard. Every field is cleaned once as it is read (``services.inbound``).
"""

import pytest

from channels.voice.models import Call, Outcome, Stage
from services.models import Message
from tests.channels.voice.conftest import (
    CALLER,
    ENTRY,
    MKC_LINE,
    action_of,
    call_payload,
    new_sid,
    parse_twiml,
    post_signed,
)
from tests.channels.voice.test_ivr import _leave_message

pytestmark = pytest.mark.django_db


def test_nul_in_from_and_to_answers_and_stores_them_clean(caller):
    call = caller(sender="+4474\x0000123456", to="+44163\x002960001")
    root = call.to_menu()
    assert root.find("Gather") is not None
    stored = Call.objects.get(call_sid=call.sid)
    assert "\x00" not in stored.from_number + stored.to_number
    # Without the NUL both are real numbers: the caller is recognised, the line is MKC's.
    assert stored.from_number == CALLER
    assert stored.to_number == MKC_LINE
    assert stored.council is not None and stored.council.code == "MKC"


def test_nul_in_a_caller_id_that_is_not_a_number_is_kept_cleaned(caller):
    call = caller(sender="anonymous\x00\x00" + "x" * 100)
    call.to_menu()
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.from_number == ("anonymous" + "x" * 100)[:20]


def test_nul_in_a_transcript_is_taken_in_without_it(caller, closed_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    call.next(Digits="1")
    _response, fields = _leave_message(call)
    payload = call_payload(
        call.sid,
        TranscriptionText="My bin\x00 was not\x1b collected",
        TranscriptionStatus="completed",
        TranscriptionSid=new_sid("TR"),
        RecordingSid=fields["RecordingSid"],
        RecordingUrl=fields["RecordingUrl"],
    )
    response = post_signed(call.client, "/channels/voice/twilio/transcription/", payload)
    assert response.status_code == 204
    message = Message.objects.get(provider_id=call.sid)
    assert message.body == "My bin was not collected"
    assert Call.objects.get(call_sid=call.sid).transcript == "My bin was not collected"


def test_nul_in_the_transcript_sent_with_the_recording(caller, closed_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    root = call.next(Digits="1")
    recording = "RE" + "a" * 32
    response = call.post(
        action_of(root, "Record"),
        RecordingUrl=f"https://api.twilio.com/2010-04-01/Recordings/{recording}",
        RecordingSid=recording,
        RecordingDuration="9",
        TranscriptionText="\x00Pothole\x00 on Elm Road",
    )
    parse_twiml(response)
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.case is not None
    assert stored.case.description == "Pothole on Elm Road"


@pytest.mark.parametrize("duration", ["9" * 30, "-5", "1e9", "١٢", "\x00"])
def test_an_absurd_call_duration_is_ignored(caller, duration):
    call = caller()
    call.to_menu()
    response = call.post(
        "/channels/voice/twilio/status/", CallStatus="completed", CallDuration=duration
    )
    assert response.status_code == 204
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.stage == Stage.ENDED and stored.outcome == Outcome.ABANDONED
    assert stored.duration is None


def test_absurd_numbers_elsewhere_are_ignored(caller, open_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    root = call.next(Digits="9" * 30)  # a group number out of any range: asked again
    assert root.find("Gather") is not None
    response = post_signed(
        call.client,
        "/channels/voice/twilio/wait/",
        call_payload(call.sid, QueuePosition="9" * 30, AvgQueueTime="-1"),
    )
    parse_twiml(response)
    assert Call.objects.get(call_sid=call.sid).queue_position is None


def test_an_unseen_call_with_nul_everywhere_is_still_answered(client, catalogue):
    sid = new_sid()
    payload = {key: f"{value}\x00" for key, value in call_payload(sid).items() if value}
    payload["CallSid"] = sid
    response = post_signed(client, ENTRY, payload)
    parse_twiml(response)
    stored = Call.objects.get(call_sid=sid)
    assert stored.from_number == CALLER and stored.to_number == MKC_LINE
    assert stored.account_sid and "\x00" not in stored.account_sid
    assert stored.status == "in-progress"
