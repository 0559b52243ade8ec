"""Voice actions: every change a call makes — to its own records (calls, IVR steps, the
call-back list) and, through ``services.actions``, to cases, messages and residents.

Views (Twilio webhooks and the desk) stay thin and call these; this module (and ``agents`` for
the agents' own rows) is the only one that writes the voice channel's models. What a call does
to the domain goes through services' actions — intake for a voicemail, ``log_contact`` for a
call logged onto a case or a status heard from the IVR, the message actions for transcripts
and call details — so a call never writes a case, message, resident or timeline row itself.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.voice import agents
from channels.voice.models import (
    FINAL_STATUSES,
    LIVE_STATUSES,
    WRAP_UP_OUTCOMES,
    Agent,
    AgentStep,
    Call,
    Callback,
    CallbackAttempt,
    CallStatus,
    CallStep,
    Outcome,
    Stage,
)
from services import inbound as clean
from services import permissions, routing
from services.actions import InboundMessage, intake
from services.actions.contacts import log_contact
from services.actions.messages import add_transcript, update_metadata
from services.actions.residents import identify_resident
from services.actions.timeline import record
from services.models import Case, Channel, EventKind, Service, ServiceGroup

MAX_TRANSCRIPT = 10_000


class AlreadyLogged(ValueError):
    """The call was wrapped up already (a second submit of the wrap-up form)."""


def call_data(call: Call) -> dict:
    """What the timeline keeps about a call: direction, duration, outcome, recording, transcript."""
    return {
        "call": call.pk,
        "call_sid": call.call_sid or "",
        "direction": call.direction,
        "duration": call.duration,
        "outcome": call.outcome,
        "recording_url": call.recording_url,
        "recording_duration": call.recording_duration,
        "transcript": call.transcript,
    }


def call_for(
    call_sid: str,
    *,
    account_sid: str = "",
    direction: str = "in",
    from_number: str = "",
    to_number: str = "",
    status: str = "",
    now: datetime.datetime | None = None,
) -> Call:
    """The call a webhook is about, created on first sight (any step may come first).

    Numbers are expected cleaned (``services.inbound.phone``). The first webhook for a CallSid
    creates the call; a concurrent one waits on the unique index and then finds it.
    """
    call = Call.objects.filter(call_sid=call_sid).first()
    if call is not None:
        return call
    point = routing.council_for_contact_point(Channel.VOICE, to_number)
    try:
        with transaction.atomic():
            return Call.objects.create(
                call_sid=call_sid,
                account_sid=account_sid[:64],
                direction=direction,
                from_number=from_number[:32],
                resident=identify_resident(Channel.VOICE, from_number),
                to_number=to_number[:32],
                council=point.council if point else None,
                status=status if status in CallStatus.values else CallStatus.RINGING,
                started_at=now or timezone.now(),
            )
    except IntegrityError:
        return Call.objects.get(call_sid=call_sid)


def replayed_step(call: Call, key: str) -> CallStep | None:
    """The TwiML this call was already given for this step (Twilio replayed the request)."""
    return CallStep.objects.filter(call=call, key=key).first()


def remember_step(call: Call, key: str, *, params: dict, twiml: str) -> CallStep:
    """Keep the answer given to one IVR step, so a replay gets the same and changes nothing."""
    return CallStep.objects.create(call=call, key=key, params=params, twiml=twiml)


def choose_language(call: Call, language: str) -> None:
    call.language = language
    call.save(update_fields=["language"])


def note_reference_attempt(call: Call, attempt: int, *, outcome: str | None = None) -> None:
    """The caller keyed a reference (``attempt`` of them so far); ``outcome`` when it settles
    what the call was (a bad reference at the last try, a status refused)."""
    call.reference_tries = max(call.reference_tries, attempt)
    fields = ["reference_tries"]
    if outcome is not None:
        call.outcome = outcome
        fields.append("outcome")
    call.save(update_fields=fields)


def choose_group(call: Call, group: ServiceGroup) -> None:
    call.service_group = group
    call.save(update_fields=["service_group"])


def start_recording(call: Call, *, closed: bool = False) -> None:
    """The caller is asked to leave a message; outside opening hours the call is recorded as
    an out-of-hours call (outcome Closed), which is how it counts in the telephone figures
    whether or not a message follows."""
    call.stage = Stage.RECORDING
    fields = ["stage"]
    if closed and not call.outcome:
        call.outcome = Outcome.CLOSED
        fields.append("outcome")
    call.save(update_fields=fields)


def no_recording(call: Call) -> None:
    """Record ended without a message: a call that has ended is over."""
    if call.status == CallStatus.COMPLETED:
        call.stage = Stage.ENDED
    call.save(update_fields=["stage"])


def join_queue(call: Call, queue_name: str = "", now: datetime.datetime | None = None) -> None:
    """The caller waits for an adviser, in the Twilio queue ``queue_name``."""
    call.stage = Stage.WAITING
    if call.status != CallStatus.COMPLETED:
        call.status = CallStatus.IN_PROGRESS
    call.queue_name = queue_name[:64]
    call.queued_at = call.queued_at or now or timezone.now()
    call.save(update_fields=["stage", "status", "queue_name", "queued_at"])


def chose_voicemail(call: Call) -> None:
    """The caller pressed a key in the queue to leave a message instead of waiting."""
    if not call.chose_voicemail:
        call.chose_voicemail = True
        call.save(update_fields=["chose_voicemail"])


def left_queue_for_voicemail(call: Call) -> None:
    """Out of the queue without an adviser (key pressed, maximum wait, queue full or failed)."""
    call.queue_position = None
    if call.answered_at is None:
        _release_offer(call)
    call.save(update_fields=["queue_position", "agent", "offered_at", "agent_call_sid"])


def _release_offer(call: Call) -> None:
    """Nobody answered this caller after all: they may be offered to another agent."""
    call.agent = None
    call.offered_at = None
    call.agent_call_sid = ""


def note_queue_position(call: Call, position: int | None) -> None:
    if position is not None and call.queue_position != position:
        call.queue_position = position
        call.save(update_fields=["queue_position"])


def left_queue(call: Call, *, bridged: bool, now: datetime.datetime) -> None:
    """The caller left the queue: to an adviser (``bridged``), or they hung up."""
    call.queue_position = None
    if bridged:
        # Enqueue's action comes after the bridged call has ended: the caller's call is over.
        call.stage = Stage.WITH_AGENT
        call.outcome = call.outcome or Outcome.ANSWERED
        call.answered_at = call.answered_at or now
        call.ended_at = call.ended_at or now
        call.save(update_fields=["stage", "outcome", "queue_position", "answered_at", "ended_at"])
        return
    if call.answered_at is None:
        # Hung up while waiting: abandoned, and whoever was offered them is free again.
        _release_offer(call)
        call.outcome = Outcome.ABANDONED
    call.save(update_fields=["queue_position", "agent", "offered_at", "agent_call_sid", "outcome"])
    apply_status(call, CallStatus.COMPLETED, None, now)


def status_checked(call: Call, case: Case, now: datetime.datetime) -> None:
    """The caller heard their own case's status: the call goes on that case's timeline."""
    call.outcome = Outcome.STATUS_GIVEN
    call.case, call.resident = case, case.resident
    body = _("Checked the status of the request by telephone.")
    case, message, resident = log_contact(
        None,
        channel=Channel.VOICE,
        phone=call.from_number,
        direction=call.direction,
        provider_id=call.call_sid,
        sender=call.from_number,
        recipient=call.to_number,
        body=body,
        data=call_data(call),
        message_metadata={"voice": Outcome.STATUS_GIVEN},
        resident=case.resident,
        case=case,
        language=call.language,
        actor_label="Resident (telephone, automated)",
        visible_to_resident=True,
        now=now,
    )
    call.message = message
    call.save(update_fields=["message", "case", "resident", "outcome"])


def take_voicemail(
    call: Call,
    *,
    recording_url: str,
    recording_sid: str,
    recording_duration: int | None,
    transcript: str = "",
    raw: str = "",
    now: datetime.datetime,
) -> Case | None:
    """A recorded message becomes a case (through intake) and a call-back to make."""
    call.recording_url = recording_url
    call.recording_sid = recording_sid
    call.recording_duration = recording_duration
    call.transcript = transcript or call.transcript
    if call.outcome != Outcome.CLOSED:  # an out-of-hours call stays one (see start_recording)
        call.outcome = Outcome.VOICEMAIL
    group = call.service_group.name if call.service_group else _("General enquiry")
    seconds = recording_duration or 0
    body = call.transcript or ngettext(
        "Voicemail of %(seconds)s second; transcript to follow.",
        "Voicemail of %(seconds)s seconds; transcript to follow.",
        seconds,
    ) % {"seconds": seconds}
    result = intake(
        InboundMessage(
            channel=Channel.VOICE,
            sender=call.from_number,
            recipient=call.to_number,
            body=body,
            provider_id=call.call_sid,
            received_at=now,
            raw=raw,
            metadata={**call_data(call), "service_group": group},
            council=call.council,
            summary=_("Voicemail: %(topic)s") % {"topic": group},
            language=call.language,
            answers={"service_group": group},
            actor_label="Resident (voicemail)",
        )
    )
    call.message, call.case, call.resident = result.message, result.case, result.resident
    call.save()
    _put_on_callback_list(
        call,
        resident=result.resident,
        case=result.case,
        phone=call.from_number,
        reason=Callback.Reason.VOICEMAIL,
        now=now,
    )
    return result.case


def apply_transcript(call: Call, text: str, now: datetime.datetime) -> bool:
    """Twilio's transcription arrived: keep it on the call, its message and the timeline.

    Returns False (and changes nothing) when this transcript was applied already.
    """
    text = clean.text(text, MAX_TRANSCRIPT).strip()
    if not text or call.transcript == text:
        return False
    call.transcript = text
    call.save(update_fields=["transcript"])
    if call.message is not None:
        add_transcript(call.message, text, data=call_data(call), now=now)
    return True


def apply_status(call: Call, status: str, duration: int | None, now: datetime.datetime) -> bool:
    """A call status callback. Never moves a finished call back; a repeat changes nothing."""
    if call.status in FINAL_STATUSES and status not in FINAL_STATUSES:
        return False
    changed = call.status != status or (duration is not None and call.duration != duration)
    if not changed:
        return False
    call.status = status
    if duration is not None:
        call.duration = duration
    if (
        status == CallStatus.IN_PROGRESS
        and call.answered_at is None
        and call.stage == Stage.WITH_AGENT
    ):
        call.answered_at = now
    if status in FINAL_STATUSES:
        was_waiting = call.stage == Stage.WAITING
        call.stage = Stage.ENDED
        call.ended_at = call.ended_at or now
        call.queue_position = None
        if not call.outcome:
            # Hung up in the menu or while waiting.
            call.outcome = Outcome.ABANDONED
        if was_waiting:
            _missed(call, now)
    call.save()
    if call.message_id:
        update_metadata(call.message, {**call_data(call), "status": call.status})
    return True


def _put_on_callback_list(
    call: Call, *, reason: str, phone: str, now: datetime.datetime, **fields
) -> Callback | None:
    """Someone to ring back, once per call and reason: a repeat (Twilio's retry, a second
    submit) finds the call already on the list (the unique index decides) and adds nothing."""
    try:
        with transaction.atomic():
            return Callback.objects.create(
                call=call, reason=reason, phone=phone[:32], created_at=now, **fields
            )
    except IntegrityError:
        return None


def _missed(call: Call, now: datetime.datetime) -> None:
    """A caller who gave up waiting for an adviser goes on the call-back list."""
    if not call.from_number or call.from_number.lower() in ("anonymous", "unknown"):
        return
    _put_on_callback_list(
        call,
        resident=call.resident or identify_resident(Channel.VOICE, call.from_number),
        phone=call.from_number,
        reason=Callback.Reason.MISSED,
        now=now,
    )


def take_call(user, call: Call) -> Call:
    """An agent answers: the call is theirs and the desk pops the caller's details."""
    if not permissions.is_staff_member(user):
        raise PermissionDenied("Only staff can take calls.")
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.agent_id is None:
            call.agent = user
            call.answered_at = call.answered_at or timezone.now()
            if call.stage != Stage.ENDED:
                call.stage = Stage.WITH_AGENT
            if not call.outcome:
                call.outcome = Outcome.ANSWERED
            call.resident = call.resident or identify_resident(Channel.VOICE, call.from_number)
            call.save()
    return call


