"""Signed SMS webhooks with NUL characters in the numbers: answered, stored clean, never a 500."""

import pytest

from services.models import Case, Channel, ContactPoint, Message, Resident
from tests.channels.sms.conftest import COUNCIL_NUMBER, inbound_payload, reply_text
from tests.factories import CouncilFactory, ServiceFactory

SENDER = "+447700900123"


@pytest.fixture
def setup(db):
    council = CouncilFactory(code="MKC", name="Milton Keynes City Council", phone="+441908691691")
    ServiceFactory(slug="general-enquiry", name="General enquiry", responsible_council=council)
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    return council


def test_nul_in_from_is_dropped_and_the_sender_recognised(setup, sms_post):
    payload = inbound_payload("Bin not collected", sender="+4477009\x0000123")
    response = sms_post(payload)
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.resident.phone == SENDER
    assert case.display_reference in reply_text(response)


def test_nul_in_to_still_routes_by_the_number_texted(setup, sms_post):
    response = sms_post(inbound_payload("Bin not collected", to=COUNCIL_NUMBER + "\x00"))
    assert response.status_code == 200
    message = Message.objects.get(channel=Channel.SMS, direction="in")
    assert message.recipient == COUNCIL_NUMBER
    assert Case.objects.get().responsible_council == setup


def test_a_sender_that_is_only_nul_is_a_bad_request(setup, sms_post):
    response = sms_post(inbound_payload("Hello", sender="\x00\x00"))
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_nul_in_an_alphanumeric_sender_and_in_stop(setup, sms_post):
    response = sms_post(inbound_payload("ST\x00OP", sender="NOTIFY\x00" + "Y" * 50))
    assert response.status_code == 200
    message = Message.objects.get()
    assert "\x00" not in message.sender + message.body + message.raw
    assert Resident.objects.get().consent_sms is False
