"""The shared Twilio webhook base. (The staff channel simulator that drives it:
``tests/desk/simulator/``.)"""

from django.conf import settings
from django.test import RequestFactory

from channels.twilio import public_url, signature_is_valid
from tests.channels.sms.conftest import inbound_payload, sign

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