def start_desk_call(
    user, *, phone: str, direction: str = "in", duration: int | None = None
) -> Call:
    """A call on a desk phone (no Twilio): logged by hand through the same wrap-up."""
    if not permissions.is_staff_member(user):
        raise PermissionDenied("Only staff can log calls.")
    now = timezone.now()
    return Call.objects.create(
        source=Call.Source.DESK,
        direction=direction,
        from_number=phone if direction == "in" else "",
        to_number=phone if direction == "out" else "",
        status=CallStatus.COMPLETED,
        stage=Stage.WITH_AGENT,
        outcome=Outcome.ANSWERED,
        agent=user,
        duration=duration,
        resident=identify_resident(Channel.VOICE, phone),
        started_at=now,
        answered_at=now,
    )


def caller_number(call: Call) -> str:
    return call.from_number if call.direction == "in" else call.to_number


def log_call(
    user,
    call: Call,
    *,
    outcome: str,
    note: str = "",
    case: Case | None = None,
    service: Service | None = None,
    summary: str = "",
) -> Case:
    """Wrap-up: put the call on an existing case the agent may work, or open a new one."""
    if not permissions.is_staff_member(user):
        raise PermissionDenied("Only staff can log calls.")
    if outcome not in WRAP_UP_OUTCOMES:
        raise ValueError("Choose an outcome.")
    if case is None and service is None:
        raise ValueError("Choose a case or a service for a new case.")
    if case is not None and not permissions.can_work_case(user, case):
        raise PermissionDenied("You cannot work on this case.")
    note = (note or "").strip()
    now = timezone.now()
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.logged_at is not None:
            raise AlreadyLogged("This call has been logged already.")
        number = caller_number(call)
        call.outcome = outcome
        call.note = note
        call.logged_at = now
        call.agent = call.agent or user
        if call.stage != Stage.ENDED and call.source == Call.Source.DESK:
            call.stage = Stage.ENDED
        case, message, resident = log_contact(
            user,
            channel=Channel.VOICE,
            phone=number,
            direction=call.direction,
            provider_id=call.call_sid,
            sender=call.from_number,
            recipient=call.to_number,
            body=note,
            data=call_data(call),
            resident=call.resident,
            case=case,
            service=service,
            council=call.council,
            summary=summary,
            message=call.message,
            language=call.language,
            event_body=note or str(Outcome(outcome).label),
            started_at=call.started_at,
            now=now,
        )
        call.case, call.resident, call.message = case, resident, message
        call.save()
        if outcome == Outcome.CALLBACK and number:
            _put_on_callback_list(
                call,
                resident=resident,
                case=case,
                phone=number,
                reason=Callback.Reason.REQUESTED,
                note=note,
                now=now,
            )
    return case


