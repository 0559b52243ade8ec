"""The shared Twilio webhook base and the staff channel simulator that drives it."""

import pytest
from django.conf import settings
from django.test import RequestFactory

from channels.twilio import public_url, signature_is_valid
from services.models import Case, Channel, ContactPoint, Message
from tests.channels.sms.conftest import COUNCIL_NUMBER, inbound_payload, sign
from tests.factories import CouncilFactory, ServiceFactory, UserFactory, make_staff

PATH = "/channels/sms/twilio/"


def test_public_url_ignores_the_host_header_and_keeps_the_query():
    request = RequestFactory().post(PATH + "?a=1", HTTP_HOST="evil.example")
    assert public_url(request) == settings.PUBLIC_BASE_URL + PATH + "?a=1"


def test_signature_with_wrong_token_is_invalid():
    payload = inbound_payload("x")
    request = RequestFactory().post(
        PATH,
        payload,
        headers={
            "X-Twilio-Signature": sign(settings.PUBLIC_BASE_URL + PATH, payload, "other-token")
        },
    )
    assert not signature_is_valid(request)


def test_signature_without_configured_token_is_invalid(settings):
    payload = inbound_payload("x")
    request = RequestFactory().post(
        PATH,
        payload,
        headers={"X-Twilio-Signature": sign(settings.PUBLIC_BASE_URL + PATH, payload)},
    )
    assert signature_is_valid(request)
    settings.TWILIO_AUTH_TOKEN = ""
    assert not signature_is_valid(request)


@pytest.fixture
def sms_setup(db):
    council = CouncilFactory(code="MKC")
    ServiceFactory(slug="general-enquiry", responsible_council=council)
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    return council


def _form(body):
    return {
        "simulator": "sms",
        "sms-sender": "+447700900123",
        "sms-to": COUNCIL_NUMBER,
        "sms-body": body,
    }


def test_simulator_sends_a_signed_text_through_the_real_webhook(sms_setup, client):
    client.force_login(make_staff(sms_setup))
    response = client.post("/desk/simulator/", _form("My bin was missed"))
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.display_reference in response.content.decode()
    assert Message.objects.get(direction="in").sender == "+447700900123"


def test_simulator_is_for_staff_only(sms_setup, client):
    assert client.get("/desk/simulator/").status_code == 302  # sign in first
    client.force_login(UserFactory())
    assert client.get("/desk/simulator/").status_code == 404
    assert client.post("/desk/simulator/", _form("x")).status_code == 404
    assert not Message.objects.exists()


def test_simulator_is_off_unless_enabled(sms_setup, client, settings):
    settings.PORTAL_CHANNEL_SIMULATOR = False
    client.force_login(make_staff(sms_setup))
    assert client.get("/desk/simulator/").status_code == 404
    assert client.post("/desk/simulator/", _form("x")).status_code == 404
    assert not Message.objects.exists()


def test_simulator_page_has_no_inline_script_or_style(sms_setup, client):
    client.force_login(make_staff(sms_setup))
    html = client.get("/desk/simulator/").content.decode()
    assert "<script>" not in html and " style=" not in html
    assert 'name="sms-body"' in html
