"""The IVR driven as Twilio drives it, through every branch, with bad and hostile input."""

import re

import pytest
from django.conf import settings
from django.test import override_settings

from channels.voice.models import Call, Callback, CallStep, Outcome, Stage
from services.models import Case, Channel, Council, EventKind, Message, Service, TimelineEvent
from tests.channels.voice.conftest import (
    CALLER,
    ENTRY,
    MKC_LINE,
    NCC_LINE,
    UNKNOWN_LINE,
    action_of,
    call_payload,
    new_sid,
    parse_twiml,
    post_signed,
    spoken,
)
from tests.factories import ResidentFactory, make_case

pytestmark = pytest.mark.django_db


def _mk_service():
    return Service.objects.get(slug="mk-missed-bin")


# --- Signatures and malformed requests --------------------------------------------------------


def test_unsigned_request_is_refused_and_changes_nothing(client, catalogue):
    response = client.post(ENTRY, call_payload(new_sid()))
    assert response.status_code == 403
    assert not Call.objects.exists()


def test_signature_with_the_wrong_token_or_for_another_path_is_refused(client, catalogue):
    payload = call_payload(new_sid())
    assert post_signed(client, ENTRY, payload, token="not-the-token").status_code == 403
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        settings.PUBLIC_BASE_URL + "/channels/voice/twilio/menu/", payload
    )
    response = client.post(ENTRY, payload, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert not Call.objects.exists()


def test_tampered_field_breaks_the_signature(client, catalogue):
    payload = call_payload(new_sid())
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
        settings.PUBLIC_BASE_URL + ENTRY, payload
    )
    payload["From"] = "+447700900999"
    response = client.post(ENTRY, payload, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_get_is_not_allowed(client, catalogue):
    assert client.get(ENTRY).status_code == 405


@pytest.mark.parametrize("sid", ["", "CA123", "SM" + "0" * 32, "CA" + "g" * 32, "CA' OR 1=1 --"])
def test_malformed_call_sid_is_a_bad_request(client, catalogue, sid):
    response = post_signed(client, ENTRY, call_payload(sid))
    assert response.status_code == 400
    assert not Call.objects.exists()


# --- Entry: the number dialled picks the greeting ----------------------------------------------


@pytest.mark.parametrize("line,code", [(MKC_LINE, "MKC"), (NCC_LINE, "NCC")])
def test_the_number_dialled_picks_the_councils_greeting(caller, line, code):
    call = caller(to=line)
    root = call.step(ENTRY, CallStatus="ringing")
    council = Council.objects.get(code=code)
    assert council.name in spoken(root)
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    assert action_of(root).endswith("/channels/voice/twilio/language/")
    # Every language is offered, each in its own voice.
    languages = [say.get("language") for say in gather.iter("Say")]
    assert {"pl-PL", "ro-RO", "pt-PT"} <= set(languages)
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.council == council
    assert stored.from_number == CALLER


def test_an_unknown_number_dialled_gets_a_generic_greeting_and_still_works(caller, closed_now):
    call = caller(to=UNKNOWN_LINE)
    root = call.step(ENTRY)
    text = spoken(root)
    assert "council contact centre" in text
    for council in Council.objects.all():
        assert council.name not in text
    assert Call.objects.get(call_sid=call.sid).council is None
    call.next(Digits="1")
    call.next(Digits="2")
    root = call.next(Digits="1")
    assert root.find("Record") is not None
    root = call.next(
        "Record",
        RecordingUrl="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        RecordingSid=new_sid("RE"),
        RecordingDuration="9",
    )
    case = Call.objects.get(call_sid=call.sid).case
    assert case is not None and case.origin_channel == Channel.VOICE


# --- Language choice ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "digit,code,say_language,voice",
    [
        ("1", "en", "en-GB", None),
        ("2", "pl", "pl-PL", None),
        ("3", "ro", "ro-RO", "Google.ro-RO-Standard-A"),
        ("4", "pt", "pt-PT", None),
        ("5", "ur", "en-GB", None),
    ],
)
def test_language_choice_sets_the_voice(caller, digit, code, say_language, voice):
    call = caller()
    root = call.to_menu(digit)
    assert Call.objects.get(call_sid=call.sid).language == code
    says = list(root.iter("Say"))
    assert says and all(s.get("language") == say_language for s in says)
    assert all(s.get("voice") == voice for s in says)
    if code == "ur":
        assert "interpreter" in spoken(root)


@pytest.mark.parametrize("digits", ["9", "", "*", "12", "٣"])
def test_wrong_or_no_language_digit_falls_back_to_english(caller, digits):
    call = caller()
    call.step(ENTRY)
    root = call.next(Digits=digits)
    assert Call.objects.get(call_sid=call.sid).language == "en"
    assert "press 1" in spoken(root)