def record_callback_attempt(
    user, callback: Callback, *, result: str, note: str = ""
) -> CallbackAttempt:
    """One try at ringing someone back. Reached (or a wrong number) takes them off the list."""
    if not permissions.is_staff_member(user):
        raise PermissionDenied("Only staff can make call backs.")
    if result not in CallbackAttempt.Result.values:
        raise ValueError("Choose what happened.")
    if callback.case_id and not permissions.can_view_case(user, callback.case):
        raise PermissionDenied("You cannot work on this case.")
    now = timezone.now()
    with transaction.atomic():
        callback = Callback.objects.select_for_update().get(pk=callback.pk)
        if callback.state != Callback.State.OPEN:
            raise ValueError("This call back is finished.")
        attempt = CallbackAttempt.objects.create(
            callback=callback, agent=user, result=result, note=(note or "").strip(), created_at=now
        )
        if result == CallbackAttempt.Result.REACHED:
            callback.state = Callback.State.DONE
        elif result == CallbackAttempt.Result.WRONG_NUMBER or callback.attempts.count() >= 3:
            callback.state = Callback.State.GAVE_UP
        callback.save(update_fields=["state"])
        if callback.case_id:
            record(
                callback.case,
                EventKind.CALL,
                actor=user,
                channel=Channel.VOICE,
                body=attempt.note or str(attempt.get_result_display()),
                data={"callback": callback.pk, "direction": "out", "outcome": result},
                at=now,
            )
    return attempt


