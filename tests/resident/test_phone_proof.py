"""Proving a mobile number: a texted code, typed back; then cases from the number are "mine".

Real parts throughout: the pages through Django's test client with CSRF-free posts as a
browser makes them, the code text through the outbox and the locmem SMS backend, the limits
in PostgreSQL (``services.actions.ratelimit``), a text case through the signed Twilio
webhook and its filing worker, a call case through the same intake the IVR's voicemail uses.
"""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from services.actions import InboundMessage, intake, phones
from services.models import AuditEntry, Case, Channel, ContactPoint, Message, PhoneProof, Resident
from tests.channels.sms.conftest import COUNCIL_NUMBER, file_inbox, inbound_payload, post_signed
from tests.factories import (
    CouncilFactory,
    ResidentFactory,
    ServiceFactory,
    UserFactory,
    make_case,
)

pytestmark = pytest.mark.django_db

NUMBER = "+447400123456"
TYPED = "07400 123456"
DETAILS = {"preferred_channel": "email", "consent_email": "on", "language": "en"}


def _account(client, email):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    client.force_login(user)
    return user


def _ask_for_code(client, capture, phone=TYPED, **fields):
    with capture(execute=True):
        return client.post("/my/details/", DETAILS | {"phone": phone} | fields)


def _last_code(phone=NUMBER) -> str:
    """The code in the newest text queued to ``phone`` (what the resident reads)."""
    text = Message.objects.filter(kind="phone_code", recipient=phone).latest("pk")
    return re.search(r"\b(\d{6})\b", text.body).group(1)


def _confirm(client, code):
    return client.post("/my/phone/confirm/", {"code": code})


@pytest.fixture
def text_line(db):
    """A council with a text number and the triage service texts open cases in."""
    council = CouncilFactory(code="MKC", name="Milton Keynes City Council", phone="+441908691691")
    ServiceFactory(slug="general-enquiry", name="General enquiry", responsible_council=council)
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    return council


def _text_case(client, body="Fly-tipping behind the shops on Elm Road") -> Case:
    """A case opened by a text from NUMBER through the signed webhook and the filing worker."""
    payload = inbound_payload(body, sender=NUMBER)
    assert post_signed(client, "/channels/sms/twilio/", payload).status_code == 200
    file_inbox()
    return Case.objects.get(messages__provider_id=payload["MessageSid"])


def _call_case() -> Case:
    """A case from a voicemail left by NUMBER, through intake as the IVR files it."""
    result = intake(
        InboundMessage(
            channel=Channel.VOICE,
            provider_id="CA" + "1" * 32,
            sender=NUMBER,
            body="Voicemail: the street light outside number 4 is out.",
            thread_to_open_case=False,
        )
    )
    assert result.created_case
    return result.case


# --- The code ---------------------------------------------------------------------------------


