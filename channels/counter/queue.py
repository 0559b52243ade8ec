"""Queue actions for the walk-in counter: issue, call next, start, finish, no-show, transfer,
close the day, and the figures.

Concurrency is the database's job, not the web server's:

* Issuing locks the office's ``OfficeDay`` row (``SELECT … FOR UPDATE``) and increments its
  counter, so two receptionists and a kiosk issuing at the same moment get consecutive numbers;
  the ``(office, date, number)`` unique constraint is the final guard.
* Calling next takes the first appropriate waiting ticket with ``FOR UPDATE SKIP LOCKED``: a
  second desk calling at the same instant skips the row the first is taking and gets the next
  one, so one ticket is never called to two desks.

Permission: only staff of the office (or supervisors and admins of its council, or
superusers) manage its queue — ``can_manage``.
"""

import datetime
import math
import statistics
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from channels.counter.models import (
    OPEN_TICKET_STATUSES,
    Desk,
    OfficeDay,
    Ticket,
    TicketEvent,
    TicketPriority,
    TicketStatus,
    ticket_code,
)
from services import calendar, permissions
from services.models import Case, Office, Resident, Role, ServiceGroup

# A normal ticket that has waited this long ranks with priority tickets (fairness).
AGEING = datetime.timedelta(minutes=20)
# Service time assumed before a desk has served anybody today.
DEFAULT_SERVICE_TIME = datetime.timedelta(minutes=8)
# Recent service times used for the expected wait.
RECENT_WINDOW = datetime.timedelta(hours=2)


class CounterError(Exception):
    """A queue action that cannot happen now (office closed, ticket already taken …)."""


# --- Permission -------------------------------------------------------------------------------