# --- Main menu ---------------------------------------------------------------------------------


def test_wrong_menu_digits_reprompt_then_say_goodbye(caller):
    call = caller()
    call.to_menu()
    root = call.next(Digits="7")
    assert "not one of the options" in spoken(root)
    assert action_of(root).endswith("menu/?attempt=2")
    root = call.next(Digits="")  # timeout: no input
    assert action_of(root).endswith("menu/?attempt=3")
    root = call.next(Digits="0")
    assert root.find("Hangup") is not None
    assert root.find("Gather") is None


# --- Check a case ------------------------------------------------------------------------------


def _own_case(phone=CALLER, **fields):
    resident = ResidentFactory(phone=phone)
    return make_case(service=_mk_service(), resident=resident, **fields)


def test_caller_hears_their_own_case_status_and_it_goes_on_the_timeline(caller):
    case = _own_case()
    call = caller()
    call.to_menu()
    root = call.next(Digits="1")
    gather = root.find("Gather")
    assert gather.get("numDigits") == "9"
    assert gather.get("input") == "dtmf speech"
    root = call.next(Digits=case.reference + "#")
    text = spoken(root)
    assert "1 0 0" in text or " ".join(case.reference[:3]) in text
    assert case.get_status_display() in text
    assert "aim to finish by" in text
    assert root.find("Hangup") is not None
    message = Message.objects.get(channel=Channel.VOICE, provider_id=call.sid)
    assert message.case == case
    event = TimelineEvent.objects.get(case=case, kind=EventKind.CALL)
    assert event.message == message
    assert event.data["outcome"] == Outcome.STATUS_GIVEN


def test_reference_can_be_spoken(caller):
    case = _own_case()
    call = caller()
    call.to_menu()
    call.next(Digits="1")
    said = " ".join(case.reference[:3]) + " " + case.reference[3:6] + " " + case.reference[6:]
    root = call.next(SpeechResult=said, Confidence="0.92")
    assert case.get_status_display() in spoken(root)


def test_replayed_status_step_returns_the_same_twiml_and_changes_nothing(caller, client):
    case = _own_case()
    call = caller()
    call.to_menu()
    call.next(Digits="1")
    url = action_of(call.root)
    first = call.post(url, Digits=case.reference)
    events = TimelineEvent.objects.filter(case=case).count()
    again = call.post(url, Digits=case.reference)
    assert again.status_code == 200
    assert again.content == first.content
    assert TimelineEvent.objects.filter(case=case).count() == events
    assert Message.objects.filter(provider_id=call.sid).count() == 1
    # Even a replay with different digits for the same step gets the first answer.
    other = call.post(url, Digits="000000000")
    assert other.content == first.content


def test_someone_elses_case_reveals_nothing(caller):
    case = _own_case(phone="+447700900111", summary="Secret summary")
    call = caller()
    call.to_menu()
    call.next(Digits="1")
    root = call.next(Digits=case.reference)
    text = spoken(root)
    assert case.get_status_display() not in text
    assert case.service.name not in text
    assert "Secret" not in text
    assert not Message.objects.filter(provider_id=call.sid).exists()
    assert not TimelineEvent.objects.filter(case=case, kind=EventKind.CALL).exists()
    assert Call.objects.get(call_sid=call.sid).outcome == Outcome.STATUS_REFUSED

    # The answer for a valid reference that does not exist is word for word the same.
    from services.reference import make_reference

    other = caller()
    other.to_menu()
    other.next(Digits="1")
    root2 = other.next(Digits=make_reference(99_999_998))

    def without_digits(words: str) -> str:
        return re.sub(r"\d(?:[ ,]+\d)*", "N", words)

    assert without_digits(spoken(root2)) == without_digits(text)


def test_withheld_number_never_hears_a_status(caller):
    case = _own_case(phone="")
    call = caller(sender="anonymous")
    call.to_menu()
    call.next(Digits="1")
    root = call.next(Digits=case.reference)
    assert case.get_status_display() not in spoken(root)


def test_mistyped_reference_gets_three_tries_then_goodbye(caller):
    case = _own_case()
    wrong = case.reference[:-1] + str((int(case.reference[-1]) + 1) % 10)
    call = caller()
    call.to_menu()
    call.next(Digits="1")
    root = call.next(Digits=wrong)
    assert "mistyped" in spoken(root)
    assert action_of(root).endswith("reference/?attempt=2")
    root = call.next(Digits="")  # no input
    assert "did not hear" in spoken(root)
    assert action_of(root).endswith("reference/?attempt=3")
    root = call.next(Digits="12345")
    assert root.find("Gather") is None and root.find("Hangup") is not None
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.outcome == Outcome.BAD_REFERENCE
    assert stored.reference_tries == 3
    assert not TimelineEvent.objects.filter(case=case, kind=EventKind.CALL).exists()


