"""Place a fake call through the IVR without Twilio, for the demo and for staff training.

Each step is a POST signed exactly as Twilio signs it (``RequestValidator.compute_signature``
over PUBLIC_BASE_URL + path with the configured auth token) and dispatched to the real webhook
views, so the simulated call goes through the signature check and the same code as a real one.
Needs ``TWILIO_AUTH_TOKEN`` (the dev settings give the demo one).
"""

import secrets
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

from django.conf import settings
from django.test import RequestFactory
from django.urls import resolve
from twilio.request_validator import RequestValidator


def parse(twiml: str) -> ElementTree.Element:
    """Parse TwiML our own views just produced (trusted: not a provider's payload)."""
    return ElementTree.fromstring(twiml)  # noqa: S314


class SimulatorUnavailable(RuntimeError):
    """No Twilio auth token is configured, so nothing can be signed."""


@dataclass
class Step:
    path: str
    params: dict
    status: int
    twiml: str

    @property
    def spoken(self) -> list[str]:
        """What the caller would hear (every <Say>, in order)."""
        try:
            root = parse(self.twiml)
        except ElementTree.ParseError:
            return []
        return [el.text or "" for el in root.iter("Say")]


@dataclass
class SimulatedCall:
    call_sid: str
    caller: str
    dialled: str
    steps: list[Step] = field(default_factory=list)

    def post(self, url_or_path: str, **params: str) -> Step:
        token = settings.TWILIO_AUTH_TOKEN
        if not token:
            raise SimulatorUnavailable("Set TWILIO_AUTH_TOKEN to use the simulator.")
        parts = urlsplit(url_or_path)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = {
            "CallSid": self.call_sid,
            "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
            "From": self.caller,
            "To": self.dialled,
            "Direction": "inbound",
            "CallStatus": "in-progress",
            "ApiVersion": "2010-04-01",
            **params,
        }
        signature = RequestValidator(token).compute_signature(settings.PUBLIC_BASE_URL + path, data)
        request = RequestFactory().post(
            path,
            data=urlencode(data),
            content_type="application/x-www-form-urlencoded",
            headers={"X-Twilio-Signature": signature},
        )
        match = resolve(parts.path)
        response = match.func(request, *match.args, **match.kwargs)
        step = Step(path, params, response.status_code, response.content.decode())
        self.steps.append(step)
        return step

    def next_action(self) -> str:
        """The URL the last answer's <Gather>/<Enqueue>/<Record> sends the caller to."""
        root = parse(self.steps[-1].twiml)
        for tag in ("Gather", "Record", "Enqueue"):
            element = root.find(tag)
            if element is not None and element.get("action"):
                return element.get("action")
        return ""


def new_call(caller: str, dialled: str) -> SimulatedCall:
    return SimulatedCall("CA" + secrets.token_hex(16), caller, dialled)


def run(
    *,
    caller: str,
    dialled: str,
    language: str,
    path: str,
    reference: str = "",
    group: int = 1,
    message: str = "",
) -> SimulatedCall:
    """Drive one call: entry, language, then the chosen branch. The call stays live when it
    joins the queue (an agent takes it on the calls panel)."""
    call = new_call(caller, dialled)
    call.post("/channels/voice/twilio/", CallStatus="ringing")
    call.post(call.next_action(), Digits=language)
    if path == "status":
        call.post(call.next_action(), Digits="1")
        call.post(call.next_action(), Digits=reference.replace(" ", ""))
        return call
    call.post(call.next_action(), Digits="2")
    call.post(call.next_action(), Digits=str(group))
    root = parse(call.steps[-1].twiml)
    if root.find("Gather") is not None:  # open: wait, or leave a message
        call.post(call.next_action(), Digits="2" if path == "voicemail" else "1")
        root = parse(call.steps[-1].twiml)
    enqueue = root.find("Enqueue")
    if enqueue is not None:
        call.post(
            enqueue.get("waitUrl"),
            QueuePosition="1",
            QueueTime="5",
            AvgQueueTime="30",
            CurrentQueueSize="1",
            QueueSid="QU" + "0" * 32,
        )
        return call
    if root.find("Record") is not None:
        recording_sid = "RE" + secrets.token_hex(16)
        account = settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32
        recording_url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording_sid}"
        )
        call.post(
            call.next_action(),
            RecordingUrl=recording_url,
            RecordingSid=recording_sid,
            RecordingDuration="12",
            Digits="#",
        )
        if message:
            call.post(
                "/channels/voice/twilio/transcription/",
                TranscriptionText=message,
                TranscriptionStatus="completed",
                RecordingSid=recording_sid,
                RecordingUrl=recording_url,
                TranscriptionSid="TR" + secrets.token_hex(16),
            )
        call.post("/channels/voice/twilio/status/", CallStatus="completed", CallDuration="60")
    return call
