"""Numbering, call-next order and fairness, transfers, end of day, figures, opening hours."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from channels.counter import queue
from channels.counter.models import (
    OfficeDay,
    Ticket,
    TicketEvent,
    TicketPriority,
    TicketStatus,
    ticket_code,
)
from services.models import Closure, OpeningHours

pytestmark = pytest.mark.django_db


def issue(world, office=None, **kwargs):
    kwargs.setdefault("reason", world.bins)
    return queue.issue_ticket(world.counter, office or world.office, **kwargs)


def at_desk(world, desk, user=None):
    return queue.sign_on(user or world.counter, desk)


def test_ticket_codes():
    assert ticket_code(1) == "A001"
    assert ticket_code(12) == "A012"
    assert ticket_code(999) == "A999"
    assert ticket_code(1000) == "B001"
    with pytest.raises(ValueError):
        ticket_code(0)


def test_numbers_run_per_office_per_day(world):
    first, second = issue(world), issue(world)
    assert (first.code, second.code) == ("A001", "A002")
    other = queue.issue_ticket(world.nn_counter, world.other_office, reason=world.bins)
    assert other.code == "A001"  # another office counts on its own
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert issue(world, now=tomorrow).code == "A001"  # and every day starts again
    assert issue(world).code == "A003"
    assert TicketEvent.objects.filter(kind="issued").count() == 5


def test_call_next_is_first_come_first_served(world):
    desk = at_desk(world, world.desks[0])
    tickets = [issue(world) for _ in range(3)]
    called = [queue.call_next(world.counter, desk) for _ in range(3)]
    assert [t.pk for t in called] == [t.pk for t in tickets]
    assert queue.call_next(world.counter, desk) is None
    assert all(t.status == TicketStatus.CALLED and t.desk == desk for t in called)


def test_priorities_go_first_but_a_long_wait_counts_as_priority(world):
    desk = at_desk(world, world.desks[0])
    now = queue.local_now().replace(hour=12, minute=0)  # well away from midnight
    aged = issue(world, now=now - datetime.timedelta(minutes=45))
    normal = issue(world, now=now - datetime.timedelta(minutes=5))
    appointment = issue(
        world, priority=TicketPriority.APPOINTMENT, now=now - datetime.timedelta(minutes=2)
    )
    access = issue(
        world, priority=TicketPriority.ACCESSIBILITY, now=now - datetime.timedelta(minutes=1)
    )
    order = [queue.call_next(world.counter, desk, now=now).pk for _ in range(4)]
    # The 45-minute wait ranks with the priorities and, being oldest, goes first; then the
    # priorities in arrival order; the 5-minute normal ticket last.
    assert order == [aged.pk, appointment.pk, access.pk, normal.pk]


def test_desk_reasons_and_transfers(world):
    tax_desk, any_desk = world.desks[0], world.desks[1]
    tax_desk.groups.set([world.tax])
    at_desk(world, tax_desk)
    at_desk(world, any_desk, world.counter2)
    bins_ticket = issue(world, reason=world.bins)
    assert queue.call_next(world.counter, tax_desk) is None  # not this desk's reason
    called = queue.call_next(world.counter2, any_desk)
    assert called.pk == bins_ticket.pk
    # Transferred to the tax desk: only that desk may call it, and it goes before others.
    newer = issue(world, reason=world.tax)
    queue.transfer(world.counter2, called, desk=tax_desk)
    assert queue.call_next(world.counter2, any_desk).pk == newer.pk
    again = queue.call_next(world.counter, tax_desk)
    assert again.pk == bins_ticket.pk and again.desk == tax_desk


def test_transfer_to_a_specialist(world):
    desk = at_desk(world, world.desks[0])
    ticket = issue(world)
    queue.call_next(world.counter, desk)
    queue.transfer(world.counter, ticket, to_user=world.counter2)
    assert queue.call_next(world.counter, desk) is None
    specialist_desk = at_desk(world, world.desks[1], world.counter2)
    assert queue.call_next(world.counter2, specialist_desk).pk == ticket.pk


def test_transfer_refuses_other_office_and_outsiders(world):
    desk = at_desk(world, world.desks[0])
    ticket = issue(world)
    queue.call_next(world.counter, desk)
    with pytest.raises(queue.CounterError):
        queue.transfer(world.counter, ticket, desk=world.other_desk)
    with pytest.raises(queue.CounterError):
        queue.transfer(world.counter, ticket, to_user=world.nn_counter)
    with pytest.raises(queue.CounterError):
        queue.transfer(world.counter, ticket)


def test_serve_and_no_show_lifecycle(world):
    desk = at_desk(world, world.desks[0])
    first, second = issue(world), issue(world)
    queue.call_next(world.counter, desk)
    queue.start_serving(world.counter, first)
    queue.start_serving(world.counter, first)  # a double click changes nothing
    done = queue.finish(world.counter, first)
    assert done.status == TicketStatus.SERVED and done.finished_at >= done.started_at
    with pytest.raises(queue.CounterError):
        queue.no_show(world.counter, done)
    queue.call_next(world.counter, desk)
    assert queue.no_show(world.counter, second).status == TicketStatus.NO_SHOW
    with pytest.raises(queue.CounterError):
        queue.start_serving(world.counter, second)


def test_other_office_staff_cannot_touch_the_queue(world):
    ticket = issue(world)
    with pytest.raises(PermissionDenied):
        queue.issue_ticket(world.nn_counter, world.office, reason=world.bins)
    with pytest.raises(PermissionDenied):
        queue.call_next(world.nn_counter, world.desks[0])
    with pytest.raises(PermissionDenied):
        queue.no_show(world.nn_counter, ticket)
    with pytest.raises(PermissionDenied):
        queue.sign_on(world.nn_counter, world.desks[0])
    with pytest.raises(PermissionDenied):
        queue.issue_ticket(world.mk_caseworker, world.office, reason=world.bins)
    # A supervisor of the office's council may step in; one of the other council may not.
    assert queue.can_manage(world.mk_supervisor, world.office)
    assert not queue.can_manage(world.nn_supervisor, world.office)
    assert queue.can_see_figures(world.mk_supervisor, world.office)
    assert not queue.can_see_figures(world.counter, world.office)
    assert not queue.can_see_figures(world.nn_supervisor, world.office)


def test_hostile_priority_is_refused(world):
    for bad in (TicketPriority.TRANSFERRED, 99, -1):
        with pytest.raises(queue.CounterError):
            issue(world, priority=bad)
    assert not Ticket.objects.exists()


def test_opening_hours_closures_and_bank_holidays(world):
    office = world.office
    office.opening_hours.all().delete()
    tz = timezone.get_current_timezone()
    monday = datetime.date(2026, 11, 23)
    OpeningHours.objects.create(
        office=office, weekday=0, opens=datetime.time(9), closes=datetime.time(17)
    )
    at = lambda day, hour: datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)  # noqa: E731
    assert queue.closed_reason(office, at(monday, 10)) == ""
    assert queue.closed_reason(office, at(monday, 8))
    assert queue.closed_reason(office, at(monday, 17))
    assert queue.closed_reason(office, at(monday + datetime.timedelta(days=1), 10))  # Tuesday
    with pytest.raises(queue.CounterError):
        issue(world, now=at(monday, 18))
    Closure.objects.create(council=world.mkc, office=office, date=monday, reason="Flooded")
    assert queue.closed_reason(office, at(monday, 10)) == "Flooded"
    christmas = datetime.date(2028, 12, 25)  # a Monday and a bank holiday
    assert christmas.weekday() == 0
    assert queue.closed_reason(office, at(christmas, 10))
    # A council-wide closure (no office) closes every office of that council.
    Closure.objects.create(council=world.mkc, date=monday + datetime.timedelta(days=7))
    assert queue.closed_reason(office, at(monday + datetime.timedelta(days=7), 10))


def test_expected_wait_uses_staffing_and_recent_service_times(world):
    now = timezone.now()
    for _ in range(4):
        issue(world)
    # Nobody staffed: counted as one desk, default 8 minutes each → 4 × 8.
    assert queue.expected_wait(world.office, now=now) == datetime.timedelta(minutes=32)
    at_desk(world, world.desks[0])
    at_desk(world, world.desks[1], world.counter2)
    assert queue.expected_wait(world.office, now=now) == datetime.timedelta(minutes=16)
    # Recent service took 2 minutes.
    ticket = queue.call_next(world.counter, world.desks[0])
    Ticket.objects.filter(pk=ticket.pk).update(
        status=TicketStatus.SERVED,
        started_at=now - datetime.timedelta(minutes=3),
        finished_at=now - datetime.timedelta(minutes=1),
    )
    assert queue.expected_wait(world.office, now=now) == datetime.timedelta(minutes=3)
    last = Ticket.objects.filter(status=TicketStatus.WAITING).order_by("-number").first()
    assert queue.expected_wait(world.office, last, now=now) == datetime.timedelta(minutes=2)


def _ticket_with_times(world, wait_min, service_min=None, status=TicketStatus.SERVED):
    base = timezone.now() - datetime.timedelta(hours=1)
    ticket = issue(world)
    called = base + datetime.timedelta(minutes=wait_min)
    fields = {"status": status, "issued_at": base, "first_called_at": called, "called_at": called}
    if service_min is not None:
        fields.update(
            started_at=called, finished_at=called + datetime.timedelta(minutes=service_min)
        )
    Ticket.objects.filter(pk=ticket.pk).update(**fields)
    return ticket


def test_figures_median_and_90th_percentile(world):
    for wait in range(1, 11):  # waits 1..10 minutes, service 2 minutes each
        _ticket_with_times(world, wait, 2)
    _ticket_with_times(world, 30, status=TicketStatus.NO_SHOW)
    issue(world)  # still waiting
    figures = queue.compute_figures(world.office, queue.local_now().date())
    assert figures.tickets == 12
    assert figures.served == 10 and figures.no_shows == 1 and figures.waiting == 1
    assert figures.wait_median == 6 * 60  # waits 1..10 and 30: the sixth of eleven
    assert figures.wait_p90 == 10 * 60  # nearest rank: ceil(0.9 × 11) = 10th
    assert figures.service_median == figures.service_p90 == 120


def test_close_day_marks_unserved_keeps_figures_and_is_idempotent(world):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    day = queue.local_now(yesterday).date()
    desk = at_desk(world, world.desks[0])
    waiting_ticket = issue(world, now=yesterday)
    called = issue(world, now=yesterday)
    Ticket.objects.filter(pk=called.pk).update(status=TicketStatus.CALLED, desk=desk)
    today_ticket = issue(world)
    out = StringIO()
    call_command("close_counter_day", stdout=out)
    assert "1 day(s)" in out.getvalue()
    waiting_ticket.refresh_from_db()
    called.refresh_from_db()
    today_ticket.refresh_from_db()
    assert waiting_ticket.status == called.status == TicketStatus.UNSERVED
    assert today_ticket.status == TicketStatus.WAITING  # today is not closed by default
    office_day = OfficeDay.objects.get(office=world.office, date=day)
    assert office_day.closed_at is not None
    assert office_day.figures["unserved"] == 2 and office_day.figures["tickets"] == 2
    # Tickets purged later: the kept figures remain.
    Ticket.objects.filter(date=day).delete()
    assert queue.figures_for(world.office, day).unserved == 2
    assert queue.close_day(world.office, day) == 0  # twice is harmless
    # A closed day issues no more tickets.
    with pytest.raises(queue.CounterError):
        issue(world, now=yesterday)
    # Desks are signed off for the next morning.
    desk.refresh_from_db()
    assert desk.staffed_by is None


def test_close_command_refuses_bad_arguments(world):
    with pytest.raises(CommandError):
        call_command("close_counter_day", "--date", "2026-13-45", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("close_counter_day", "--date", "yesterday", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("close_counter_day", "--office", "nowhere", stdout=StringIO())


def test_counter_desks_command_is_idempotent(world):
    call_command("counter_desks", "--office", "nn-shop", "--count", "3", stdout=StringIO())
    call_command("counter_desks", "--office", "nn-shop", "--count", "3", stdout=StringIO())
    assert world.other_office.counter_desks.count() == 3
    with pytest.raises(CommandError):
        call_command("counter_desks", "--count", "0", stdout=StringIO())


def test_call_again_moves_the_ticket_to_the_top_of_the_display(world):
    desk = at_desk(world, world.desks[0])
    first, second = issue(world), issue(world)
    queue.call_next(world.counter, desk)
    at_desk(world, world.desks[1], world.counter2)
    queue.call_next(world.counter2, world.desks[1])
    assert [t.code for t in queue.now_calling(world.office)] == [second.code, first.code]
    first.refresh_from_db()
    queue.recall(world.counter, first)
    assert [t.code for t in queue.now_calling(world.office)] == [first.code, second.code]
    queue.start_serving(world.counter, first)
    with pytest.raises(queue.CounterError):
        queue.recall(world.counter, first)