# --- Routing: agents and callers (issue 16; reading half in ``channels.voice.routing``) --------

# An offer the agent's leg never took up (their Dial failed, the browser closed) stops holding
# the caller back after this long: they may be offered to someone else.
OFFER_TIMEOUT = datetime.timedelta(seconds=60)


def replayed_agent_step(leg_sid: str, key: str) -> AgentStep | None:
    """The TwiML an agent's leg was already given for this step."""
    return AgentStep.objects.filter(leg_sid=leg_sid, key=key).first()


def remember_agent_step(
    leg_sid: str, key: str, *, twiml: str, agent: Agent | None = None, call: Call | None = None
) -> AgentStep:
    """Keep the answer given to one step of an agent's leg. Two deliveries of the same step
    at once: the second waits on the unique index and then gets the first one's answer."""
    try:
        with transaction.atomic():
            return AgentStep.objects.create(
                leg_sid=leg_sid, key=key, twiml=twiml, agent=agent, call=call
            )
    except IntegrityError:
        return AgentStep.objects.get(leg_sid=leg_sid, key=key)


def live_call_of(agent: Agent, now: datetime.datetime | None = None) -> Call | None:
    """The call this agent is on (or has been offered and is dialling), if any."""
    now = now or timezone.now()
    return (
        Call.objects.filter(agent_id=agent.user_id, status__in=LIVE_STATUSES)
        .filter(
            Q(stage=Stage.WITH_AGENT, ended_at__isnull=True)
            | Q(stage=Stage.WAITING, offered_at__gt=now - OFFER_TIMEOUT)
        )
        .order_by("-pk")
        .first()
    )


