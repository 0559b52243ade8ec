"""Twilio Voice webhooks: signature checked by ``TwilioWebhookView``, then one IVR step.

Idempotency: each TwiML-answering step is stored as a ``CallStep`` keyed by the step's path
and query string (which carries the attempt number) under a row lock on the call, in the same
transaction as what the step changed. A replayed step finds its row and gets the same TwiML
back, changing nothing. The queue wait message changes nothing (it is asked for again and
again while the caller waits), and status/transcription callbacks apply a value only when it
differs from what is stored.
"""

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from channels.twilio import TwilioWebhookView, twiml
from channels.voice import actions, hours, ivr
from channels.voice.models import Call, CallStatus, CallStep, Outcome, Stage
from services import reference as references
from services import routing
from services.actions.residents import InvalidPhoneNumber, identify_resident, normalise_phone
from services.models import Case, Channel, ServiceGroup

logger = logging.getLogger(__name__)

_CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
QUEUE_NAME = "contact-centre"
DEFAULT_MAX_QUEUE = 8


class Malformed(ValueError):
    pass


def _phone(text: str) -> str:
    text = (text or "").strip()
    try:
        return normalise_phone(text)
    except InvalidPhoneNumber:
        return text[:32]


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return default
    return number if number >= 0 else default


def _call_for(data) -> Call:
    """The call this webhook is about, created on first sight (any step may come first)."""
    sid = (data.get("CallSid") or "").strip()
    if not _CALL_SID.match(sid):
        raise Malformed("CallSid is missing or malformed.")
    call = Call.objects.filter(call_sid=sid).first()
    if call is not None:
        return call
    to_number = _phone(data.get("To", ""))
    point = routing.council_for_contact_point(Channel.VOICE, to_number)
    from_number = _phone(data.get("From", ""))
    direction = "out" if (data.get("Direction") or "").startswith("outbound") else "in"
    try:
        with transaction.atomic():
            return Call.objects.create(
                call_sid=sid,
                account_sid=(data.get("AccountSid") or "").strip()[:64],
                direction=direction,
                from_number=from_number,
                resident=identify_resident(Channel.VOICE, from_number),
                to_number=to_number,
                council=point.council if point else None,
                status=data.get("CallStatus")
                if data.get("CallStatus") in CallStatus.values
                else CallStatus.RINGING,
                started_at=timezone.now(),
            )
    except IntegrityError:
        return Call.objects.get(call_sid=sid)


class VoiceStepView(TwilioWebhookView):
    """One IVR step: answer TwiML once per (call, step), and the same TwiML on a replay."""

    step = ""
    remember = True

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            call = _call_for(request.POST)
        except Malformed as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        key = f"{self.step}?{request.GET.urlencode()}"[:120]
        with transaction.atomic():
            call = (
                Call.objects.select_for_update(of=("self",))
                .select_related("council")
                .get(pk=call.pk)
            )
            if self.remember:
                done = CallStep.objects.filter(call=call, key=key).first()
                if done is not None:
                    return twiml(done.twiml)
            response = self.respond(request, call)
            if self.remember:
                CallStep.objects.create(
                    call=call, key=key, params=_params(request.POST), twiml=str(response)
                )
        return twiml(response)

    def respond(self, request: HttpRequest, call: Call) -> VoiceResponse:  # pragma: no cover
        raise NotImplementedError

    def attempt(self, request: HttpRequest) -> int:
        return min(max(_int(request.GET.get("attempt"), 1) or 1, 1), ivr.MAX_TRIES)


def _params(data) -> dict:
    keep = ("Digits", "SpeechResult", "QueueResult", "RecordingUrl", "RecordingSid", "CallStatus")
    return {key: data.get(key, "")[:200] for key in keep if data.get(key)}


class CallEntryView(VoiceStepView):
    """``POST /channels/voice/twilio/``: a call arrives. Greeting for the number dialled."""

    step = "entry"

    def respond(self, request, call):
        resident = call.resident
        return ivr.language_menu(call.council, saved=resident.language if resident else "")


class LanguageView(VoiceStepView):
    step = "language"

    def respond(self, request, call):
        chosen = ivr.BY_DIGIT.get((request.POST.get("Digits") or "").strip())
        call.language = chosen.code if chosen else "en"
        call.save(update_fields=["language"])
        return ivr.main_menu(call.language)


class MenuView(VoiceStepView):
    step = "menu"

    def respond(self, request, call):
        digits = (request.POST.get("Digits") or "").strip()
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
        call.reference_tries = max(call.reference_tries, attempt)
        text = (request.POST.get("Digits") or request.POST.get("SpeechResult") or "").strip()
        if not text:
            if attempt >= ivr.MAX_TRIES:
                call.outcome = Outcome.BAD_REFERENCE
            call.save(update_fields=["reference_tries", "outcome"])
            return ivr.bad_reference(call.language, attempt, empty=True)
        try:
            ref = references.normalise(text.rstrip("#*"))
        except references.InvalidReference:
            if attempt >= ivr.MAX_TRIES:
                call.outcome = Outcome.BAD_REFERENCE
            call.save(update_fields=["reference_tries", "outcome"])
            return ivr.bad_reference(call.language, attempt, empty=False)
        case = (
            Case.objects.select_related("resident", "service", "referral_body")
            .filter(reference=ref)
            .first()
        )
        caller = call.from_number
        own = case is not None and caller.startswith("+") and case.resident.phone == caller
        if not own:
            call.outcome = Outcome.STATUS_REFUSED
            call.save(update_fields=["reference_tries", "outcome"])
            return ivr.not_disclosed(call.language, ref)
        call.save(update_fields=["reference_tries"])
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
    call.stage = Stage.RECORDING
    call.save(update_fields=["stage"])
    return ivr.record_message(
        call.language, closed=closed, busy=busy, council=call.council, office=_nearest_office(call)
    )


