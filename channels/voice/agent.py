"""The agents' side of the telephone: the TwiML App's Voice URL and the agent leg's status.

``POST /channels/voice/twilio/agent/`` is what Twilio asks when an agent's softphone connects
(``From=client:<identity>``, with ``Intent=next`` or ``Intent=call&To=<number>``) and when an
agent on a desk phone answers the call "ring my phone" placed to them (the identity and intent
are then in the signed URL's query string: ``?intent=next&agent=<identity>``). It answers:

- ``Intent=next``: the longest-waiting caller the agent may serve, languages they speak first,
  with ``<Say>`` (who is coming, heard by the agent) then ``<Dial><Queue url=whisper>``;
  "nobody is waiting" or "you are already on a call" and ``<Hangup/>`` otherwise;
- ``Intent=call``: ``<Dial callerId=<council line>><Number>`` only to a number on an open
  call-back entry or a resident of a case the agent may see; anything else is refused aloud
  and hung up, never dialled (toll fraud is the classic attack on a softphone);
- an unknown identity, or one whose owner does not take calls: refused, never dialled.

Each answer is stored per (agent leg CallSid, step) as an ``AgentStep``: a replay gets the same
TwiML and offers nothing new. ``POST /channels/voice/twilio/whisper/`` is the ``<Queue url>``:
Twilio plays its TwiML *to the dequeued caller* just before the two are connected, and tells
us which call (``CallSid``) the agent's leg (``DequeingCallSid``) took — that is where we
record who answered whom. ``POST /channels/voice/twilio/agent/status/`` is the agent leg's
status callback: at the end of the leg the agent goes into Wrap-up.
"""

import logging
import re

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from channels.twilio import Integer, Line, Sid, TwilioWebhookView, twiml
from channels.voice import actions, agents, ivr, routing
from channels.voice.models import Agent, Call, Callback, CallStatus
from services import inbound as clean
from services import permissions

logger = logging.getLogger(__name__)

_IDENTITY = re.compile(r"^[0-9a-f]{32}$")
DIAL_TIMEOUT = 20  # seconds an agent's <Dial> waits for the queue / the number to answer


def _say(response: VoiceResponse, text: str) -> None:
    ivr.say(response, text, "en")


def refusal(text: str) -> VoiceResponse:
    response = VoiceResponse()
    _say(response, text)
    response.hangup()
    return response


# ``From`` / ``Caller`` are read as text, not phone numbers: the softphone's is
# ``client:<identity>``.
AGENT_FIELDS = {
    "CallSid": Sid(("CA",)),
    "From": Line(100),
    "Caller": Line(100),
}
AGENT_QUERY = {"agent": Line(64), "intent": Line(20, lower=True)}


def identity_of(fields, query) -> str:
    """The agent's identity: from the signed URL (``?agent=``, "ring my phone"), else from
    ``From`` / ``Caller`` = ``client:<identity>`` (the softphone)."""
    if query["agent"]:
        return query["agent"]
    for field in ("From", "Caller"):
        value = fields[field]
        if value.startswith("client:"):
            return value.removeprefix("client:")
    return ""


class AgentView(TwilioWebhookView):
    """``POST /channels/voice/twilio/agent/``: the TwiML App's Voice URL."""

    post_fields = {**AGENT_FIELDS, "Intent": Line(20, lower=True), "To": Line(100)}
    query_fields = AGENT_QUERY

    def handle(self, request: HttpRequest) -> HttpResponse:
        leg_sid = self.fields["CallSid"]
        if not leg_sid:
            return HttpResponseBadRequest(
                "CallSid is missing or malformed.", content_type="text/plain"
            )
        intent = self.fields["Intent"] or self.query["intent"]
        to = ""
        if intent == "call":
            try:
                to = clean.normalise_phone(self.fields["To"])
            except clean.InvalidPhoneNumber:
                to = "invalid"
        key = f"agent:{intent or '?'}:{to}"[:120]
        done = actions.replayed_agent_step(leg_sid, key)
        if done is not None:
            return twiml(done.twiml)
        identity = identity_of(self.fields, self.query)
        agent = agents.agent_by_identity(identity) if _IDENTITY.match(identity) else None
        with translation.override("en"):
            if agent is None:
                logger.warning("Agent webhook refused: unknown identity or no right to calls")
                response, call = refusal(_("Sorry, this phone is not allowed to take calls.")), None
            elif intent == "next":
                response, call = self.next_caller(agent, leg_sid)
            elif intent == "call":
                response, call = self.call_out(agent, leg_sid, to)
            else:
                response, call = refusal(_("Sorry, that is not something this line can do.")), None
        step = actions.remember_agent_step(
            leg_sid, key, twiml=str(response), agent=agent, call=call
        )
        return twiml(step.twiml)

    def next_caller(self, agent: Agent, leg_sid: str) -> tuple[VoiceResponse, Call | None]:
        try:
            with transaction.atomic():
                # The step is remembered in the same transaction as the offer: a concurrent
                # replay of this leg's request waits on the agent's row, then finds it.
                if actions.replayed_agent_step(leg_sid, "agent:next:") is not None:
                    raise actions.AgentBusy
                call = actions.offer_next(agent, leg_sid=leg_sid, lines=routing.lines_q(agent.user))
                if call is None:
                    return refusal(_("Nobody is waiting. Goodbye.")), None
                call = Call.objects.select_related("council").get(pk=call.pk)
                response = VoiceResponse()
                _say(response, routing.who_is_coming(agent.user, call))
                dial = response.dial(timeout=DIAL_TIMEOUT)
                dial.queue(call.queue_name, url=ivr.url("whisper"), method="POST")
                actions.remember_agent_step(
                    leg_sid, "agent:next:", twiml=str(response), agent=agent, call=call
                )
                return response, call
        except actions.AgentBusy:
            return refusal(_("You are already on a call.")), None

    def call_out(self, agent: Agent, leg_sid: str, to: str) -> tuple[VoiceResponse, Call | None]:
        refused = refusal(_("Sorry, this number cannot be called from the contact centre."))
        if not to.startswith("+"):
            return refused, None
        if actions.live_call_of(agent) is not None or agent.state == Agent.State.ON_CALL:
            return refusal(_("You are already on a call.")), None
        allowed = allowed_destination(agent.user, to)
        if allowed is None:
            logger.warning("Agent webhook refused an outgoing call to a number not on a case")
            return refused, None
        council, resident, case = allowed
        caller_id = routing.council_voice_number(council) or routing.council_voice_number(
            _own_council(agent.user)
        )
        if not caller_id:
            return refusal(_("Sorry, there is no council number to call from.")), None
        call = actions.place_outbound(
            agent,
            leg_sid=leg_sid,
            to=to,
            caller_id=caller_id,
            council=council or _own_council(agent.user),
            resident=resident,
            case=case,
        )
        response = VoiceResponse()
        dial = response.dial(caller_id=caller_id, timeout=30)
        dial.number(to)
        return response, call


