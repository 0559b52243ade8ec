"""Fixtures for the email channel: two councils' mailboxes, the two entry points."""

import hashlib
import hmac
import io
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from services.models import Channel, ContactPoint
from tests.factories import CouncilFactory, ServiceFactory

CORPUS = Path(__file__).parent / "corpus"
SIGNING_KEY = "key-test-mailgun-signing-0123456789"
WEBHOOK_URL = "/channels/email/anymail/mailgun/inbound_mime/"
FROM = "MK and Northamptonshire councils <noreply@mk.example.org>"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture(autouse=True)
def email_settings(settings):
    settings.PORTAL_FAX_GATEWAYS = ["faxgateway.example.net"]
    settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    settings.DEFAULT_FROM_EMAIL = FROM
    settings.SERVER_EMAIL = FROM
    return settings


@pytest.fixture
def mailboxes(db):
    """MKC and NCC general mailboxes, MKC's bins mailbox, and the triage service."""
    mkc = CouncilFactory(code="MKC", name="Milton Keynes City Council", short_name="MKC")
    ncc = CouncilFactory(code="NCC", name="Northamptonshire County Council", short_name="NCC")
    triage = ServiceFactory(
        slug="general-enquiry", name="General enquiry", responsible_council=mkc, joint=True
    )
    bins = ServiceFactory(slug="mk-missed-bin", name="Missed bin", responsible_council=mkc)
    ContactPoint.objects.create(
        channel=Channel.EMAIL, address="contact@mk.example.org", council=mkc
    )
    ContactPoint.objects.create(
        channel=Channel.EMAIL, address="contact@northants.example.org", council=ncc
    )
    ContactPoint.objects.create(
        channel=Channel.EMAIL, address="bins@mk.example.org", council=mkc, service=bins
    )
    return {"MKC": mkc, "NCC": ncc, "triage": triage, "bins": bins}


def pipe(raw: bytes, *, sender: str | None = None, recipient: str = "") -> tuple[int, str]:
    """``manage.py receive_email`` in-process, standard input from ``raw``: (exit code, stderr)."""
    stderr = io.StringIO()
    options = {"stdin": io.BytesIO(raw), "stderr": stderr, "stdout": io.StringIO()}
    if sender is not None:
        options["sender"] = sender
    if recipient:
        options["recipient"] = recipient
    try:
        call_command("receive_email", **options)
    except SystemExit as exit:
        return int(exit.code), stderr.getvalue()
    return 0, stderr.getvalue()


def mailgun_post(client, raw: bytes, *, key: str = SIGNING_KEY, sender=None, recipient=""):
    """Post ``raw`` as Mailgun's inbound route does (forward to a URL containing "mime"),
    signed as Mailgun signs: HMAC-SHA256 of timestamp + token with the webhook signing key."""
    timestamp, token = str(int(time.time())), hashlib.sha256(raw).hexdigest()[:50]
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = {
        "body-mime": raw.decode("utf-8", errors="replace"),
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }
    if sender is not None:
        data["sender"] = sender
    if recipient:
        data["recipient"] = recipient
    return client.post(WEBHOOK_URL, data)