class GroupView(VoiceStepView):
    step = "group"

    def respond(self, request, call):
        groups = _groups()
        digits = (request.POST.get("Digits") or "").strip()
        chosen = None
        if digits.isdigit() and 1 <= int(digits) <= len(groups):
            chosen = groups[int(digits) - 1]
        elif request.POST.get("SpeechResult"):
            chosen = _match_group(request.POST["SpeechResult"], groups)
        if chosen is None:
            attempt = self.attempt(request)
            if attempt >= ivr.MAX_TRIES:
                return _voicemail(
                    call, closed=not hours.is_open(hours.contact_centre()), busy=False
                )
            response = ivr.group_menu(call.language, groups)
            _retarget(response, ivr.url("group", attempt=attempt + 1))
            return response
        call.service_group = chosen
        call.save(update_fields=["service_group"])
        open_now = hours.is_open(hours.contact_centre())
        busy = _queue_length() >= _max_queue()
        if not open_now or busy:
            return _voicemail(call, closed=not open_now, busy=busy)
        return ivr.connect_choice(call.language)


class ConnectView(VoiceStepView):
    step = "connect"

    def respond(self, request, call):
        if (request.POST.get("Digits") or "").strip() == "2":
            return _voicemail(call, closed=False, busy=False)
        call.stage = Stage.WAITING
        call.status = (
            CallStatus.IN_PROGRESS if call.status not in (CallStatus.COMPLETED,) else call.status
        )
        call.save(update_fields=["stage", "status"])
        return ivr.enqueue(call.language, QUEUE_NAME)


class WaitView(VoiceStepView):
    """Enqueue's waitUrl: asked for again and again while the caller waits."""

    step = "wait"
    remember = False

    def respond(self, request, call):
        position = _int(request.POST.get("QueuePosition"))
        average = _int(request.POST.get("AvgQueueTime"))
        if position is not None and call.queue_position != position:
            call.queue_position = min(position, 32767)
            call.save(update_fields=["queue_position"])
        return ivr.wait_message(call.language, position, average)


class QueueEndView(VoiceStepView):
    """Enqueue's action: the caller left the queue (answered, hung up, or the queue failed)."""

    step = "queue-end"

    def respond(self, request, call):
        result = (request.POST.get("QueueResult") or "").strip()
        call.queue_position = None
        if result == "bridged":
            call.stage = Stage.WITH_AGENT
            call.outcome = call.outcome or Outcome.ANSWERED
            call.save(update_fields=["stage", "outcome", "queue_position"])
            return ivr.hang_up()
        if result in ("hangup", "redirected", ""):
            call.save(update_fields=["queue_position"])
            actions.apply_status(call, CallStatus.COMPLETED, None, timezone.now())
            return ivr.hang_up()
        # leave, queue-full, error, system-error: nobody can take the call now.
        return _voicemail(call, closed=False, busy=True)


def _recording_url(value: str) -> str:
    """Only Twilio's own HTTPS recording URLs are kept (staff click them)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com")):
        return value[:500]
    return ""


class RecordingView(VoiceStepView):
    """Record's action: the message is recorded; it becomes a case routed for call back."""

    step = "recording"

    def respond(self, request, call):
        data = request.POST
        url = _recording_url(data.get("RecordingUrl", ""))
        duration = _int(data.get("RecordingDuration"))
        if not url or not duration:
            call.stage = Stage.ENDED if call.status in (CallStatus.COMPLETED,) else call.stage
            call.save(update_fields=["stage"])
            return ivr.message_taken(call.language, None)
        case = actions.take_voicemail(
            call,
            recording_url=url,
            recording_sid=(data.get("RecordingSid") or "").strip()[:64],
            recording_duration=duration,
            transcript=(data.get("TranscriptionText") or "").strip(),
            raw=request.POST.urlencode(),
            now=timezone.now(),
        )
        return ivr.message_taken(call.language, case)


class TranscriptionView(TwilioWebhookView):
    """Record's transcribeCallback: the transcript of a voicemail, when Twilio has one."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        try:
            call = _call_for(request.POST)
        except Malformed as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        if (request.POST.get("TranscriptionStatus") or "").strip() == "completed":
            with transaction.atomic():
                call = Call.objects.select_for_update().get(pk=call.pk)
                actions.apply_transcript(
                    call, (request.POST.get("TranscriptionText") or "")[:10000], timezone.now()
                )
        return HttpResponse(status=204)


class StatusView(TwilioWebhookView):
    """Call status callbacks (statusCallback on the number): ringing … completed."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        status = (request.POST.get("CallStatus") or "").strip()
        if status not in CallStatus.values:
            return HttpResponseBadRequest(
                "CallStatus is missing or unknown.", content_type="text/plain"
            )
        try:
            call = _call_for(request.POST)
        except Malformed as error:
            return HttpResponseBadRequest(str(error), content_type="text/plain")
        with transaction.atomic():
            call = Call.objects.select_for_update().get(pk=call.pk)
            actions.apply_status(
                call, status, _int(request.POST.get("CallDuration")), timezone.now()
            )
        return HttpResponse(status=204)