def _waiting(lines: Q, now: datetime.datetime):
    """Live callers waiting in a queue and offered to nobody (or to nobody any more)."""
    return (
        Call.objects.filter(stage=Stage.WAITING, status__in=LIVE_STATUSES, queued_at__isnull=False)
        .exclude(queue_name="")
        .filter(Q(offered_at__isnull=True) | Q(offered_at__lte=now - OFFER_TIMEOUT))
        .filter(lines)
        .order_by("queued_at", "pk")
    )


class AgentBusy(Exception):
    """The agent is on a call already: they are offered nothing new."""


def offer_next(
    agent: Agent, *, leg_sid: str, lines: Q, now: datetime.datetime | None = None
) -> Call | None:
    """Offer the longest-waiting caller this agent may serve to them; ``None``: nobody waits.

    Under a lock on the agent's row (one agent, one call: their double click or Twilio's retry
    waits here), the caller is chosen with ``SELECT … FOR UPDATE SKIP LOCKED`` so that agents
    asking at the same moment are given different callers without waiting for one another.
    Callers in a language the agent speaks (other than English, which everybody speaks) come
    first, then anybody, first come first served. Raises ``AgentBusy`` if the agent is on a
    call already. The chosen call is marked offered to the agent's leg and the agent is On a call.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        if locked.state == Agent.State.ON_CALL or live_call_of(locked, now) is not None:
            raise AgentBusy
        languages = [code for code in locked.languages or [] if code != "en"]
        call = None
        if languages:
            call = (
                _waiting(lines, now)
                .filter(language__in=languages)
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
        if call is None:
            call = _waiting(lines, now).select_for_update(skip_locked=True, of=("self",)).first()
        if call is None:
            return None
        call.agent_id = locked.user_id
        call.offered_at = now
        call.agent_call_sid = leg_sid[:64]
        call.save(update_fields=["agent", "offered_at", "agent_call_sid"])
        agents.set_state(locked, Agent.State.ON_CALL, now=now)
        return call


def dequeued(call: Call, *, dequeuing_sid: str, now: datetime.datetime | None = None) -> Call:
    """The queue's whisper URL: Twilio is putting this caller through to the agent whose leg is
    ``dequeuing_sid``. Records who really took the call — when two agents dialling the same
    queue crossed, each call is given to the agent who actually dequeued it (their offers are
    swapped) — and that it was answered. A repeat changes nothing."""
    now = now or timezone.now()
    step = AgentStep.objects.filter(leg_sid=dequeuing_sid, agent__isnull=False).first()
    taker = step.agent if step is not None else None
    with transaction.atomic():
        offered = (
            Call.objects.filter(agent_call_sid=dequeuing_sid, stage=Stage.WAITING)
            .exclude(pk=call.pk)
            .values_list("pk", flat=True)
            .first()
        )
        ids = sorted({call.pk, *([offered] if offered else [])})
        locked = {
            c.pk: c for c in Call.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        call = locked[call.pk]
        if call.answered_at is not None and call.agent_call_sid == dequeuing_sid:
            return call
        if offered is not None:
            # This leg was offered another caller: that caller goes to whoever this one was
            # offered to (the other agent in the crossing), or back to nobody.
            other = locked[offered]
            other.agent_id, other.offered_at, other.agent_call_sid = (
                call.agent_id,
                call.offered_at,
                call.agent_call_sid,
            )
            if other.agent_call_sid == dequeuing_sid or other.agent_id is None:
                _release_offer(other)
            other.save(update_fields=["agent", "offered_at", "agent_call_sid"])
        if taker is not None:
            call.agent_id = taker.user_id
        call.agent_call_sid = dequeuing_sid[:64]
        call.offered_at = call.offered_at or now
        call.answered_at = call.answered_at or now
        call.stage = Stage.WITH_AGENT
        call.outcome = Outcome.ANSWERED
        call.queue_position = None
        call.resident = call.resident or identify_resident(Channel.VOICE, call.from_number)
        call.save()
    return call


def place_outbound(
    agent: Agent,
    *,
    leg_sid: str,
    to: str,
    caller_id: str,
    council,
    resident=None,
    case: Case | None = None,
    now: datetime.datetime | None = None,
) -> Call:
    """An agent's call out (a call back, a resident of a case): recorded as an outgoing call
    keyed by the agent's leg, and the agent is On a call."""
    now = now or timezone.now()
    with transaction.atomic():
        call = Call.objects.filter(call_sid=leg_sid).first()
        if call is None:
            call = Call.objects.create(
                call_sid=leg_sid,
                direction="out",
                from_number=caller_id[:32],
                to_number=to[:32],
                council=council,
                status=CallStatus.IN_PROGRESS,
                stage=Stage.WITH_AGENT,
                agent_id=agent.user_id,
                agent_call_sid=leg_sid,
                resident=resident or identify_resident(Channel.VOICE, to),
                case=case,
                started_at=now,
            )
        agents.set_state(agent, Agent.State.ON_CALL, now=now)
    return call


