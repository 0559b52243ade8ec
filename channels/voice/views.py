"""Twilio Voice webhooks: signature checked by ``TwilioWebhookView``, then one IVR step.

Idempotency: each TwiML-answering step is stored as a ``CallStep`` keyed by the step's path
and query string (which carries the attempt number) under a row lock on the call, in the same
transaction as what the step changed. A replayed step finds its row and gets the same TwiML
back, changing nothing. The queue wait message changes nothing (it is asked for again and
again while the caller waits), and status/transcription callbacks apply a value only when it
differs from what is stored.

Every field Twilio posts is cleaned once, at the entrance (``channels.twilio``: each view
declares its ``post_fields`` and ``query_fields``, cleaned through ``services.inbound`` —
control characters, lengths, phone numbers to E.164, integers in range, ids by shape — into
``self.fields`` and ``self.query``), and every change a step makes — to the call or to a case —
is a voice action (``channels.voice.actions``).
"""

import logging
import re
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from channels.twilio import Integer, Line, Phone, Sid, Text, TwilioWebhookView, twiml
from channels.voice import actions, hours, ivr, routing
from channels.voice.models import Call, CallStatus, Outcome, Stage
from services import inbound as clean
from services import reference as references
from services.models import Case, ServiceGroup

logger = logging.getLogger(__name__)

QUEUE_NAME = "contact-centre"  # before issue 16; now one queue per line and language (routing)
DEFAULT_MAX_QUEUE = 8


class Malformed(ValueError):
    pass


# What every voice webhook carries about the call (Twilio's request parameters).
CALL_FIELDS = {
    "CallSid": Sid(("CA",)),
    "AccountSid": Sid(("AC",)),
    "Direction": Line(40),
    "From": Phone(),
    "To": Phone(),
    "CallStatus": Line(20),
}
# What an IVR step may carry (the answer to a <Gather>, <Enqueue> or <Record>).
STEP_FIELDS = {
    **CALL_FIELDS,
    "Digits": Line(200),
    "SpeechResult": Line(500),
    "QueueResult": Line(40),
    "RecordingUrl": Line(1000),
    "RecordingSid": Sid(("RE",)),
}
STEP_QUERY = {"attempt": Integer()}  # clamped to 1..MAX_TRIES by ``attempt``


def _call_for(fields) -> Call:
    """The call this webhook is about, created on first sight (any step may come first)."""
    if not fields["CallSid"]:
        raise Malformed("CallSid is missing or malformed.")
    return actions.call_for(
        fields["CallSid"],
        account_sid=fields["AccountSid"],
        direction="out" if fields["Direction"].startswith("outbound") else "in",
        from_number=fields["From"],
        to_number=fields["To"],
        status=fields["CallStatus"],
    )


class VoiceStepView(TwilioWebhookView):
    """One IVR step: answer TwiML once per (call, step), and the same TwiML on a replay."""

    step = ""
    remember = True
    post_fields = STEP_FIELDS
    query_fields = STEP_QUERY

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            call = _call_for(self.fields)
        except Malformed as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        query = urlencode([(name, value) for name, value in self.query.items() if value])
        key = f"{self.step}?{query}"[:120]
        with transaction.atomic():
            call = (
                Call.objects.select_for_update(of=("self",))
                .select_related("council")
                .get(pk=call.pk)
            )
            if self.remember:
                done = actions.replayed_step(call, key)
                if done is not None:
                    return twiml(done.twiml)
            response = self.respond(request, call)
            if self.remember:
                actions.remember_step(call, key, params=_params(self.fields), twiml=str(response))
        return twiml(response)

    def respond(self, request: HttpRequest, call: Call) -> VoiceResponse:  # pragma: no cover
        raise NotImplementedError

    def attempt(self, request: HttpRequest) -> int:
        return min(max(self.query["attempt"] or 1, 1), ivr.MAX_TRIES)

    @property
    def digits(self) -> str:
        return self.fields["Digits"][:40]


def _params(fields) -> dict:
    keep = ("Digits", "SpeechResult", "QueueResult", "RecordingUrl", "RecordingSid", "CallStatus")
    return {key: fields[key][:200] for key in keep if fields[key]}


class CallEntryView(VoiceStepView):
    """``POST /channels/voice/twilio/``: a call arrives. Greeting for the number dialled."""

    step = "entry"

    def respond(self, request, call):
        resident = call.resident
        return ivr.language_menu(call.council, saved=resident.language if resident else "")


class LanguageView(VoiceStepView):
    step = "language"

    def respond(self, request, call):
        chosen = ivr.BY_DIGIT.get(self.digits)
        actions.choose_language(call, chosen.code if chosen else "en")
        return ivr.main_menu(call.language)


