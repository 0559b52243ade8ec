"""The resident's language: chosen once, remembered (cookie and account), used for what we send."""

import re

import pytest
from allauth.account.models import EmailAddress

from services.models import Case, Message, MessageTemplate, Resident
from tests.apply.conftest import BIN_URL, CONTACT, fill_bin_form
from tests.apply.site import build_site
from tests.channels.voice.conftest import CALLER, ENTRY, caller  # noqa: F401 - its fixture
from tests.factories import ResidentFactory, UserFactory

pytestmark = pytest.mark.django_db
COOKIE = "portal_language"


def _signed_in_resident(client, email="lang@example.com", language="en"):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    resident = ResidentFactory(email=email, language=language, user=user)
    client.force_login(user)
    return user, resident


def test_switching_language_sets_the_cookie_and_returns_to_the_same_page(client):
    response = client.get("/language/ro/?next=/track/")
    assert response.status_code == 302 and response["Location"] == "/track/"
    assert response.cookies[COOKIE].value == "ro"
    assert '<html lang="ro"' in client.get("/track/").text


def test_switching_language_never_redirects_elsewhere_or_to_an_unknown_language(client):
    response = client.get("/language/pl/?next=https://evil.example/")
    assert response["Location"] == "/"
    response = client.get("/language/xx/?next=/track/")
    assert COOKIE not in response.cookies


def test_switching_language_while_signed_in_updates_every_record_of_the_resident(client):
    user, resident = _signed_in_resident(client)
    # A record from a phone call, matched to the account by the verified email address.
    other = ResidentFactory(email="LANG@example.com", language="en")
    stranger = ResidentFactory(language="en")
    client.get("/language/pl/?next=/my/cases/")
    assert {r.language for r in Resident.objects.filter(pk__in=[resident.pk, other.pk])} == {"pl"}
    stranger.refresh_from_db()
    assert stranger.language == "en"


def test_a_signed_in_resident_without_the_cookie_gets_their_accounts_language(client):
    _signed_in_resident(client, language="ur")
    response = client.get("/my/cases/")
    assert '<html lang="ur" dir="rtl"' in response.text
    assert response.cookies[COOKIE].value == "ur"
    # A cookie the resident set on this browser wins.
    client.cookies[COOKIE] = "pt"
    response = client.get("/my/cases/")
    assert '<html lang="pt"' in response.text and COOKIE not in response.cookies


def test_the_language_chosen_on_your_details_is_saved_and_used_for_the_site(client):
    _user, resident = _signed_in_resident(client, email="details@example.com")
    response = client.post(
        "/my/details/",
        {"preferred_channel": "email", "consent_email": "on", "phone": "", "language": "ro"},
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.language == "ro"
    assert response.cookies[COOKIE].value == "ro"


def test_a_web_application_records_the_residents_language_on_case_and_resident(
    client, settings, outbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    build_site()
    MessageTemplate.objects.update_or_create(  # the translators' wording may be loaded
        kind="acknowledgement",
        channel="email",
        language="pl",
        defaults={
            "subject": "Otrzymaliśmy Twoje zgłoszenie {{ reference }}",
            "body": "Otrzymaliśmy Twoje zgłoszenie {{ reference }}.",
        },
    )
    client.cookies[COOKIE] = "pl"
    # The contact step offers the language the resident is reading in.
    fill_bin_form(client, contact={"name": ""})  # stops at the contact step (invalid)
    contact_page = client.get(BIN_URL + "contact/").text
    assert re.search(r'<option value="pl"[^>]*selected', contact_page)
    response = client.post(BIN_URL + "contact/", CONTACT | {"language": "pl"})
    assert response["Location"].endswith("/check/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BIN_URL + "check/")
    case = Case.objects.get()
    assert case.language == "pl" and case.resident.language == "pl"
    message = Message.objects.get(case=case, kind="acknowledgement")
    assert message.language == "pl" and message.subject.startswith("Otrzymaliśmy")
    assert message.metadata["template_fell_back"] is False


# --- The phone line ----------------------------------------------------------------------------


def test_a_recognised_caller_is_greeted_in_their_saved_language(caller):  # noqa: F811
    ResidentFactory(phone=CALLER, language="pl")
    call = caller()
    root = call.step(ENTRY, CallStatus="ringing")
    says = list(root.iter("Say"))
    # Greeting and the first option in Polish, with Twilio's Polish voice.
    assert [s.get("language") for s in says[:2]] == ["pl-PL", "pl-PL"]
    assert "2" in says[1].text
    # The keys are the same as for everyone: 2 is Polish, and the menu then speaks Polish.
    root = call.next(Digits="2")
    assert all(s.get("language") == "pl-PL" for s in root.iter("Say"))


def test_an_unknown_caller_hears_the_greeting_in_english_first(caller):  # noqa: F811
    call = caller(sender="+447400999888")
    says = list(call.step(ENTRY, CallStatus="ringing").iter("Say"))
    assert says[0].get("language") == "en-GB" and "press 1" in says[1].text