def agent_leg_ended(
    leg_sid: str,
    *,
    status: str,
    duration: int | None,
    agent: Agent | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """The agent's own leg (softphone or "ring my phone") changed status. When it is over:
    an offer it never took up is released, the call it was on is ended, an outgoing call
    gets its status and duration, and the agent goes into Wrap-up. A repeat changes nothing."""
    if status not in FINAL_STATUSES:
        return
    now = now or timezone.now()
    with transaction.atomic():
        for call in Call.objects.select_for_update().filter(agent_call_sid=leg_sid).order_by("pk"):
            if call.stage == Stage.WAITING and call.answered_at is None:
                _release_offer(call)
                call.save(update_fields=["agent", "offered_at", "agent_call_sid"])
                continue
            fields = []
            if call.ended_at is None:
                call.ended_at = now
                fields.append("ended_at")
            if call.direction == "out" and call.call_sid == leg_sid:
                if call.status != status:
                    call.status = status
                    fields.append("status")
                if duration is not None and call.duration != duration:
                    call.duration = duration
                    fields.append("duration")
                if call.stage != Stage.ENDED:
                    call.stage = Stage.ENDED
                    fields.append("stage")
            if fields:
                call.save(update_fields=fields)
        if agent is not None:
            fresh = Agent.objects.select_for_update().get(pk=agent.pk)
            if fresh.state == Agent.State.ON_CALL:
                agents.set_state(fresh, Agent.State.WRAP_UP, now=now)
