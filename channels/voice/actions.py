"""Voice actions: every change a call makes to cases, messages and the call-back list.

Views (Twilio webhooks and the desk) stay thin and call these. Each one changes state and
appends to the case timeline in one transaction, through ``services.actions`` (intake, open_case,
timeline.record) — a call never writes a case or timeline row any other way.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.voice.models import (
    FINAL_STATUSES,
    WRAP_UP_OUTCOMES,
    Call,
    Callback,
    CallbackAttempt,
    CallStatus,
    Outcome,
    Stage,
)
from services import permissions
from services.actions import InboundMessage, intake, open_case
from services.actions.residents import identify_resident
from services.actions.timeline import record
from services.models import (
    Case,
    Channel,
    EventKind,
    Message,
    MessageStatus,
    Resident,
    Service,
)


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


def _resident_for_call(call: Call) -> Resident:
    resident = call.resident or identify_resident(Channel.VOICE, call.from_number)
    if resident is None:
        resident = Resident.objects.create(
            phone=call.from_number[:20], preferred_channel=Channel.SMS
        )
    return resident


def status_checked(call: Call, case: Case, now: datetime.datetime) -> None:
    """The caller heard their own case's status: the call goes on that case's timeline."""
    message = Message.objects.create(
        channel=Channel.VOICE,
        direction=call.direction,
        provider_id=call.call_sid,
        sender=call.from_number,
        recipient=call.to_number,
        body=_("Checked the status of the request by telephone."),
        resident=case.resident,
        case=case,
        language=call.language,
        metadata={"voice": Outcome.STATUS_GIVEN},
        status=MessageStatus.RECEIVED,
        created_at=now,
        status_changed_at=now,
    )
    call.message, call.case, call.resident = message, case, case.resident
    call.outcome = Outcome.STATUS_GIVEN
    call.save(update_fields=["message", "case", "resident", "outcome"])
    record(
        case,
        EventKind.CALL,
        actor_label="Resident (telephone, automated)",
        channel=Channel.VOICE,
        visible_to_resident=True,
        message=message,
        body=message.body,
        data=call_data(call),
        at=now,
    )


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
    try:
        with transaction.atomic():
            Callback.objects.create(
                call=call,
                resident=result.resident,
                case=result.case,
                phone=call.from_number,
                reason=Callback.Reason.VOICEMAIL,
                created_at=now,
            )
    except IntegrityError:
        pass  # the same call's voicemail is already on the list
    return result.case


def apply_transcript(call: Call, text: str, now: datetime.datetime) -> bool:
    """Twilio's transcription arrived: keep it on the call, its message and the timeline.

    Returns False (and changes nothing) when this transcript was applied already.
    """
    text = text.strip()
    if not text or call.transcript == text:
        return False
    call.transcript = text
    call.save(update_fields=["transcript"])
    message = call.message
    if message is not None:
        message.metadata = {**message.metadata, "transcript": text}
        message.body = text
        message.save(update_fields=["metadata", "body"])
        if message.case_id:
            record(
                message.case,
                EventKind.CALL,
                actor_label="Transcription",
                channel=Channel.VOICE,
                message=message,
                body=text,
                data=call_data(call),
                at=now,
            )
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
        message = call.message
        message.metadata = {**message.metadata, **call_data(call), "status": call.status}
        message.save(update_fields=["metadata"])
    return True


def _missed(call: Call, now: datetime.datetime) -> None:
    """A caller who gave up waiting for an adviser goes on the call-back list."""
    if not call.from_number or call.from_number.lower() in ("anonymous", "unknown"):
        return
    try:
        with transaction.atomic():
            Callback.objects.create(
                call=call,
                resident=call.resident or identify_resident(Channel.VOICE, call.from_number),
                phone=call.from_number,
                reason=Callback.Reason.MISSED,
                created_at=now,
            )
    except IntegrityError:
        pass


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
        resident = call.resident or identify_resident(Channel.VOICE, number)
        if resident is None:
            resident = Resident.objects.create(phone=number[:20], preferred_channel=Channel.SMS)
        if case is None:
            case = open_case(
                user,
                resident=resident,
                service=service,
                channel=Channel.VOICE,
                summary=summary.strip() or service.name,
                description=note,
                council=call.council,
            )
        call.outcome = outcome
        call.note = note
        call.logged_at = now
        call.case = case
        call.resident = resident
        call.agent = call.agent or user
        if call.stage != Stage.ENDED and call.source == Call.Source.DESK:
            call.stage = Stage.ENDED
        message = call.message
        if message is None:
            message = Message.objects.create(
                channel=Channel.VOICE,
                direction=call.direction,
                provider_id=call.call_sid,
                sender=call.from_number,
                recipient=call.to_number,
                body=note,
                resident=resident,
                case=case,
                language=call.language,
                metadata=call_data(call),
                status=MessageStatus.RECEIVED,
                created_by=user,
                created_at=call.started_at,
                status_changed_at=now,
            )
            call.message = message
        else:
            message.metadata = {**message.metadata, **call_data(call)}
            message.save(update_fields=["metadata"])
        call.save()
        record(
            case,
            EventKind.CALL,
            actor=user,
            channel=Channel.VOICE,
            message=message,
            body=note or str(Outcome(outcome).label),
            data=call_data(call),
            at=now,
        )
        if outcome == Outcome.CALLBACK and number:
            try:
                with transaction.atomic():
                    Callback.objects.create(
                        call=call,
                        resident=resident,
                        case=case,
                        phone=number,
                        reason=Callback.Reason.REQUESTED,
                        note=note,
                        created_at=now,
                    )
            except IntegrityError:
                pass
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