def test_hostile_attempt_numbers_are_clamped(caller):
    call = caller()
    call.to_menu()
    call.next(Digits="1")
    root = call.step("/channels/voice/twilio/reference/?attempt=-5", Digits="x")
    assert action_of(root).endswith("attempt=2")
    root = call.step("/channels/voice/twilio/reference/?attempt=999", Digits="1")
    assert root.find("Hangup") is not None


# --- Report or ask: queue, voicemail, closed ---------------------------------------------------


def test_open_caller_chooses_a_group_and_joins_the_queue(caller, open_now):
    call = caller()
    call.to_menu()
    root = call.next(Digits="2")
    assert "Bins and recycling" in spoken(root)
    root = call.next(Digits="1")
    assert action_of(root).endswith("/connect/")
    root = call.next(Digits="1")
    enqueue = root.find("Enqueue")
    # One queue per council line and language (issue 16; was the single "contact-centre").
    assert enqueue is not None and enqueue.text == "cc-mkc-en"
    assert "/wait/" in enqueue.get("waitUrl")
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.stage == Stage.WAITING
    assert stored.service_group.slug == "bins-and-recycling"
    wait = call.step(
        enqueue.get("waitUrl"),
        QueuePosition="3",
        QueueSid=new_sid("QU"),
        QueueTime="42",
        AvgQueueTime="180",
        CurrentQueueSize="3",
        MaxQueueSize="100",
    )
    assert "number 3 in the queue" in spoken(wait)
    assert "3 minutes" in spoken(wait)
    assert Call.objects.get(call_sid=call.sid).queue_position == 3
    root = call.step(enqueue.get("action"), QueueResult="bridged", QueueTime="50")
    stored.refresh_from_db()
    assert stored.stage == Stage.WITH_AGENT
    assert stored.outcome == Outcome.ANSWERED


def test_group_can_be_spoken(caller, open_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    call.next(SpeechResult="it's about my council tax please")
    assert Call.objects.get(call_sid=call.sid).service_group.slug == "council-tax-and-benefits"


def _leave_message(call, *, duration="14"):
    recording_sid = new_sid("RE")
    account = settings.TWILIO_ACCOUNT_SID
    url = f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording_sid}"
    fields = {
        "RecordingUrl": url,
        "RecordingSid": recording_sid,
        "RecordingDuration": duration,
        "Digits": "#",
    }
    response = call.post(action_of(call.root, "Record"), **fields)
    call.root = parse_twiml(response)
    return response, fields