def test_a_new_number_gets_a_code_by_text_and_is_only_pending_until_it_comes_back(
    client, outbox, django_capture_on_commit_callbacks
):
    user = _account(client, "new@example.com")
    response = _ask_for_code(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/my/phone/confirm/"
    # One text, sent by the worker after commit through the SMS backend, with a 6-digit code.
    assert [(m.channel, m.recipient, m.kind) for m in outbox] == [("sms", NUMBER, "phone_code")]
    code = re.search(r"\b(\d{6})\b", outbox[0].body).group(1)
    assert "10 minutes" in outbox[0].body
    # Only a keyed hash of the code is kept.
    proof = PhoneProof.objects.get(user=user)
    assert proof.phone == NUMBER and code not in proof.code_digest
    assert proof.code_digest == phones.phone_code_digest(user.pk, NUMBER, code)
    # Nothing is the account's yet: the number waits for its code.
    assert Resident.objects.get(user=user).phone_verified is False
    page = client.get("/my/phone/confirm/")
    assert "07400 123456" in page.text and 'autocomplete="one-time-code"' in page.text
    assert "waiting for the code" in client.get("/my/details/").text


def test_the_right_code_proves_the_number_once_and_is_audited(
    client, django_capture_on_commit_callbacks
):
    user = _account(client, "right@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    code = _last_code()
    response = _confirm(client, f"{code[:3]} {code[3:]}")  # as copied from the text, spaced
    assert response.status_code == 302 and response["Location"] == "/my/cases/"
    own = Resident.objects.get(user=user)
    assert (own.phone, own.phone_verified) == (NUMBER, True)
    entry = AuditEntry.objects.get(action="prove_phone")
    assert (entry.actor, entry.object_id, entry.detail["to"]) == (user, str(own.pk), NUMBER)
    assert not PhoneProof.objects.filter(user=user).exists()
    # A code is good once: the same code again finds nothing waiting.
    again = _confirm(client, code)
    assert again.status_code == 302 and again["Location"] == "/my/details/"
    assert AuditEntry.objects.filter(action="prove_phone").count() == 1


def test_a_wrong_code_is_refused_and_says_how_many_tries_are_left(
    client, django_capture_on_commit_callbacks
):
    user = _account(client, "wrong@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    code = _last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = _confirm(client, wrong)
    assert response.status_code == 200
    assert "That code is not right" in response.text and "2 more times" in response.text
    assert "govuk-error-summary" in response.text
    assert Resident.objects.get(user=user).phone_verified is False
    assert "Enter the 6 digits" in _confirm(client, "12345").text  # not a code at all
    # Still two tries left, and the right code still works.
    assert _confirm(client, code)["Location"] == "/my/cases/"
    assert Resident.objects.get(user=user).phone_verified is True


def test_an_expired_code_is_refused_and_a_new_one_can_be_sent(
    client, django_capture_on_commit_callbacks
):
    user = _account(client, "late@example.com")
    client.get("/my/cases/")  # links the account's own record
    eleven_minutes_ago = timezone.now() - datetime.timedelta(minutes=11)
    phones.send_phone_code(user, NUMBER, now=eleven_minutes_ago)
    old = _last_code()
    response = _confirm(client, old)
    assert response.status_code == 200 and "That code has expired" in response.text
    assert Resident.objects.get(user=user).phone_verified is False
    page = client.get("/my/phone/confirm/").text
    assert "can no longer be used" in page and "Send a new code" in page
    # Expired stays expired, even typed again.
    assert "can no longer be used" in _confirm(client, old).text
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/my/phone/send/")
    assert sent["Location"] == "/my/phone/confirm/"
    new = _last_code()
    assert _confirm(client, new)["Location"] == "/my/cases/"
    assert Resident.objects.get(user=user).phone == NUMBER


def test_three_wrong_codes_void_the_code_and_a_new_one_is_needed(
    client, django_capture_on_commit_callbacks
):
    user = _account(client, "tries@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    code = _last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert "2 more times" in _confirm(client, wrong).text
    assert "1 more time." in _confirm(client, wrong).text
    assert "wrong code too many times" in _confirm(client, wrong).text
    # The right code is no good any more.
    assert "can no longer be used" in _confirm(client, code).text
    assert Resident.objects.get(user=user).phone_verified is False
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/my/phone/send/")
    assert Message.objects.filter(kind="phone_code", recipient=NUMBER).count() == 2
    assert _confirm(client, _last_code())["Location"] == "/my/cases/"


def test_tries_are_limited_per_account_whatever_the_code(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_RATE_LIMITS = {"phone_code_try_user": (2, 3600)}
    user = _account(client, "slow@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    code = _last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    assert _confirm(client, wrong).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/my/phone/send/")  # a fresh code does not buy fresh tries
    code = _last_code()
    assert _confirm(client, wrong).status_code == 200
    refused = _confirm(client, code)
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert Resident.objects.get(user=user).phone_verified is False


def test_codes_are_limited_per_number_and_per_account(
    client, outbox, django_capture_on_commit_callbacks
):
    _account(client, "first@example.com")
    for _ in range(3):
        _ask_for_code(client, django_capture_on_commit_callbacks)
    # Another account asking for the same number: refused, and nothing it typed is lost.
    other = _account(client, "second@example.com")
    client.get("/my/cases/")
    response = _ask_for_code(client, django_capture_on_commit_callbacks, language="pl")
    assert response.status_code == 429 and "too many codes" in response.text
    assert 'value="07400 123456"' in response.text
    assert Resident.objects.get(user=other).language == "en"
    assert not PhoneProof.objects.filter(user=other).exists()
    assert len(outbox) == 3
    # One account trying number after number runs out too.
    for n in range(5):
        response = _ask_for_code(client, django_capture_on_commit_callbacks, phone=f"0741112345{n}")
        assert response.status_code == 302
    assert (
        _ask_for_code(client, django_capture_on_commit_callbacks, phone="07411123459").status_code
        == 429
    )
    assert len(outbox) == 8


def test_a_landline_or_a_fictional_number_gets_no_code(
    client, outbox, django_capture_on_commit_callbacks
):
    _account(client, "land@example.com")
    landline = _ask_for_code(client, django_capture_on_commit_callbacks, phone="01908 691691")
    assert "We cannot text a landline" in landline.text
    drama = _ask_for_code(client, django_capture_on_commit_callbacks, phone="07700 900982")
    assert "Enter a UK mobile number, like 07400 123456" in drama.text
    assert outbox == [] and not PhoneProof.objects.exists()


def test_phone_pages_need_sign_in(client):
    for url in ("/my/phone/confirm/", "/my/phone/send/"):
        response = client.post(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Whose cases ------------------------------------------------------------------------------


def test_text_call_and_counter_cases_appear_in_my_requests_after_proof_and_not_before(
    client, text_line, django_capture_on_commit_callbacks
):
    text = _text_case(client)
    call = _call_case()
    visitor = ResidentFactory(phone=NUMBER, phone_verified=False, email="")
    visit = make_case(ServiceFactory(), visitor, origin_channel=Channel.COUNTER)
    stranger = make_case(ServiceFactory(), ResidentFactory(phone="+447400999999"))
    assert text.origin_channel == Channel.SMS and call.origin_channel == Channel.VOICE

    _account(client, "owner@example.com")
    before = client.get("/my/cases/").text
    for case in (text, call, visit):
        assert case.display_reference not in before
        assert client.get(f"/track/{case.reference}/").status_code == 404
    assert "add your mobile number and confirm it" in before

    _ask_for_code(client, django_capture_on_commit_callbacks)
    pending = client.get("/my/cases/").text  # typed, not proven: still nothing
    assert text.display_reference not in pending and call.display_reference not in pending

    _confirm(client, _last_code())
    after = client.get("/my/cases/").text
    for case in (text, call, visit):
        assert case.display_reference in after
        assert client.get(f"/track/{case.reference}/").status_code == 200
    assert stranger.display_reference not in after
    assert "add your mobile number and confirm it" not in after


def test_the_same_number_on_two_accounts_only_the_proven_one_links(
    client, text_line, django_capture_on_commit_callbacks
):
    text = _text_case(client)
    # Bea typed the number on her account and filed a web form with it; she never proves it.
    bea = _account(client, "bea@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    bea_own = Resident.objects.get(user=bea)
    bea_form = make_case(ServiceFactory(), bea_own)
    Resident.objects.filter(pk=bea_own.pk).update(phone=NUMBER, phone_verified=False)
    assert text.display_reference not in client.get("/my/cases/").text

    # Ali proves it: the text case is his; Bea's own record is not (her claim, not a contact).
    ali = _account(client, "ali@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    _confirm(client, _last_code())
    ali_cases = client.get("/my/cases/").text
    assert text.display_reference in ali_cases
    assert bea_form.display_reference not in ali_cases
    client.force_login(bea)
    assert text.display_reference not in client.get("/my/cases/").text

    # The number is passed on and Bea proves it now: it is hers, and Ali's proof is gone.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/my/phone/send/")
    _confirm(client, _last_code())
    assert text.display_reference in client.get("/my/cases/").text
    taken = AuditEntry.objects.get(action="phone_proof_taken_over")
    ali_own = Resident.objects.get(user=ali)
    assert taken.object_id == str(ali_own.pk) and taken.actor == bea
    assert ali_own.phone_verified is False
    assert (
        Resident.objects.filter(phone=NUMBER, phone_verified=True, user__isnull=False).count() == 1
    )
    client.force_login(ali)
    assert text.display_reference not in client.get("/my/cases/").text
    assert "Not confirmed" in client.get("/my/details/").text


def test_preferences_apply_to_the_records_of_a_proven_number(
    client, text_line, django_capture_on_commit_callbacks
):
    text = _text_case(client)
    _account(client, "prefs@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    _confirm(client, _last_code())
    client.post(
        "/my/details/",
        {"preferred_channel": "email", "consent_email": "on", "phone": TYPED, "language": "pl"},
    )
    texter = Resident.objects.get(pk=text.resident_id)
    assert (texter.language, texter.consent_sms, texter.preferred_channel) == ("pl", False, "email")


def test_removing_the_number_is_audited_and_its_cases_leave_my_requests(
    client, text_line, django_capture_on_commit_callbacks
):
    text = _text_case(client)
    user = _account(client, "remove@example.com")
    _ask_for_code(client, django_capture_on_commit_callbacks)
    _confirm(client, _last_code())
    assert text.display_reference in client.get("/my/cases/").text
    response = client.post("/my/details/", DETAILS | {"phone": ""})
    assert response.status_code == 302
    own = Resident.objects.get(user=user)
    assert (own.phone, own.phone_verified) == ("", False)
    entry = AuditEntry.objects.get(action="remove_phone")
    assert entry.detail == {"from": NUMBER, "from_verified": True} and entry.actor == user
    assert text.display_reference not in client.get("/my/cases/").text