class MenuView(VoiceStepView):
    step = "menu"

    def respond(self, request, call):
        digits = self.digits
        if digits == "1":
            return ivr.reference_prompt(call.language, 0)
        if digits == "2":
            return ivr.group_menu(call.language, _groups())
        attempt = self.attempt(request)
        if attempt >= ivr.MAX_TRIES:
            return ivr.goodbye(call.language)
        with translation.override(ivr.prompt_language(call.language)):
            notice = _("Sorry, that is not one of the options.") if digits else ""
        response = ivr.main_menu(call.language, notice=notice)
        _retarget(response, ivr.url("menu", attempt=attempt + 1))
        return response


def _retarget(response: VoiceResponse, action: str) -> None:
    """Point the response's <Gather> at ``action`` (the next attempt of the same step)."""
    for verb in response.verbs:
        if verb.name == "Gather":
            verb.attrs["action"] = action


def _groups() -> list[ServiceGroup]:
    return list(ServiceGroup.objects.all()[: ivr.MAX_GROUPS])


class ReferenceView(VoiceStepView):
    step = "reference"

    def respond(self, request, call):
        attempt = self.attempt(request)
        last = Outcome.BAD_REFERENCE if attempt >= ivr.MAX_TRIES else None
        text = (self.fields["Digits"] or self.fields["SpeechResult"])[:200]
        if not text:
            actions.note_reference_attempt(call, attempt, outcome=last)
            return ivr.bad_reference(call.language, attempt, empty=True)
        try:
            ref = references.normalise(text.rstrip("#*"))
        except references.InvalidReference:
            actions.note_reference_attempt(call, attempt, outcome=last)
            return ivr.bad_reference(call.language, attempt, empty=False)
        case = (
            Case.objects.select_related("resident", "service", "referral_body")
            .filter(reference=ref)
            .first()
        )
        caller = call.from_number
        own = case is not None and caller.startswith("+") and case.resident.phone == caller
        if not own:
            actions.note_reference_attempt(call, attempt, outcome=Outcome.STATUS_REFUSED)
            return ivr.not_disclosed(call.language, ref)
        actions.note_reference_attempt(call, attempt)
        actions.status_checked(call, case, timezone.now())
        return ivr.case_status(call.language, case)


def _match_group(speech: str, groups: list[ServiceGroup]) -> ServiceGroup | None:
    words = {w for w in re.findall(r"\w+", speech.lower()) if len(w) > 3}
    for group in groups:
        if words & {w for w in re.findall(r"\w+", group.name.lower()) if len(w) > 3}:
            return group
    return None


def _queue_length() -> int:
    return Call.objects.filter(
        stage=Stage.WAITING,
        status__in=[CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS],
    ).count()


def _max_queue() -> int:
    return int(getattr(settings, "PORTAL_VOICE_MAX_QUEUE", DEFAULT_MAX_QUEUE))


def _nearest_office(call: Call):
    from services.models import Office

    shops = Office.objects.filter(kind=Office.Kind.ONE_STOP_SHOP).order_by("pk")
    postcode = call.resident.postcode if call.resident_id else ""
    if postcode:
        district = postcode.split()[0].upper()
        near = shops.filter(postcode__istartswith=district + " ").first()
        if near is not None:
            return near
    return (
        shops.filter(council=call.council).first() if call.council_id else None
    ) or shops.first()


def _voicemail(call: Call, *, closed: bool, busy: bool) -> VoiceResponse:
    actions.start_recording(call, closed=closed)
    return ivr.record_message(
        call.language, closed=closed, busy=busy, council=call.council, office=_nearest_office(call)
    )


class GroupView(VoiceStepView):
    step = "group"

    def respond(self, request, call):
        groups = _groups()
        digits = self.digits
        chosen = None
        number = clean.integer(digits, minimum=1, maximum=len(groups))
        if number is not None:
            chosen = groups[number - 1]
        elif self.fields["SpeechResult"]:
            chosen = _match_group(self.fields["SpeechResult"], groups)
        if chosen is None:
            attempt = self.attempt(request)
            if attempt >= ivr.MAX_TRIES:
                return _voicemail(
                    call, closed=not hours.is_open(hours.contact_centre()), busy=False
                )
            response = ivr.group_menu(call.language, groups)
            _retarget(response, ivr.url("group", attempt=attempt + 1))
            return response
        actions.choose_group(call, chosen)
        open_now = hours.is_open(hours.contact_centre())
        busy = _queue_length() >= _max_queue()
        if not open_now or busy:
            return _voicemail(call, closed=not open_now, busy=busy)
        return ivr.connect_choice(call.language)