def _own_council(user):
    profile = permissions.staff_profile(user)
    return profile.council if profile is not None else None


def allowed_destination(user, to: str):
    """``(council, resident, case)`` when the agent may ring ``to``: it is the number of an open
    call-back entry (whose case, if any, they may see) or of a resident of a case they may see.
    ``None`` for any other number."""
    visible = permissions.visible_cases(user)
    for callback in (
        Callback.objects.filter(state=Callback.State.OPEN, phone=to)
        .select_related("case", "call__council", "resident")
        .order_by("created_at", "pk")
    ):
        if callback.case_id is not None and not visible.filter(pk=callback.case_id).exists():
            continue
        council = (
            callback.case.responsible_council
            if callback.case is not None
            else (callback.call.council if callback.call is not None else None)
        )
        return council, callback.resident, callback.case
    case = (
        visible.filter(resident__phone=to)
        .select_related("responsible_council", "resident")
        .order_by("-created_at", "-pk")
        .first()
    )
    if case is not None:
        return case.responsible_council, case.resident, case
    return None


class WhisperView(TwilioWebhookView):
    """``<Queue url>``: played to the caller as they are put through; records who took them."""

    post_fields = {"CallSid": Sid(("CA",)), "DequeingCallSid": Sid(("CA",))}

    def handle(self, request: HttpRequest) -> HttpResponse:
        sid = self.fields["CallSid"]
        dequeuing = self.fields["DequeingCallSid"]
        if not sid or not dequeuing:
            return HttpResponseBadRequest(
                "CallSid is missing or malformed.", content_type="text/plain"
            )
        call = Call.objects.filter(call_sid=sid).first()
        language = call.language if call is not None else "en"
        if call is not None:
            actions.dequeued(call, dequeuing_sid=dequeuing, now=timezone.now())
        response = VoiceResponse()
        with translation.override(ivr.prompt_language(language)):
            ivr.voice(response, "putting_through", language)
        return twiml(response)


class AgentStatusView(TwilioWebhookView):
    """The agent leg's status callback (the TwiML App's Status Callback URL, and the one
    "ring my phone" gives ``calls.create``)."""

    post_fields = {**AGENT_FIELDS, "CallStatus": Line(20), "CallDuration": Integer()}
    query_fields = AGENT_QUERY

    def handle(self, request: HttpRequest) -> HttpResponse:
        status = self.fields["CallStatus"]
        leg_sid = self.fields["CallSid"]
        if status not in CallStatus.values or not leg_sid:
            return HttpResponseBadRequest(
                "CallSid or CallStatus is bad.", content_type="text/plain"
            )
        identity = identity_of(self.fields, self.query)
        agent = agents.agent_by_identity(identity) if _IDENTITY.match(identity) else None
        if agent is None:
            step = actions.replayed_agent_step(leg_sid, "agent:next:")
            agent = step.agent if step is not None else None
        if agent is None:
            step = Call.objects.filter(call_sid=leg_sid, direction="out").first()
            agent = Agent.objects.filter(user_id=step.agent_id).first() if step else None
        actions.agent_leg_ended(
            leg_sid,
            status=status,
            duration=self.fields["CallDuration"],
            agent=agent,
            now=timezone.now(),
        )
        return HttpResponse(status=204)
