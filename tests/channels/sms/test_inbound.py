"""Inbound texts through the real webhook: signature, idempotency, what each kind of text does."""

import pytest
from django.conf import settings

from services import reference
from services.actions.messages import queue_message
from services.models import Case, Channel, ContactPoint, Message, MessageStatus, Resident, Status
from tests.channels.sms.conftest import (
    COUNCIL_NUMBER,
    INBOUND_PATH,
    inbound_payload,
    new_sid,
    post_signed,
    reply_text,
)
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

SENDER = "+447700900123"


@pytest.fixture
def setup(db):
    council = CouncilFactory(code="MKC", name="Milton Keynes City Council", phone="+441908691691")
    triage = ServiceFactory(
        slug="general-enquiry", name="General enquiry", responsible_council=council
    )
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    return {"council": council, "triage": triage}


def _messages():
    return Message.objects.filter(channel=Channel.SMS, direction="in")


# --- Signatures -----------------------------------------------------------------------------


def test_valid_signature_opens_a_general_enquiry_and_replies_with_reference(setup, sms_post):
    response = sms_post(inbound_payload("My bin was not collected on Elm Road", sender=SENDER))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    case = Case.objects.get()
    assert case.service == setup["triage"]
    assert case.responsible_council == setup["council"]
    assert case.origin_channel == Channel.SMS
    assert case.resident.phone == SENDER
    assert case.display_reference in reply_text(response)
    message = _messages().get()
    assert message.case == case
    assert message.metadata["reply"] == reply_text(response)
    # The reply is the acknowledgement: one urgent text to the sender, nothing else queued.
    reply = Message.objects.get(direction="out")
    assert (reply.recipient, reply.body, reply.case) == (SENDER, reply_text(response), case)
    assert reply.urgent and reply.status == MessageStatus.QUEUED


def test_wrong_signature_is_refused_and_changes_nothing(setup, client):
    payload = inbound_payload("Hello")
    response = client.post(
        INBOUND_PATH,
        data=payload,
        headers={"X-Twilio-Signature": "bm90IHRoZSByaWdodCBzaWduYXR1cmU="},
    )
    assert response.status_code == 403
    assert not Message.objects.exists()
    assert not Resident.objects.exists()


