"""Fake providers: each builds a provider's payload, signs it as the provider would, and sends
it through the real webhook view — the signature check included, never bypassed.

A simulator is a form plus ``send(form) -> Result``. Add one by subclassing ``Simulator`` and
listing it in ``SIMULATORS``; the page lists them all (a text message, and a call placed through
the IVR by ``channels.voice.simulator``). Nothing here touches the network: the signed request is built with Django's
``RequestFactory`` and handed to the URL resolver's view in the same process.

A text is only *accepted* by the webhook (an empty ``<Response/>``); the filing worker
(``manage.py file_texts``, which ``make demo`` runs) files it and queues the reply a moment
later, so the page shows the sender's conversation and a link to look again.
"""

import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db.models import Q
from django.http import QueryDict
from django.test import RequestFactory
from django.urls import resolve
from django.utils.translation import gettext_lazy as _
from twilio.request_validator import RequestValidator

from channels.sms.models import InboxEntry
from channels.voice import simulator as voice_simulator
from desk.calls.forms import SimulatedCallForm
from services import inbound as clean
from services.models import Channel, ContactPoint, Message


@dataclass
class Result:
    status_code: int
    reply: str  # what the resident would see at once (what the caller hears; "" for a text)
    raw: str  # the provider-facing response (TwiML)
    phone: str = ""  # a text's sender: their conversation is shown, the reply arrives later


@dataclass
class Conversation:
    """A number's texts as the simulator shows them: the reply to a text is not in the
    webhook's answer any more (accept first, file after) but arrives a moment later, as an
    outbound text queued by the filing worker; until then the text waits in the inbox."""

    phone: str
    messages: list  # Message, newest first
    waiting: list  # InboxEntry rows of this sender not filed yet (pending or parked)


def sms_conversation(phone: str, limit: int = 12) -> Conversation:
    phone = clean.phone(phone)
    messages = list(
        Message.objects.filter(channel=Channel.SMS)
        .filter(Q(direction="in", sender=phone) | Q(direction="out", recipient=phone))
        .order_by("-created_at", "-pk")[:limit]
    )
    waiting = list(
        InboxEntry.objects.filter(
            kind=InboxEntry.Kind.TEXT,
            lane=phone,
            state__in=[InboxEntry.State.PENDING, InboxEntry.State.PARKED],
        ).order_by("received_at", "pk")[:limit]
    )
    for entry in waiting:
        entry.text = QueryDict(entry.body).get("Body", "")
    return Conversation(phone, messages, waiting)


def signed_twilio_post(path: str, payload: dict) -> Result:
    """POST ``payload`` to our own webhook at ``path``, signed with the Auth Token as Twilio
    signs it (over PUBLIC_BASE_URL + path), and return what the webhook answered."""
    url = settings.PUBLIC_BASE_URL + path
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, payload)
    request = RequestFactory().post(
        path,
        data=urlencode(payload),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    match = resolve(path)
    response = match.func(request, *match.args, **match.kwargs)
    raw = response.content.decode("utf-8", "replace")
    from xml.etree import ElementTree

    reply = ""
    if response.status_code == 200 and raw.strip().startswith("<?xml"):
        root = ElementTree.fromstring(raw)  # noqa: S314 - our own webhook's TwiML
        reply = " ".join((m.text or "") for m in root.iter("Message"))
    return Result(response.status_code, reply, raw)


def _sms_numbers():
    return [
        (p.address, f"{p.address} ({p.label or p.council})")
        for p in ContactPoint.objects.filter(channel=Channel.SMS).select_related("council")
    ] or [
        (settings.TWILIO_SMS_FROM or "+447400000001", settings.TWILIO_SMS_FROM or "+447400000001")
    ]


class SmsForm(forms.Form):
    sender = forms.CharField(
        label=_("From (the resident's mobile number)"), initial="+447700900123", max_length=20
    )
    to = forms.ChoiceField(label=_("To (the council's text number)"))
    body = forms.CharField(
        label=_("Text message"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1600,
        help_text=_("Try a reference, STOP, START, HELP, or any question."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = _sms_numbers()


class Simulator:
    slug = ""
    title = ""
    form_class: type[forms.Form] = forms.Form

    def send(self, form: forms.Form) -> Result:  # pragma: no cover - interface
        raise NotImplementedError


class SmsSimulator(Simulator):
    slug = "sms"
    title = _("Send a text message")
    form_class = SmsForm

    def send(self, form: SmsForm) -> Result:
        sid = "SM" + secrets.token_hex(16)
        payload = {
            "ToCountry": "GB",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "SmsSid": sid,
            "SmsStatus": "received",
            "Body": form.cleaned_data["body"],
            "FromCountry": "GB",
            "To": form.cleaned_data["to"],
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
            "From": form.cleaned_data["sender"],
            "ApiVersion": "2010-04-01",
        }
        result = signed_twilio_post("/channels/sms/twilio/", payload)
        result.phone = clean.phone(form.cleaned_data["sender"])
        return result


class VoiceCallSimulator(Simulator):
    slug = "voice"
    title = _("Place a fake call")
    form_class = SimulatedCallForm

    def send(self, form: SimulatedCallForm) -> Result:
        call = voice_simulator.run(
            caller=form.cleaned_data["caller"],
            dialled=form.cleaned_data["dialled"],
            language=form.cleaned_data["language"],
            path=form.cleaned_data["path"],
            reference=form.cleaned_data["reference"],
            group=form.cleaned_data["group"] or 1,
            message=form.cleaned_data["message"],
        )
        heard = " ".join(line for step in call.steps for line in step.spoken)
        raw = "\n\n".join(f"POST {step.path}\n{step.twiml}" for step in call.steps)
        return Result(call.steps[-1].status, heard, raw)


SIMULATORS: list[Simulator] = [SmsSimulator(), VoiceCallSimulator()]