def can_manage(user, office: Office) -> bool:
    """Staff of this office, supervisors/admins of its council, or a superuser."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not permissions.is_staff_member(user):
        return False
    profile = permissions.staff_profile(user)
    if profile is None:
        return False
    if profile.office_id == office.pk:
        return True
    return profile.role in (Role.SUPERVISOR, Role.ADMIN) and profile.council_id == office.council_id


def can_see_figures(user, office: Office) -> bool:
    if user is not None and user.is_superuser:
        return True
    profile = permissions.staff_profile(user)
    return (
        profile is not None
        and permissions.is_staff_member(user)
        and profile.role in (Role.SUPERVISOR, Role.ADMIN)
        and profile.council_id == office.council_id
    )


def require_manage(user, office: Office) -> None:
    if not can_manage(user, office):
        raise PermissionDenied(_("You can only manage the queue of your own office."))


# --- Opening hours ----------------------------------------------------------------------------


def local_now(now: datetime.datetime | None = None) -> datetime.datetime:
    return timezone.localtime(now or timezone.now())


def closed_reason(office: Office, now: datetime.datetime | None = None) -> str:
    """Why the office is not taking walk-ins now (``services.calendar``); empty when open."""
    closed = calendar.why_closed(office, local_now(now))
    if closed is None:
        return ""
    if closed.because is calendar.ClosedBecause.CLOSURE:
        return closed.closure.reason or _("The office is closed today.")
    if closed.because is calendar.ClosedBecause.BANK_HOLIDAY:
        return _("The office is closed on bank holidays.")
    return _("The office is closed now. Tickets can be issued during opening hours.")


# --- Issuing ----------------------------------------------------------------------------------


def _event(ticket: Ticket, kind: str, *, user=None, desk=None, at=None, **data) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at or timezone.now(),
        user=user if user is not None and user.is_authenticated else None,
        desk=desk,
        data=data,
    )


def issue_ticket(
    user,
    office: Office,
    *,
    reason: ServiceGroup | None,
    priority: int = TicketPriority.NORMAL,
    resident: Resident | None = None,
    from_kiosk: bool = False,
    now: datetime.datetime | None = None,
    check_hours: bool = True,
) -> Ticket:
    """Issue the next ticket of the day at ``office``.

    The day row is locked for the increment, so numbers are consecutive and never repeat,
    whichever process issues them. ``check_hours`` is off only for tests and data loading.
    """
    require_manage(user, office)
    now = now or timezone.now()
    if check_hours:
        reason_closed = closed_reason(office, now)
        if reason_closed:
            raise CounterError(reason_closed)
    if priority not in TicketPriority.values or priority == TicketPriority.TRANSFERRED:
        raise CounterError(_("Choose a valid priority."))
    day = local_now(now).date()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                OfficeDay.objects.get_or_create(office=office, date=day)
                office_day = OfficeDay.objects.select_for_update().get(office=office, date=day)
                if office_day.closed_at is not None:
                    raise CounterError(_("The queue for today has been closed."))
                office_day.last_number = F("last_number") + 1
                office_day.save(update_fields=["last_number"])
                office_day.refresh_from_db(fields=["last_number"])
                number = office_day.last_number
                ticket = Ticket.objects.create(
                    office=office,
                    date=day,
                    number=number,
                    code=ticket_code(number),
                    reason=reason,
                    priority=priority,
                    resident=resident,
                    issued_at=now,
                    issued_by=user,
                    from_kiosk=from_kiosk,
                )
                _event(ticket, TicketEvent.Kind.ISSUED, user=user, at=now)
                return ticket
        except IntegrityError:
            # Two first tickets of the day creating the day row at once: the loser retries
            # and finds the row. The ticket-number constraint can only fire if the lock was
            # bypassed; retrying is still the right answer.
            continue
    raise CounterError(_("The ticket could not be issued. Try again."))


# --- Calling ----------------------------------------------------------------------------------


def waiting(office: Office, day: datetime.date | None = None) -> QuerySet[Ticket]:
    day = day or local_now().date()
    return Ticket.objects.filter(office=office, date=day, status=TicketStatus.WAITING)


def _appropriate(queryset: QuerySet[Ticket], desk: Desk, user) -> QuerySet[Ticket]:
    """Tickets this desk and person may call: their reasons, and transfers meant for them."""
    queryset = queryset.filter(Q(for_desk__isnull=True) | Q(for_desk=desk))
    queryset = queryset.filter(Q(for_user__isnull=True) | Q(for_user=user))
    group_ids = list(desk.groups.values_list("pk", flat=True))
    if group_ids:
        queryset = queryset.filter(
            Q(reason_id__in=group_ids)
            | Q(reason__isnull=True)
            | Q(for_desk=desk)
            | Q(for_user=user)
        )
    return queryset


def call_order(queryset: QuerySet[Ticket], now: datetime.datetime) -> QuerySet[Ticket]:
    """Priority first — a long wait counts as priority — then first come, first served."""
    cutoff = now - AGEING
    rank = SqlCase(
        When(priority=TicketPriority.TRANSFERRED, then=Value(3)),
        When(priority__gt=TicketPriority.NORMAL, then=Value(2)),
        When(issued_at__lte=cutoff, then=Value(2)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return queryset.annotate(call_rank=rank).order_by("-call_rank", "issued_at", "number")


def call_next(user, desk: Desk, *, now: datetime.datetime | None = None) -> Ticket | None:
    """Call the next appropriate ticket to ``desk``; ``None`` when nobody is waiting.

    ``SKIP LOCKED`` makes a second desk calling at the same instant pass over the row the first
    has locked, so no ticket is called to two desks.
    """
    office = desk.office
    require_manage(user, office)
    now = now or timezone.now()
    with transaction.atomic():
        candidates = call_order(
            _appropriate(waiting(office, local_now(now).date()), desk, user), now
        )
        ticket = candidates.select_for_update(skip_locked=True, of=("self",)).first()
        if ticket is None:
            return None
        _mark_called(ticket, user, desk, now)
    return ticket


def _mark_called(ticket: Ticket, user, desk: Desk, now: datetime.datetime) -> None:
    ticket.status = TicketStatus.CALLED
    ticket.desk = desk
    ticket.served_by = user
    ticket.called_at = now
    ticket.first_called_at = ticket.first_called_at or now
    ticket.for_desk = None
    ticket.for_user = None
    ticket.save(
        update_fields=[
            "status",
            "desk",
            "served_by",
            "called_at",
            "first_called_at",
            "for_desk",
            "for_user",
        ]
    )
    _event(ticket, TicketEvent.Kind.CALLED, user=user, desk=desk, at=now)


def _lock_ticket(ticket: Ticket, user) -> Ticket:
    locked = Ticket.objects.select_for_update().select_related("office").get(pk=ticket.pk)
    require_manage(user, locked.office)
    return locked


def recall(user, ticket: Ticket) -> Ticket:
    """Call the same ticket again (the visitor did not hear it): it shows on the display again."""
    with transaction.atomic():
        ticket = _lock_ticket(ticket, user)
        if ticket.status != TicketStatus.CALLED:
            raise CounterError(_("Only a called ticket can be called again."))
        ticket.called_at = timezone.now()
        ticket.save(update_fields=["called_at"])
        _event(ticket, TicketEvent.Kind.CALLED, user=user, desk=ticket.desk, recall=True)
    return ticket


def start_serving(user, ticket: Ticket) -> Ticket:
    with transaction.atomic():
        ticket = _lock_ticket(ticket, user)
        if ticket.status == TicketStatus.SERVING:
            return ticket  # a double click
        if ticket.status != TicketStatus.CALLED:
            raise CounterError(_("This ticket has not been called."))
        ticket.status = TicketStatus.SERVING
        ticket.started_at = timezone.now()
        ticket.served_by = user
        ticket.save(update_fields=["status", "started_at", "served_by"])
        _event(ticket, TicketEvent.Kind.STARTED, user=user, desk=ticket.desk)
    return ticket


def finish(user, ticket: Ticket) -> Ticket:
    with transaction.atomic():
        ticket = _lock_ticket(ticket, user)
        if ticket.status == TicketStatus.SERVED:
            return ticket
        if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
            raise CounterError(_("Only a ticket being served can be finished."))
        now = timezone.now()
        ticket.started_at = ticket.started_at or ticket.called_at or now
        ticket.status = TicketStatus.SERVED
        ticket.finished_at = now
        ticket.save(update_fields=["status", "started_at", "finished_at"])
        _event(ticket, TicketEvent.Kind.SERVED, user=user, desk=ticket.desk)
    return ticket


def no_show(user, ticket: Ticket) -> Ticket:
    with transaction.atomic():
        ticket = _lock_ticket(ticket, user)
        if ticket.status == TicketStatus.NO_SHOW:
            return ticket
        if ticket.status != TicketStatus.CALLED:
            raise CounterError(_("Only a called ticket can be marked as not answered."))
        ticket.status = TicketStatus.NO_SHOW
        ticket.finished_at = timezone.now()
        ticket.save(update_fields=["status", "finished_at"])
        _event(ticket, TicketEvent.Kind.NO_SHOW, user=user, desk=ticket.desk)
    return ticket


def transfer(user, ticket: Ticket, *, desk: Desk | None = None, to_user=None) -> Ticket:
    """Back to the queue for another desk or a specialist, ahead of everybody else."""
    if desk is None and to_user is None:
        raise CounterError(_("Choose a desk or a member of staff to transfer to."))
    with transaction.atomic():
        ticket = _lock_ticket(ticket, user)
        if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
            raise CounterError(_("Only a ticket being served can be transferred."))
        if desk is not None and desk.office_id != ticket.office_id:
            raise CounterError(_("That desk is in another office."))
        if to_user is not None and not can_manage(to_user, ticket.office):
            raise CounterError(_("That member of staff does not work in this office."))
        from_desk = ticket.desk
        ticket.status = TicketStatus.WAITING
        ticket.priority = TicketPriority.TRANSFERRED
        ticket.for_desk = desk
        ticket.for_user = to_user
        ticket.desk = None
        ticket.called_at = None
        ticket.save(
            update_fields=["status", "priority", "for_desk", "for_user", "desk", "called_at"]
        )
        _event(
            ticket,
            TicketEvent.Kind.TRANSFERRED,
            user=user,
            desk=from_desk,
            to_desk=desk.number if desk else None,
            to_user=to_user.pk if to_user else None,
        )
    return ticket


def link_resident(user, ticket: Ticket, resident: Resident) -> Ticket:
    """The visitor is this resident (found by a search, or made by the case raised for them)."""
    with transaction.atomic():
        ticket = _lock_ticket(ticket, user)
        ticket.resident = resident
        ticket.save(update_fields=["resident"])
    return ticket


def link_case(user, ticket: Ticket, case: Case, *, raised: bool) -> None:
    """Remember a case raised or updated during this visit (for the receipt and figures)."""
    ticket.cases.add(case)
    _event(ticket, TicketEvent.Kind.CASE, user=user, case=case.reference, raised=raised)


# --- Desks ------------------------------------------------------------------------------------


def sign_on(user, desk: Desk) -> Desk:
    """Sit at ``desk``: leaves any other desk the user was at; takes the desk over."""
    require_manage(user, desk.office)
    with transaction.atomic():
        Desk.objects.filter(staffed_by=user).exclude(pk=desk.pk).update(
            staffed_by=None, staffed_since=None
        )
        desk = Desk.objects.select_for_update().get(pk=desk.pk)
        desk.staffed_by = user
        desk.staffed_since = timezone.now()
        desk.save(update_fields=["staffed_by", "staffed_since"])
    return desk


def sign_off(user) -> None:
    Desk.objects.filter(staffed_by=user).update(staffed_by=None, staffed_since=None)


# --- Expected wait and the display ------------------------------------------------------------


def recent_service_time(office: Office, now: datetime.datetime | None = None) -> datetime.timedelta:
    """Median service time of the last two hours at this office, or a default."""
    now = now or timezone.now()
    rows = Ticket.objects.filter(
        office=office,
        status=TicketStatus.SERVED,
        finished_at__gte=now - RECENT_WINDOW,
        started_at__isnull=False,
    ).values_list("started_at", "finished_at")
    seconds = [(end - start).total_seconds() for start, end in rows if end >= start]
    if not seconds:
        return DEFAULT_SERVICE_TIME
    return datetime.timedelta(seconds=statistics.median(seconds))


def expected_wait(
    office: Office, ticket: Ticket | None = None, now: datetime.datetime | None = None
) -> datetime.timedelta:
    """People ahead × recent service time ÷ desks staffed now (at least one)."""
    now = now or timezone.now()
    queue = waiting(office, local_now(now).date())
    ahead = queue.count()
    if ticket is not None:
        ranked = list(call_order(queue, now).values_list("pk", flat=True))
        ahead = ranked.index(ticket.pk) if ticket.pk in ranked else 0
    staffed = max(
        Desk.objects.filter(office=office, active=True, staffed_by__isnull=False).count(), 1
    )
    seconds = recent_service_time(office, now).total_seconds() * ahead / staffed
    return datetime.timedelta(minutes=math.ceil(seconds / 60))


def now_calling(office: Office, limit: int = 6) -> list[Ticket]:
    """Tickets called to a desk today, the latest first: what the display shows."""
    return list(
        Ticket.objects.filter(
            office=office,
            date=local_now().date(),
            status__in=(TicketStatus.CALLED, TicketStatus.SERVING),
        )
        .select_related("desk")
        .order_by("-called_at", "-number")[:limit]
    )


# --- End of day and figures -------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: a value that really occurred, as people reading figures expect."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass
class DayFigures:
    tickets: int
    served: int
    no_shows: int
    unserved: int
    waiting: int
    wait_median: float | None  # seconds
    wait_p90: float | None
    service_median: float | None
    service_p90: float | None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def compute_figures(office: Office, day: datetime.date) -> DayFigures:
    tickets = list(Ticket.objects.filter(office=office, date=day))
    waits = [
        (t.first_called_at - t.issued_at).total_seconds()
        for t in tickets
        if t.first_called_at is not None
    ]
    services = [
        (t.finished_at - t.started_at).total_seconds()
        for t in tickets
        if t.status == TicketStatus.SERVED and t.started_at and t.finished_at
    ]
    count = {status: 0 for status in TicketStatus.values}
    for ticket in tickets:
        count[ticket.status] += 1
    return DayFigures(
        tickets=len(tickets),
        served=count[TicketStatus.SERVED],
        no_shows=count[TicketStatus.NO_SHOW],
        unserved=count[TicketStatus.UNSERVED],
        waiting=sum(count[s] for s in OPEN_TICKET_STATUSES),
        wait_median=statistics.median(waits) if waits else None,
        wait_p90=_percentile(waits, 0.9),
        service_median=statistics.median(services) if services else None,
        service_p90=_percentile(services, 0.9),
    )


def figures_for(office: Office, day: datetime.date) -> DayFigures:
    """A closed day's kept figures, else computed from its tickets now."""
    kept = OfficeDay.objects.filter(office=office, date=day, closed_at__isnull=False).first()
    if kept is not None and kept.figures:
        return DayFigures(**kept.figures)
    return compute_figures(office, day)


