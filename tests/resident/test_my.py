"""/my/: a signed-in resident's cases from every channel, preferences and data download."""

import json

import pytest
from allauth.account.models import EmailAddress

from services.models import Channel, PhoneProof, Resident
from tests.factories import ResidentFactory, ServiceFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db


def _user(email, verified=True):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def test_cases_from_every_channel_appear_once_the_email_is_verified(client):
    resident = ResidentFactory(email="Mo@Example.com")
    phone_case = make_case(ServiceFactory(), resident, origin_channel=Channel.VOICE)
    counter_case = make_case(ServiceFactory(), resident, origin_channel=Channel.COUNTER)
    stranger = make_case(ServiceFactory(), ResidentFactory(email="x@example.com"))
    client.force_login(_user("mo@example.com"))
    page = client.get("/my/cases/")
    assert phone_case.display_reference in page.text
    assert counter_case.display_reference in page.text
    assert stranger.display_reference not in page.text
    assert client.get(f"/track/{phone_case.reference}/").status_code == 200
    assert client.get(f"/track/{stranger.reference}/").status_code == 404


def test_an_unverified_email_shows_nothing(client):
    case = make_case(ServiceFactory(), ResidentFactory(email="un@example.com"))
    client.force_login(_user("un@example.com", verified=False))
    assert case.display_reference not in client.get("/my/cases/").text


def test_my_pages_need_sign_in(client):
    for url in ("/my/cases/", "/my/details/", "/my/data/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_preferences_and_language_are_saved(client):
    resident = ResidentFactory(email="pref@example.com", phone="")
    client.force_login(_user("pref@example.com"))
    response = client.post(
        "/my/details/",
        {"preferred_channel": "sms", "consent_sms": "on", "phone": "", "language": "pl"},
    )
    assert "Enter your mobile number" in response.text
    response = client.post(
        "/my/details/",
        {
            "preferred_channel": "sms",
            "consent_sms": "on",
            "phone": "07400 123456",
            "language": "pl",
        },
    )
    resident.refresh_from_db()
    assert resident.language == "pl"
    assert resident.preferred_channel == Channel.SMS
    assert resident.consent_email is False and resident.consent_sms is True
    # A new number waits for the code we text it (tests/resident/test_phone_proof.py).
    assert response["Location"] == "/my/phone/confirm/"
    assert resident.phone == ""
    assert PhoneProof.objects.get(user=resident.user).phone == "+447400123456"


def test_download_your_data_has_records_cases_and_visible_events_only(client):
    from services.actions import add_note
    from tests.factories import make_staff

    resident = ResidentFactory(email="data@example.com")
    case = make_case(ServiceFactory(), resident)
    add_note(make_staff(case.responsible_council), case, "internal only")
    client.force_login(_user("data@example.com"))
    response = client.get("/my/data/")
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert [c["reference"] for c in data["cases"]] == [case.reference]
    assert data["resident_records"][0]["email"] == "data@example.com"
    assert "internal only" not in response.content.decode()
    # Visiting "your cases" links the record to the account by the verified address.
    client.get("/my/cases/")
    assert Resident.objects.get(pk=resident.pk).user.email == "data@example.com"
