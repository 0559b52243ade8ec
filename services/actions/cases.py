"""Staff actions on cases: open, assign, claim next, transfer, status, notes, replies, merge,
refer. Each checks permission, locks the case row, changes it, appends to the timeline and
queues what the resident must be told — in one transaction.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from services import permissions, reference, routing, signals, workflow
from services.actions.attachments import attach
from services.actions.messages import queue_message
from services.actions.timeline import record
from services.models import (
    Case,
    CaseView,
    Council,
    EventKind,
    Feed,
    MessageTemplate,
    Office,
    Priority,
    ReferralBody,
    Resident,
    Service,
    Status,
    Team,
)
from services.models.cases import OPEN_STATUSES
from services.sla import WorkingCalendar

Kind = MessageTemplate.Kind


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("service", "resident", "responsible_council", "delivering_council")
        .get(pk=case.pk)
    )


def _changed(event: str, case: Case, **data) -> None:
    """Tell ``case_changed`` subscribers (the partner event feeds), inside the transaction."""
    signals.case_changed.send(sender=Case, event=event, case=case, data=data)


def _require_work(user, case: Case) -> None:
    if not permissions.can_work_case(user, case):
        # 404-like for callers: they may not even know it exists.
        raise PermissionDenied("You cannot work on this case.")


def create_case(
    *,
    resident: Resident,
    service: Service,
    channel: str,
    summary: str,
    description: str = "",
    answers: dict | None = None,
    location: str = "",
    postcode: str = "",
    council: Council | None = None,
    priority: int = Priority.NORMAL,
    language: str = "en",
    actor=None,
    actor_label: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Open a case: allocate its reference, route it, start its SLA clock, record it.

    Shared by intake (every channel) and staff opening a case for a resident. The caller holds
    the transaction.
    """
    now = now or timezone.now()
    route = routing.route(service, postcode=postcode, council=council)
    status = Status.REFERRED if route.is_referral else Status.RECEIVED
    case = Case(
        reference=reference.allocate(1)[0],
        service=service,
        responsible_council=route.responsible_council,
        delivering_council=route.delivering_council,
        resident=resident,
        origin_channel=channel,
        status=status,
        priority=priority,
        office=route.office,
        team=route.team,
        summary=summary[:200] or service.name,
        description=description,
        answers=answers or {},
        location=location,
        postcode=postcode,
        language=language,
        referral_body=route.referral_body,
        created_at=now,
    )
    if not route.is_referral:
        case.due_at = WorkingCalendar.for_council(route.delivering_council).due(
            now, service.sla_days
        )
    case.save()
    record(
        case,
        EventKind.CREATED,
        actor=actor,
        actor_label=actor_label,
        channel=channel,
        visible_to_resident=True,
        body=summary,
        data={
            "council": route.delivering_council.code if route.delivering_council else None,
            "team": route.team.slug if route.team else None,
            "needs_council_choice": route.needs_council_choice,
            "referral_body": route.referral_body.name if route.referral_body else None,
        },
        at=now,
    )
    if route.is_referral:
        record(
            case,
            EventKind.REFERRAL,
            channel=channel,
            visible_to_resident=True,
            body=f"Referred to {route.referral_body}"
            if route.referral_body
            else "Referral: body not known",
            at=now,
        )
    _changed(Feed.CASE_CREATED, case)
    return case


def open_case(
    user,
    *,
    resident: Resident,
    service: Service,
    channel: str,
    summary: str,
    description: str = "",
    postcode: str = "",
    council: Council | None = None,
    priority: int = Priority.NORMAL,
    acknowledge: bool = True,
) -> Case:
    """A member of staff opens a case on a resident's behalf (phone, counter, post)."""
    if not permissions.is_staff_member(user):
        raise PermissionDenied("Only staff can open cases for residents.")
    with transaction.atomic():
        case = create_case(
            resident=resident,
            service=service,
            channel=channel,
            summary=summary,
            description=description,
            postcode=postcode or resident.postcode,
            council=council,
            priority=priority,
            language=resident.language,
            actor=user,
        )
        # Staff may raise a case they will not see afterwards (a restricted service): it goes
        # to the owning team, which is the point.
        if acknowledge:
            kind = Kind.REFERRAL if case.status == Status.REFERRED else Kind.ACKNOWLEDGEMENT
            queue_message(case, kind, created_by=user, body=str(case.referral_body or ""))
    return case


def record_view(user, case: Case) -> None:
    """Staff opened the case page: recorded, whoever they are."""
    CaseView.objects.create(case=case, user=user)