def test_missing_signature_is_refused(setup, client):
    response = client.post(INBOUND_PATH, data=inbound_payload("Hello"))
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_signature_for_another_url_is_refused(setup, client):
    payload = inbound_payload("Hello")
    response = post_signed(
        client, INBOUND_PATH, payload, signed_url="https://attacker.example/channels/sms/twilio/"
    )
    assert response.status_code == 403
    # Signed for the URL Django sees rather than the public one (no proxy awareness): refused.
    response = post_signed(
        client, INBOUND_PATH, payload, signed_url="http://testserver" + INBOUND_PATH
    )
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_tampered_body_is_refused(setup, client):
    from tests.channels.sms.conftest import sign

    payload = inbound_payload("Hello")
    signature = sign(settings.PUBLIC_BASE_URL + INBOUND_PATH, payload)
    payload["Body"] = "Hello, changed"
    response = client.post(INBOUND_PATH, data=payload, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403


def test_get_is_not_allowed(setup, client):
    assert client.get(INBOUND_PATH).status_code == 405


@pytest.mark.parametrize("field", ["MessageSid", "From"])
def test_signed_but_malformed_payload_is_a_bad_request(setup, sms_post, field):
    payload = inbound_payload("Hello")
    payload.pop(field)
    if field == "MessageSid":
        payload.pop("SmsMessageSid")
        payload.pop("SmsSid")
    assert sms_post(payload).status_code == 400
    assert not Message.objects.exists()


# --- Idempotency ----------------------------------------------------------------------------


def test_retry_of_same_message_sid_gets_same_reply_and_changes_nothing(setup, sms_post):
    payload = inbound_payload("Pothole outside number 4", sender=SENDER)
    first = sms_post(payload)
    second = sms_post(payload)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert _messages().count() == 1
    assert Case.objects.count() == 1
    # Answered once (reply_text fails on a second answer to the same MessageSid).
    assert Case.objects.get().display_reference in reply_text(second)
    assert Message.objects.filter(direction="out").count() == 1


# --- References -----------------------------------------------------------------------------


def test_own_reference_returns_status(setup, sms_post):
    resident = ResidentFactory(phone=SENDER)
    case = make_case(resident=resident, status=Status.IN_PROGRESS)
    response = sms_post(inbound_payload(case.display_reference, sender=SENDER))
    text = reply_text(response)
    assert case.display_reference in text
    assert "In progress" in text
    assert Case.objects.count() == 1  # a status query opens nothing


def test_someone_elses_reference_reveals_nothing(setup, sms_post):
    case = make_case(resident=ResidentFactory(phone="+447700900999"), status=Status.IN_PROGRESS)
    theirs = reply_text(sms_post(inbound_payload(case.reference, sender=SENDER)))
    # A valid reference that does not exist gets exactly the same words.
    serial = int(case.reference[:8]) + 1000
    missing = reference.make_reference(serial)
    nobody = reply_text(sms_post(inbound_payload(missing, sender=SENDER)))
    assert "In progress" not in theirs
    assert case.service.name not in theirs
    assert theirs.replace(reference.format_reference(case.reference), "X") == nobody.replace(
        reference.format_reference(missing), "X"
    )
    assert Case.objects.count() == 1


def test_reference_with_bad_check_digit_says_so(setup, sms_post):
    case = make_case(resident=ResidentFactory(phone=SENDER))
    wrong = case.reference[:-1] + str((int(case.reference[-1]) + 1) % 10)
    text = reply_text(sms_post(inbound_payload(wrong, sender=SENDER)))
    assert "mistyped" in text
    assert case.display_reference not in text
    assert Case.objects.count() == 1


def test_reference_inside_free_text_threads_to_that_case(setup, sms_post):
    resident = ResidentFactory(phone=SENDER)
    first = make_case(resident=resident, status=Status.OPEN)
    make_case(resident=resident, status=Status.OPEN)
    text = reply_text(
        sms_post(inbound_payload(f"{first.reference} it is still broken", sender=SENDER))
    )
    assert first.display_reference in text
    assert first.messages.filter(direction="in").count() == 1


# --- Free text ------------------------------------------------------------------------------


def test_free_text_threads_to_only_open_case(setup, sms_post):
    resident = ResidentFactory(phone=SENDER)
    case = make_case(resident=resident, status=Status.WAITING)
    text = reply_text(
        sms_post(inbound_payload("Here is the information you asked for", sender=SENDER))
    )
    assert case.display_reference in text
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS  # the resident replied: the clock runs again
    assert Case.objects.count() == 1


def test_free_text_with_several_open_cases_asks_which(setup, sms_post):
    resident = ResidentFactory(phone=SENDER)
    cases = [make_case(resident=resident, status=Status.OPEN) for _ in range(2)]
    text = reply_text(sms_post(inbound_payload("Any news?", sender=SENDER)))
    for case in cases:
        assert case.display_reference in text
    assert Case.objects.count() == 2
    assert _messages().get().case is None


@pytest.mark.parametrize(
    "body",
    [
        "Ŵyt ti'n gallu helpu? Mae'r bin wedi torri",
        "Mój kosz na śmieci nie został opróżniony 🗑️",
        "میرا کوڑا نہیں اٹھایا گیا",
        "🙂🙂🙂",
        "Nul\x00byte",
    ],
)
def test_unicode_and_emoji_bodies_are_kept(setup, sms_post, body):
    response = sms_post(inbound_payload(body, sender=SENDER))
    assert response.status_code == 200
    message = _messages().get()
    assert message.body == body.replace("\x00", "")
    assert message.case.description == message.body


def test_1600_character_body(setup, sms_post):
    body = ("Overgrown hedge blocking the footpath. " * 50)[:1600]
    assert len(body) == 1600
    response = sms_post(inbound_payload(body, sender=SENDER))
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.description == body
    assert len(case.summary) <= 120


def test_empty_body_with_media_opens_a_case_and_records_the_media(
    setup, sms_post, settings, django_capture_on_commit_callbacks
):
    settings.TWILIO_MEDIA_URL_PREFIXES = ["http://127.0.0.1:9/"]  # nothing listens: fetch fails
    url = (
        f"http://127.0.0.1:9/2010-04-01/Accounts/{settings.TWILIO_ACCOUNT_SID}/Messages/x/Media/ME1"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = sms_post(inbound_payload("", sender=SENDER, media=[(url, "image/jpeg")]))
    assert response.status_code == 200
    message = _messages().get()
    assert message.metadata["media"][0]["url"] == url
    assert message.case is not None
    assert message.case.summary == "Text message with a picture"
    # The background fetch ran (immediate backend) and failed without losing the URL.
    assert "error" in message.metadata["media"][0]


# --- Keywords and consent --------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["STOP", "stop", " Stop. ", "STOPALL", "Stop all", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"],
)
def test_stop_words_withdraw_consent(setup, sms_post, word):
    resident = ResidentFactory(phone=SENDER, consent_sms=True)
    text = reply_text(sms_post(inbound_payload(word, sender=SENDER)))
    resident.refresh_from_db()
    assert resident.consent_sms is False
    assert "START" in text
    assert not Case.objects.exists()


@pytest.mark.parametrize("word", ["START", "Yes", "UNSTOP"])
def test_start_words_restore_consent(setup, sms_post, word):
    resident = ResidentFactory(phone=SENDER, consent_sms=False)
    text = reply_text(sms_post(inbound_payload(word, sender=SENDER)))
    resident.refresh_from_db()
    assert resident.consent_sms is True
    assert "STOP" in text


@pytest.mark.parametrize("word", ["HELP", "info", "Help!"])
def test_help_words_explain_the_service(setup, sms_post, word):
    text = reply_text(sms_post(inbound_payload(word, sender=SENDER)))
    assert "Milton Keynes City Council" in text
    assert "STOP" in text
    assert "+441908691691" in text
    assert not Case.objects.exists()


def test_stop_from_unknown_number_is_remembered(setup, sms_post):
    sms_post(inbound_payload("STOP", sender=SENDER))
    assert Resident.objects.get(phone=SENDER).consent_sms is False


def test_stop_inside_a_sentence_is_free_text(setup, sms_post):
    sms_post(inbound_payload("Please stop the noise next door", sender=SENDER))
    assert Case.objects.count() == 1


def test_advanced_opt_out_answered_by_twilio_gets_empty_reply(setup, sms_post):
    payload = inbound_payload("STOP", sender=SENDER)
    payload["OptOutType"] = "STOP"
    response = sms_post(payload)
    assert reply_text(response) == ""
    assert Resident.objects.get(phone=SENDER).consent_sms is False


def test_stop_then_an_outbound_update_is_not_sent(
    setup, sms_post, outbox, django_capture_on_commit_callbacks
):
    resident = ResidentFactory(phone=SENDER, preferred_channel=Channel.SMS, email="")
    case = make_case(resident=resident, status=Status.OPEN)
    sms_post(inbound_payload("STOP", sender=SENDER))
    case = Case.objects.get(pk=case.pk)  # as the desk would load it, after the text
    message = queue_message(case, "status_update")
    assert message.status == MessageStatus.SUPPRESSED
    assert "consent" in message.last_error
    from services.outbound.dispatch import dispatch_due

    dispatch_due()
    # Only the confirmation of the STOP itself went; the update did not.
    assert [sent.message_id for sent in outbox if sent.message_id == message.pk] == []
    assert len(outbox) == 1 and "START" in outbox[0].body
    # and START lets the next one through
    sms_post(inbound_payload("START", sender=SENDER))
    dispatch_due()  # the answer to START goes first (texts to one resident keep their order)
    case = Case.objects.get(pk=case.pk)
    with django_capture_on_commit_callbacks(execute=True):
        allowed = queue_message(case, "status_update")
    allowed.refresh_from_db()
    assert allowed.status == MessageStatus.SENT
    assert len(outbox) == 3
    assert outbox[-1].message_id == allowed.pk
    assert outbox[-1].recipient == SENDER


def test_new_sid_helper_is_twilio_shaped():
    assert len(new_sid()) == 34