def close_day(office: Office, day: datetime.date, *, now: datetime.datetime | None = None) -> int:
    """Close ``office``'s queue for ``day``: tickets still open become 'not served'.

    Returns how many tickets were marked. Safe to run twice: a closed day is left as it is.
    Figures are computed after the marking and kept on the day row.
    """
    now = now or timezone.now()
    with transaction.atomic():
        OfficeDay.objects.get_or_create(office=office, date=day)
        office_day = OfficeDay.objects.select_for_update().get(office=office, date=day)
        if office_day.closed_at is not None:
            return 0
        open_tickets = list(
            Ticket.objects.select_for_update()
            .filter(office=office, date=day, status__in=OPEN_TICKET_STATUSES)
            .order_by("number")
        )
        for ticket in open_tickets:
            ticket.status = TicketStatus.UNSERVED
            ticket.finished_at = now
            ticket.save(update_fields=["status", "finished_at"])
            _event(ticket, TicketEvent.Kind.UNSERVED, at=now)
        office_day.closed_at = now
        office_day.figures = compute_figures(office, day).as_dict()
        office_day.save(update_fields=["closed_at", "figures"])
        Desk.objects.filter(office=office).update(staffed_by=None, staffed_since=None)
    return len(open_tickets)


def days_to_close(before: datetime.date) -> QuerySet[OfficeDay]:
    """Days before ``before`` that have tickets and are not closed yet."""
    return OfficeDay.objects.filter(date__lt=before, closed_at__isnull=True).select_related(
        "office"
    )