def test_out_of_hours_caller_hears_alternatives_and_leaves_a_message(caller, closed_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    root = call.next(Digits="1")
    text = spoken(root)
    assert "closed" in text
    assert "online" in text and "text us" in text and "visit" in text
    record = root.find("Record")
    assert record.get("transcribe") == "true"
    assert record.get("transcribeCallback").endswith("/transcription/")
    first, fields = _leave_message(call)
    url, recording_sid = fields["RecordingUrl"], fields["RecordingSid"]
    root = call.root
    stored = Call.objects.get(call_sid=call.sid)
    case = stored.case
    assert case.origin_channel == Channel.VOICE
    assert " ".join(case.reference[:3]) in spoken(root)
    message = Message.objects.get(channel=Channel.VOICE, provider_id=call.sid)
    assert message.metadata["recording_url"] == url
    assert TimelineEvent.objects.filter(case=case, kind=EventKind.MESSAGE_IN).count() == 1
    callback = Callback.objects.get(call=stored)
    assert callback.reason == Callback.Reason.VOICEMAIL and callback.case == case
    # It counts as an out-of-hours call in the telephone figures, message or not.
    assert stored.outcome == Outcome.CLOSED and stored.queued_at is None

    # Replay of the recording step: same TwiML, still one case and one callback.
    again = call.post("/channels/voice/twilio/recording/", **fields)
    assert again.content == first.content
    assert Case.objects.filter(resident=case.resident).count() == 1
    assert Callback.objects.filter(call=stored).count() == 1

    # The transcript arrives later: kept on the message and the timeline, once.
    payload = call_payload(
        call.sid,
        TranscriptionText="My bin was not collected on Tuesday",
        TranscriptionStatus="completed",
        TranscriptionSid=new_sid("TR"),
        RecordingSid=recording_sid,
        RecordingUrl=url,
    )
    for _ in range(2):
        response = post_signed(call.client, "/channels/voice/twilio/transcription/", payload)
        assert response.status_code == 204
    message.refresh_from_db()
    assert message.metadata["transcript"] == "My bin was not collected on Tuesday"
    assert message.body == "My bin was not collected on Tuesday"
    events = TimelineEvent.objects.filter(case=case, kind=EventKind.CALL)
    assert [e.data["transcript"] for e in events] == ["My bin was not collected on Tuesday"]


def test_caller_can_choose_to_leave_a_message_when_open(caller, open_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    call.next(Digits="3")
    root = call.next(Digits="2")
    assert root.find("Record") is not None
    assert "closed" not in spoken(root)


@override_settings(PORTAL_VOICE_MAX_QUEUE=0)
def test_queue_too_long_offers_a_message(caller, open_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    root = call.next(Digits="1")
    assert "busy" in spoken(root)
    assert root.find("Record") is not None and root.find("Enqueue") is None


def test_queue_leave_or_failure_falls_back_to_a_message(caller, open_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    call.next(Digits="1")
    root = call.next(Digits="1")
    root = call.step(action_of(root, "Enqueue"), QueueResult="queue-full")
    assert root.find("Record") is not None


def test_wrong_group_digit_reprompts_then_offers_a_message(caller, closed_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    root = call.next(Digits="0")
    assert action_of(root).endswith("group/?attempt=2")
    call.next(Digits="")
    root = call.next(Digits="#")
    assert root.find("Record") is not None


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
        "https://evil.example/twilio.com/RE1",
        "https://api.twilio.com.evil.example/RE1",
        "",
    ],
)
def test_hostile_recording_urls_are_not_kept(caller, closed_now, url):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    call.next(Digits="1")
    root = call.next("Record", RecordingUrl=url, RecordingSid=new_sid("RE"), RecordingDuration="5")
    assert root.find("Hangup") is not None
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.case is None and stored.recording_url == ""
    assert not Message.objects.filter(provider_id=call.sid).exists()


# --- Status callbacks and hanging up -----------------------------------------------------------


def _status(call, status, duration=None):
    fields = {"CallStatus": status, "Timestamp": "Sun, 22 Nov 2026 10:00:00 +0000"}
    if duration is not None:
        fields["CallDuration"] = duration
    return call.post("/channels/voice/twilio/status/", **fields)


def test_hang_up_in_the_menu_marks_the_call_abandoned(caller):
    call = caller()
    call.to_menu()
    assert _status(call, "completed", "17").status_code == 204
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.stage == Stage.ENDED
    assert stored.outcome == Outcome.ABANDONED
    assert stored.duration == 17
    assert not Callback.objects.exists()


def test_hang_up_while_waiting_puts_the_caller_on_the_call_back_list(caller, open_now):
    call = caller()
    call.to_menu()
    call.next(Digits="2")
    call.next(Digits="1")
    root = call.next(Digits="1")
    call.step(action_of(root, "Enqueue"), QueueResult="hangup", QueueTime="300")
    _status(call, "completed", "320")
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.outcome == Outcome.ABANDONED
    assert Callback.objects.get(call=stored).reason == Callback.Reason.MISSED


def test_status_callbacks_are_idempotent_and_never_go_backwards(caller):
    case = _own_case()
    call = caller()
    call.to_menu()
    call.next(Digits="1")
    call.next(Digits=case.reference)
    _status(call, "completed", "61")
    stored = Call.objects.get(call_sid=call.sid)
    message = Message.objects.get(provider_id=call.sid)
    assert message.metadata["duration"] == 61
    events = TimelineEvent.objects.count()
    _status(call, "completed", "61")
    _status(call, "ringing")
    stored.refresh_from_db()
    assert stored.status == "completed"
    assert stored.outcome == Outcome.STATUS_GIVEN
    assert TimelineEvent.objects.count() == events


def test_unknown_call_status_is_a_bad_request(caller):
    call = caller()
    assert _status(call, "exploded").status_code == 400
    assert _status(call, "").status_code == 400


def test_step_arriving_for_an_unseen_call_still_answers(caller):
    """Twilio can deliver a later step for a call whose first request we never saw."""
    call = caller()
    root = call.step("/channels/voice/twilio/menu/", Digits="1")
    assert root.find("Gather") is not None
    assert Call.objects.filter(call_sid=call.sid).count() == 1


def test_every_step_is_stored_once(caller):
    call = caller()
    call.to_menu()
    call.post("/channels/voice/twilio/", CallStatus="ringing")
    assert CallStep.objects.filter(call__call_sid=call.sid, key="entry?").count() == 1


def test_messages_in_other_languages_are_recorded_without_transcription(caller, closed_now):
    call = caller()
    call.to_menu("2")
    call.next(Digits="2")
    root = call.next(Digits="1")
    record = root.find("Record")
    assert record is not None
    assert record.get("transcribe") is None
    assert all(say.get("language") == "pl-PL" for say in root.iter("Say"))
