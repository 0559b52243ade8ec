"""The staff channel simulator at /desk/simulator/: a signed fake text through the real
webhook, for staff only and only where it is enabled."""

import pytest

from channels.sms.models import InboxEntry
from services.models import Case, Channel, ContactPoint, Message
from tests.channels.sms.conftest import COUNCIL_NUMBER, file_inbox
from tests.factories import CouncilFactory, ServiceFactory, UserFactory, make_staff


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
    html = response.content.decode()
    # Accepted, not filed yet: the text waits in the inbox and there is no reply so far.
    assert "Webhook answered 200" in html and "Waiting to be filed" in html
    assert not Case.objects.exists()
    assert InboxEntry.objects.get().lane == "+447700900123"

    file_inbox()  # the filing worker's turn (make demo runs manage.py file_texts)

    case = Case.objects.get()
    html = client.get("/desk/simulator/", {"phone": "+447700900123"}).content.decode()
    assert case.display_reference in html  # the reply arrived, as a text to the resident
    assert "Waiting to be filed" not in html
    assert Message.objects.get(direction="in").sender == "+447700900123"
    reply = Message.objects.get(direction="out")
    assert reply.recipient == "+447700900123" and case.display_reference in reply.body


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