def assign(user, case: Case, *, assignee=None, team: Team | None = None) -> Case:
    _require_work(user, case)
    with transaction.atomic():
        case = _lock(case)
        changes = {}
        if team is not None and team.pk != case.team_id:
            changes["team"] = team.name
            case.team = team
            case.office = team.office or case.office
        if assignee != case.assignee:
            if assignee is not None and not permissions.can_work_case(assignee, case):
                raise PermissionDenied(f"{assignee} cannot work on this case.")
            changes["assignee"] = (
                assignee.get_full_name() or assignee.get_username() if assignee else None
            )
            case.assignee = assignee
        if not changes:
            return case
        if case.status == Status.RECEIVED and assignee is not None:
            case.status = Status.OPEN
            _changed(Feed.CASE_STATUS_CHANGED, case, **{"from": Status.RECEIVED, "to": Status.OPEN})
        case.save()
        record(
            case,
            EventKind.ASSIGNMENT,
            actor=user,
            data=changes,
            body=", ".join(f"{k}: {v or 'nobody'}" for k, v in changes.items()),
        )
    return case


def claim_next(user) -> Case | None:
    """Hand ``user`` the most urgent unassigned case they may work, never to two people.

    Rows are locked with ``FOR UPDATE SKIP LOCKED``: agents pressing "next case" at the same
    moment each get a different case, and nobody waits for anybody else.
    """
    if not permissions.is_staff_member(user):
        raise PermissionDenied("Only staff can claim cases.")
    profile = permissions.staff_profile(user)
    candidates = permissions.visible_cases(user).filter(
        assignee__isnull=True, status__in=[Status.RECEIVED, Status.OPEN]
    )
    if profile is not None:
        team_ids = list(profile.teams.values_list("id", flat=True))
        if team_ids:
            candidates = candidates.filter(team_id__in=team_ids)
    with transaction.atomic():
        case = (
            candidates.select_for_update(skip_locked=True, of=("self",))
            .order_by("-priority", "due_at", "id")
            .first()
        )
        if case is None:
            return None
        case.assignee = user
        if case.status == Status.RECEIVED:
            case.status = Status.OPEN
            _changed(Feed.CASE_STATUS_CHANGED, case, **{"from": Status.RECEIVED, "to": Status.OPEN})
        case.save(update_fields=["assignee", "status", "updated_at"])
        record(
            case,
            EventKind.ASSIGNMENT,
            actor=user,
            body="Claimed as next case",
            data={"assignee": user.get_username(), "claimed": True},
        )
    return case


def transfer(
    user,
    case: Case,
    *,
    team: Team | None = None,
    office: Office | None = None,
    council: Council | None = None,
    note: str = "",
) -> Case:
    """Move a case to another team, office or council. Its reference never changes."""
    _require_work(user, case)
    if team is None and office is None and council is None:
        raise ValueError("Choose where to transfer the case.")
    with transaction.atomic():
        case = _lock(case)
        before = {
            "council": case.delivering_council.code if case.delivering_council else None,
            "team": case.team.slug if case.team else None,
            "office": case.office.slug if case.office else None,
        }
        if team is not None:
            case.team = team
            case.office = team.office or office or case.office
            case.delivering_council = team.council
        if office is not None:
            case.office = office
            case.delivering_council = office.council
        if council is not None:
            case.delivering_council = council
            if case.team and case.team.council_id != council.pk:
                case.team = None
            if case.office and case.office.council_id != council.pk:
                case.office = None
        case.assignee = None
        case.save()
        after = {
            "council": case.delivering_council.code if case.delivering_council else None,
            "team": case.team.slug if case.team else None,
            "office": case.office.slug if case.office else None,
        }
        record(case, EventKind.TRANSFER, actor=user, body=note, data={"from": before, "to": after})
        _changed(Feed.CASE_TRANSFERRED, case, **{"from": before, "to": after})
    return case


def _apply_status(case: Case, target: str, now: datetime.datetime) -> None:
    """Move the SLA clock and timestamps for a status change (the row is locked)."""
    calendar = WorkingCalendar.for_council(case.delivering_council)
    if target == Status.WAITING and case.paused_at is None:
        case.paused_at = now
    elif case.status == Status.WAITING and target != Status.WAITING and case.paused_at:
        if case.due_at:
            case.due_at = calendar.resume(case.due_at, case.paused_at, now)
        case.paused_at = None
    if target == Status.RESOLVED:
        case.resolved_at = now
    if target == Status.IN_PROGRESS and case.status == Status.RESOLVED:
        case.resolved_at = None
    if target in (Status.CLOSED, Status.WITHDRAWN, Status.MERGED, Status.REFERRED):
        case.closed_at = now
    previous, case.status = case.status, target
    if previous != target:
        _changed(Feed.CASE_STATUS_CHANGED, case, **{"from": previous, "to": target})


