"""Driving the voice webhooks as Twilio does: real field names, real signatures, TwiML checks.

Signatures are computed with twilio's own ``RequestValidator.compute_signature`` over
PUBLIC_BASE_URL + path (and query string), as Twilio computes them; nothing is patched.
Every TwiML answer is parsed with xml.etree and checked against ``ALLOWED`` — the verbs and
attributes Twilio's TwiML reference accepts, and what may nest in what.
"""

import datetime
import secrets
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from channels.voice.hours import contact_centre
from services.calendar import bank_holidays
from services.models import Closure, OpeningHours

ENTRY = "/channels/voice/twilio/"
MKC_LINE = "+441632960001"
NCC_LINE = "+441632960002"
UNKNOWN_LINE = "+441632960999"
CALLER = "+447400123456"

# verb → attributes Twilio accepts (TwiML Voice reference); children allowed inside it.
ALLOWED: dict[str, set[str]] = {
    "Response": set(),
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Pause": {"length"},
    "Hangup": set(),
    "Redirect": {"method"},
    "Leave": set(),
    "Gather": {
        "action",
        "method",
        "timeout",
        "finishOnKey",
        "numDigits",
        "input",
        "language",
        "hints",
        "speechTimeout",
        "actionOnEmptyResult",
        "profanityFilter",
        "speechModel",
        "enhanced",
        "bargeIn",
    },
    "Enqueue": {"action", "method", "waitUrl", "waitUrlMethod", "maxQueueSize", "workflowSid"},
    "Record": {
        "action",
        "method",
        "timeout",
        "finishOnKey",
        "maxLength",
        "playBeep",
        "trim",
        "transcribe",
        "transcribeCallback",
        "recordingStatusCallback",
        "recordingStatusCallbackMethod",
        "recordingStatusCallbackEvent",
    },
    "Dial": {"callerId", "timeout", "action", "method", "answerOnBridge", "record"},
    "Queue": {"url", "method"},
    "Number": {"sendDigits", "url", "method"},
}
NESTING = {
    "Response": set(ALLOWED) - {"Response", "Queue", "Number"},
    "Gather": {"Say", "Play", "Pause"},
    "Dial": {"Queue", "Number"},
}
URL_ATTRIBUTES = {"action", "waitUrl", "transcribeCallback", "recordingStatusCallback", "url"}
SAY_LANGUAGES = {"en-GB", "pl-PL", "ro-RO", "pt-PT"}


def new_sid(prefix: str = "CA") -> str:
    return prefix + secrets.token_hex(16)


def call_payload(sid: str, *, to: str = MKC_LINE, sender: str = CALLER, **fields) -> dict:
    """The parameters Twilio sends with every voice webhook request."""
    return {
        "Called": to,
        "ToState": "",
        "CallerCountry": "GB",
        "Direction": "inbound",
        "CallerState": "",
        "ToZip": "",
        "CallSid": sid,
        "To": to,
        "CallerZip": "",
        "ToCountry": "GB",
        "CallToken": "",
        "CalledZip": "",
        "ApiVersion": "2010-04-01",
        "CalledCity": "",
        "CallStatus": "in-progress",
        "From": sender,
        "AccountSid": settings.TWILIO_ACCOUNT_SID,
        "CalledCountry": "GB",
        "CallerCity": "",
        "Caller": sender,
        "FromCountry": "GB",
        "ToCity": "",
        "FromCity": "",
        "CalledState": "",
        "FromZip": "",
        "FromState": "",
        **fields,
    }


def post_signed(client, url_or_path: str, payload: dict, *, token: str | None = None):
    parts = urlsplit(url_or_path)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    signature = RequestValidator(token or settings.TWILIO_AUTH_TOKEN).compute_signature(
        settings.PUBLIC_BASE_URL + path, payload
    )
    return client.post(
        path,
        data=urlencode(payload),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def parse_twiml(response) -> ElementTree.Element:
    """Parse and validate a TwiML answer; return its root."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 (our own TwiML)
    assert root.tag == "Response"
    _check(root)
    return root


def _check(element: ElementTree.Element) -> None:
    assert element.tag in ALLOWED, f"<{element.tag}> is not a TwiML verb we allow"
    unknown = set(element.attrib) - ALLOWED[element.tag]
    assert not unknown, f"<{element.tag}> has attributes Twilio does not accept: {unknown}"
    for name, value in element.attrib.items():
        if name in URL_ATTRIBUTES:
            assert value.startswith(settings.PUBLIC_BASE_URL + "/channels/voice/twilio/"), value
        if name in ("method", "waitUrlMethod"):
            assert value in ("GET", "POST")
        if name in ("numDigits", "timeout", "maxLength", "length"):
            assert value.isdigit() and int(value) > 0
        if name in ("actionOnEmptyResult", "transcribe", "playBeep"):
            assert value in ("true", "false")
        if name == "input":
            assert set(value.split()) <= {"dtmf", "speech"}
    if element.tag == "Say":
        assert (element.text or "").strip(), "an empty <Say>"
        assert element.get("language") in SAY_LANGUAGES
    children = list(element)
    if element.tag in ("Queue", "Number"):
        assert (element.text or "").strip(), f"an empty <{element.tag}>"
    if element.tag in ("Say", "Hangup", "Pause", "Leave", "Redirect", "Play", "Enqueue"):
        assert not children or element.tag == "Enqueue" and not children
    for child in children:
        assert child.tag in NESTING.get(element.tag, set()), (
            f"<{child.tag}> cannot be inside <{element.tag}>"
        )
        _check(child)


def spoken(root: ElementTree.Element) -> str:
    return " ".join((say.text or "") for say in root.iter("Say"))


def action_of(root: ElementTree.Element, verb: str = "Gather") -> str:
    element = root.find(verb)
    assert element is not None, f"no <{verb}>"
    return element.get("action")


class Caller:
    """One call, step by step, as Twilio would drive it."""

    def __init__(self, client, *, to: str = MKC_LINE, sender: str = CALLER, sid: str = ""):
        self.client = client
        self.sid = sid or new_sid()
        self.to = to
        self.sender = sender
        self.root: ElementTree.Element | None = None

    def post(self, url: str, **fields):
        return post_signed(
            self.client, url, call_payload(self.sid, to=self.to, sender=self.sender, **fields)
        )

    def step(self, url: str, **fields) -> ElementTree.Element:
        self.root = parse_twiml(self.post(url, **fields))
        return self.root

    def next(self, verb: str = "Gather", **fields) -> ElementTree.Element:
        return self.step(action_of(self.root, verb), **fields)

    def to_menu(self, language: str = "1") -> ElementTree.Element:
        self.step(ENTRY, CallStatus="ringing")
        return self.next(Digits=language)


@pytest.fixture
def caller(client, catalogue):
    def make(**kwargs) -> Caller:
        return Caller(client, **kwargs)

    return make


@pytest.fixture
def open_now(catalogue):
    """The contact centre answers now, whatever the day (not on a bank holiday)."""
    today = timezone.localdate()
    if today in bank_holidays(today.year):
        pytest.skip("England bank holiday today: the contact centre is closed by design")
    office = contact_centre()
    Closure.objects.filter(date=today).delete()
    office.opening_hours.all().delete()
    OpeningHours.objects.create(
        office=office,
        weekday=today.weekday(),
        opens=datetime.time(0, 0),
        closes=datetime.time(23, 59, 59, 999999),
    )
    return office


@pytest.fixture
def closed_now(catalogue):
    office = contact_centre()
    office.opening_hours.all().delete()
    return office