class ConnectView(VoiceStepView):
    step = "connect"

    def respond(self, request, call):
        if self.digits == "2":
            return _voicemail(call, closed=False, busy=False)
        name = routing.queue_name(call.council, call.language)
        actions.join_queue(call, name, timezone.now())
        return ivr.enqueue(call.language, name)


class WaitView(VoiceStepView):
    """Enqueue's waitUrl: asked for again and again while the caller waits."""

    step = "wait"
    remember = False
    post_fields = {
        **STEP_FIELDS,
        "QueuePosition": Integer(maximum=32767),
        "AvgQueueTime": Integer(),
        "QueueTime": Integer(),
    }

    def respond(self, request, call):
        position = self.fields["QueuePosition"]
        average = self.fields["AvgQueueTime"]
        waited = self.fields["QueueTime"]
        if waited is None and call.queued_at is not None:
            waited = int((timezone.now() - call.queued_at).total_seconds())
        if waited is not None and waited >= routing.max_wait():
            # Waited long enough: out of the queue (Enqueue's action offers a voicemail).
            return ivr.leave()
        actions.note_queue_position(call, position)
        return ivr.wait_message(call.language, position, average)


class WaitKeyView(VoiceStepView):
    """The caller pressed a key while waiting: out of the queue, to leave a message."""

    step = "wait-key"
    remember = False  # the same key always gets <Leave/>; the mark is set once

    def respond(self, request, call):
        if not self.digits:
            return ivr.wait_message(call.language, call.queue_position, None)
        actions.chose_voicemail(call)
        return ivr.leave()


class QueueEndView(VoiceStepView):
    """Enqueue's action: the caller left the queue (answered, hung up, or the queue failed)."""

    step = "queue-end"

    def respond(self, request, call):
        result = self.fields["QueueResult"]
        if result == "bridged":
            actions.left_queue(call, bridged=True, now=timezone.now())
            return ivr.hang_up()
        if result in ("hangup", "redirected", ""):
            actions.left_queue(call, bridged=False, now=timezone.now())
            return ivr.hang_up()
        # leave (the caller chose a message, or waited too long), queue-full, error,
        # system-error: nobody can take the call now; whoever was offered them is free again.
        actions.left_queue_for_voicemail(call)
        return _voicemail(call, closed=False, busy=not call.chose_voicemail)


def _recording_url(value: str) -> str:
    """Only Twilio's own HTTPS recording URLs are kept (staff click them)."""
    value = clean.line(value)
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com")):
        return value[:500]
    return ""


class RecordingView(VoiceStepView):
    """Record's action: the message is recorded; it becomes a case routed for call back."""

    step = "recording"
    post_fields = {
        **STEP_FIELDS,
        "RecordingDuration": Integer(),
        "TranscriptionText": Text(actions.MAX_TRANSCRIPT),
    }

    def respond(self, request, call):
        url = _recording_url(self.fields["RecordingUrl"])
        duration = self.fields["RecordingDuration"]
        if not url or not duration:
            actions.no_recording(call)
            return ivr.message_taken(call.language, None)
        case = actions.take_voicemail(
            call,
            recording_url=url,
            recording_sid=self.fields["RecordingSid"],
            recording_duration=duration,
            transcript=self.fields["TranscriptionText"].strip(),
            raw=urlencode(self.payload),
            now=timezone.now(),
        )
        return ivr.message_taken(call.language, case)


class TranscriptionView(TwilioWebhookView):
    """Record's transcribeCallback: the transcript of a voicemail, when Twilio has one."""

    post_fields = {
        **CALL_FIELDS,
        "TranscriptionStatus": Line(40),
        "TranscriptionText": Text(actions.MAX_TRANSCRIPT),
    }

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            call = _call_for(self.fields)
        except Malformed as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        if self.fields["TranscriptionStatus"] == "completed":
            with transaction.atomic():
                call = Call.objects.select_for_update().get(pk=call.pk)
                actions.apply_transcript(call, self.fields["TranscriptionText"], timezone.now())
        return HttpResponse(status=204)


class StatusView(TwilioWebhookView):
    """Call status callbacks (statusCallback on the number): ringing … completed."""

    post_fields = {**CALL_FIELDS, "CallDuration": Integer()}

    def handle(self, request: HttpRequest) -> HttpResponse:
        status = self.fields["CallStatus"]
        if status not in CallStatus.values:
            return HttpResponseBadRequest(
                "CallStatus is missing or unknown.", content_type="text/plain"
            )
        try:
            call = _call_for(self.fields)
        except Malformed as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call.pk)
            actions.apply_status(call, status, self.fields["CallDuration"], timezone.now())
        return HttpResponse(status=204)