def change_status(
    user,
    case: Case,
    target: str,
    *,
    note: str = "",
    notify: bool = True,
    visible_to_resident: bool | None = None,
    actor_label: str = "",
    now: datetime.datetime | None = None,
) -> Case:
    """Change a case's status along the one transition table.

    ``user`` may be None for system changes (a resident's reply resumes a waiting case): the
    caller then names itself in ``actor_label``. The resident sees the change on their case
    page when it is one they are told about, unless ``visible_to_resident`` says otherwise.
    """
    if user is not None:
        _require_work(user, case)
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        workflow.check(case.status, target)
        previous = case.status
        _apply_status(case, target, now)
        case.save()
        record(
            case,
            EventKind.STATUS,
            actor=user,
            actor_label=actor_label,
            visible_to_resident=target in workflow.RESIDENT_NOTIFIED
            if visible_to_resident is None
            else visible_to_resident,
            body=note,
            data={"from": previous, "to": target},
            at=now,
        )
        if notify and target in workflow.RESIDENT_NOTIFIED and target != Status.WAITING:
            queue_message(case, Kind.STATUS_UPDATE, body=note, created_by=user, now=now)
    return case


def add_note(user, case: Case, text: str) -> None:
    _require_work(user, case)
    text = (text or "").strip()
    if not text:
        raise ValueError("A note cannot be empty.")
    with transaction.atomic():
        record(case, EventKind.NOTE, actor=user, body=text)


def reply(
    user,
    case: Case,
    body: str,
    *,
    channel: str | None = None,
    request_information: bool = False,
    attachments=(),
):
    """Send the resident a message on their chosen channel (or ``channel``).

    Asking for information moves the case to "waiting for resident", which pauses the clock.
    """
    _require_work(user, case)
    body = (body or "").strip()
    if not body:
        raise ValueError("A reply cannot be empty.")
    now = timezone.now()
    with transaction.atomic():
        case = _lock(case)
        kind = Kind.INFORMATION_REQUEST if request_information else Kind.REPLY
        message = queue_message(case, kind, channel=channel, body=body, created_by=user, now=now)
        for item in attachments:
            attach(item, case=case, message=message, uploaded_by=user)
        record(
            case,
            EventKind.MESSAGE_OUT,
            actor=user,
            channel=message.channel,
            visible_to_resident=True,
            message=message,
            body=message.body,
            at=now,
        )
        if request_information and case.status != Status.WAITING:
            workflow.check(case.status, Status.WAITING)
            previous = case.status
            _apply_status(case, Status.WAITING, now)
            case.save()
            record(
                case,
                EventKind.STATUS,
                actor=user,
                visible_to_resident=True,
                data={"from": previous, "to": Status.WAITING},
                at=now,
            )
        elif case.status in (Status.RECEIVED, Status.OPEN):
            # Replying is working the case.
            _apply_status(case, Status.IN_PROGRESS, now)
            case.save()
    return message


def merge_cases(user, duplicate: Case, into: Case, *, note: str = "") -> Case:
    """Close ``duplicate`` as merged into ``into``; its messages move across."""
    _require_work(user, duplicate)
    _require_work(user, into)
    if duplicate.pk == into.pk:
        raise ValueError("A case cannot be merged into itself.")
    now = timezone.now()
    with transaction.atomic():
        first, second = sorted([duplicate.pk, into.pk])
        locked = {
            c.pk: c
            for c in Case.objects.select_for_update(of=("self",)).filter(pk__in=[first, second])
        }
        duplicate, into = locked[duplicate.pk], locked[into.pk]
        if into.status not in OPEN_STATUSES:
            raise ValueError("Merge into a case that is still open.")
        workflow.check(duplicate.status, Status.MERGED)
        previous = duplicate.status
        _apply_status(duplicate, Status.MERGED, now)
        duplicate.merged_into = into
        duplicate.save()
        duplicate.messages.update(case=into)
        duplicate.attachments.update(case=into)
        record(
            duplicate,
            EventKind.MERGE,
            actor=user,
            visible_to_resident=True,
            body=note,
            data={"from": previous, "into": into.reference},
            at=now,
        )
        record(
            into,
            EventKind.MERGE,
            actor=user,
            body=note,
            data={"merged": duplicate.reference},
            at=now,
        )
    return into


def refer(user, case: Case, body: ReferralBody, *, note: str = "") -> Case:
    """Pass a case to the organisation responsible for it, and tell the resident."""
    _require_work(user, case)
    now = timezone.now()
    with transaction.atomic():
        case = _lock(case)
        workflow.check(case.status, Status.REFERRED)
        previous = case.status
        _apply_status(case, Status.REFERRED, now)
        case.referral_body = body
        case.save()
        record(
            case,
            EventKind.REFERRAL,
            actor=user,
            visible_to_resident=True,
            body=note or f"Referred to {body}",
            data={"from": previous, "to": body.name},
            at=now,
        )
        queue_message(case, Kind.REFERRAL, body=str(body), created_by=user, now=now)
    return case
