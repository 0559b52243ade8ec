"""Real concurrency against PostgreSQL: threads with their own connections, released together.

SQLite serialises writers, so these tests mean something only on PostgreSQL (``postgres_only``).
"""

import threading

import pytest
from django.db import close_old_connections, connection

from channels.counter import queue
from channels.counter.models import Ticket, TicketEvent, TicketStatus

THREADS = 6


def run_together(target, count: int) -> list:
    """Run ``target(i)`` in ``count`` threads released at the same instant; results or errors."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = target(index)
        except Exception as error:  # noqa: BLE001 - handed back to the test, which fails on it
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return results


@pytest.mark.django_db(transaction=True)
def test_ticket_numbers_never_repeat_under_concurrency(postgres_only, world):
    per_thread = 8
    users = [world.counter, world.counter2, world.mk_supervisor]

    def issue_many(index: int) -> list[str]:
        return [
            queue.issue_ticket(users[index % len(users)], world.office, reason=world.bins).code
            for _ in range(per_thread)
        ]

    results = run_together(issue_many, THREADS)
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    codes = [code for result in results for code in result]
    assert len(codes) == len(set(codes)) == THREADS * per_thread
    numbers = sorted(Ticket.objects.filter(office=world.office).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS * per_thread + 1))  # no gaps either


@pytest.mark.django_db(transaction=True)
def test_first_tickets_of_the_day_at_once(postgres_only, world):
    """The day row does not exist yet: every thread races to create it."""
    results = run_together(
        lambda i: queue.issue_ticket(world.counter, world.office, reason=world.bins).number, THREADS
    )
    assert sorted(results) == list(range(1, THREADS + 1)), results


@pytest.mark.django_db(transaction=True)
def test_two_desks_calling_at_once_never_get_the_same_ticket(postgres_only, world):
    desks = [
        queue.sign_on(world.counter, world.desks[0]),
        queue.sign_on(world.counter2, world.desks[1]),
    ]
    users = [world.counter, world.counter2]
    tickets = [
        queue.issue_ticket(world.counter, world.office, reason=world.bins) for _ in range(10)
    ]

    def call_until_empty(index: int) -> list[int]:
        called = []
        while (ticket := queue.call_next(users[index], desks[index])) is not None:
            called.append(ticket.pk)
        return called

    first, second = run_together(call_until_empty, 2)
    assert not isinstance(first, Exception) and not isinstance(second, Exception), (first, second)
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(t.pk for t in tickets)
    # Every ticket was called exactly once.
    assert TicketEvent.objects.filter(kind="called").count() == len(tickets)
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == len(tickets)


@pytest.mark.django_db(transaction=True)
def test_one_ticket_two_desks_one_winner(postgres_only, world):
    desks = [
        queue.sign_on(world.counter, world.desks[0]),
        queue.sign_on(world.counter2, world.desks[1]),
    ]
    users = [world.counter, world.counter2]
    ticket = queue.issue_ticket(world.counter, world.office, reason=world.bins)
    for _round in range(5):
        results = run_together(lambda i: queue.call_next(users[i], desks[i]), 2)
        winners = [r for r in results if r is not None]
        assert len(winners) == 1 and winners[0].pk == ticket.pk, results
        Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.WAITING, desk=None)
