"""Recorded Twilio SMS payloads (real field names and formats) and a signed-post helper.

Signatures are computed by twilio's own ``RequestValidator`` over PUBLIC_BASE_URL + path, the
way Twilio signs them; nothing in the code under test is patched.
"""

import itertools
import secrets
import socket
from urllib.parse import urlencode

import pytest
from django.conf import settings
from twilio.request_validator import RequestValidator

INBOUND_PATH = "/channels/sms/twilio/"
STATUS_PATH = "/channels/sms/twilio/status/"
COUNCIL_NUMBER = "+447400000001"  # the demo's joint text number (a ContactPoint)
_sequence = itertools.count(1)


def new_sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


def inbound_payload(
    body: str = "Hello",
    *,
    sender: str = "+447700900123",
    to: str = COUNCIL_NUMBER,
    sid: str | None = None,
    media: list[tuple[str, str]] = (),
) -> dict[str, str]:
    """A payload as Twilio posts it for an inbound SMS/MMS to a UK long code."""
    sid = sid or new_sid("MM" if media else "SM")
    payload = {
        "ToCountry": "GB",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": str(len(media)),
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "GB",
        "To": to,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    for index, (url, content_type) in enumerate(media):
        payload[f"MediaUrl{index}"] = url
        payload[f"MediaContentType{index}"] = content_type
    return payload


def status_payload(sid: str, status: str, *, error_code: str = "") -> dict[str, str]:
    payload = {
        "SmsSid": sid,
        "SmsStatus": status,
        "MessageStatus": status,
        "To": "+447700900123",
        "MessageSid": sid,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "From": COUNCIL_NUMBER,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        payload["ErrorCode"] = error_code
    return payload


def sign(url: str, payload: dict, token: str | None = None) -> str:
    return RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(url, payload)


def post_signed(client, path: str, payload: dict, *, signed_url: str | None = None, **extra):
    """POST as Twilio does: form-encoded, signed over the public URL (or ``signed_url``)."""
    url = signed_url or settings.PUBLIC_BASE_URL + path
    return client.post(
        path,
        data=urlencode(payload),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": sign(url, payload)},
        **extra,
    )


def reply_for(sid: str) -> str:
    """The answer the filing worker queued for the text ``sid`` ("" for none): one at most."""
    from services.models import Channel, Message

    replies = Message.objects.filter(
        channel=Channel.SMS, direction="out", metadata__reply_to=sid
    ).order_by("pk")
    assert replies.count() <= 1, "a text was answered more than once"
    reply = replies.first()
    return reply.body if reply else ""


def reply_text(response) -> str:
    """What the resident got back for the text ``response`` accepted ("" for nothing).

    The webhook itself answers an empty TwiML ``<Response/>`` (accept first, file after):
    that is checked here, and the answer is the outbound text the filing worker queued for
    the same MessageSid (``sms_post`` files the inbox in-process and notes the MessageSid).
    """
    from xml.etree import ElementTree

    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own TwiML)
    assert root.tag == "Response"
    assert list(root) == [], "the webhook answers an empty <Response/>; the reply is a text"
    return reply_for(response.message_sid)


def file_inbox():
    """File everything the webhooks accepted, in-process, as ``manage.py file_texts`` does."""
    from channels.sms.filing import file_all

    return file_all()


@pytest.fixture
def sms_post(client):
    """POST a signed webhook, then file the inbox (the worker's half, run here at once)."""

    def post(payload, path=INBOUND_PATH, **kwargs):
        response = post_signed(client, path, payload, **kwargs)
        file_inbox()
        response.message_sid = payload.get("MessageSid", "")
        return response

    return post


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def twilio_backend(settings):
    """The real TwilioBackend pointed at a local fake Twilio (not listening until ``start``)."""
    from tests.channels.sms.fake_twilio import FakeTwilio

    settings.PORTAL_CHANNEL_BACKENDS = {
        **settings.PORTAL_CHANNEL_BACKENDS,
        "sms": "channels.sms.backends.twilio.TwilioBackend",
    }
    port = _free_port()
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{port}"
    fake = FakeTwilio(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, port=port)
    yield fake
    if fake._thread.is_alive():
        fake.stop()
    else:
        fake.server.server_close()
