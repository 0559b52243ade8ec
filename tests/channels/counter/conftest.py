"""A small counter world built with factories: two councils, an office each, desks, staff.

Offices are open around the clock here (``open_all_week``) unless a test says otherwise, so
the suite does not depend on the hour it runs at; opening hours have their own tests.
"""

import datetime

import pytest

from channels.counter import queue
from channels.counter.models import Desk
from services.models import OpeningHours, Role
from tests.factories import (
    CouncilFactory,
    OfficeFactory,
    ResidentFactory,
    ServiceFactory,
    ServiceGroupFactory,
    make_staff,
)


def open_all_week(office) -> None:
    office.opening_hours.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(
            office=office,
            weekday=weekday,
            opens=datetime.time(0, 0),
            closes=datetime.time(23, 59, 59, 999999),
        )


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.mkc = CouncilFactory(code="MKC", name="Milton Keynes City Council", short_name="MKC")
    w.ncc = CouncilFactory(code="NCC", name="Northamptonshire County Council", short_name="NCC")
    w.office = OfficeFactory(council=w.mkc, slug="mk-shop", name="MK shop")
    w.other_office = OfficeFactory(council=w.ncc, slug="nn-shop", name="NN shop")
    w.mk_back_office = OfficeFactory(council=w.mkc, slug="mk-back", kind="back_office")
    for office in (w.office, w.other_office):
        open_all_week(office)
    w.bins = ServiceGroupFactory(name="Bins", slug="bins", order=1)
    w.tax = ServiceGroupFactory(name="Council tax", slug="tax", order=2)
    w.bin_service = ServiceFactory(group=w.bins, responsible_council=w.mkc, name="Missed bin")
    w.tax_service = ServiceFactory(group=w.tax, responsible_council=w.mkc, name="Council tax")
    w.desks = [Desk.objects.create(office=w.office, number=n) for n in (1, 2, 3)]
    w.other_desk = Desk.objects.create(office=w.other_office, number=1)
    w.counter = make_staff(w.mkc, role=Role.COUNTER, office=w.office, first_name="Priya")
    w.counter2 = make_staff(w.mkc, role=Role.COUNTER, office=w.office, first_name="Ali")
    w.nn_counter = make_staff(w.ncc, role=Role.COUNTER, office=w.other_office)
    w.mk_supervisor = make_staff(w.mkc, role=Role.SUPERVISOR, office=w.mk_back_office)
    w.nn_supervisor = make_staff(w.ncc, role=Role.SUPERVISOR)
    w.mk_caseworker = make_staff(w.mkc, role=Role.CASEWORKER, office=w.mk_back_office)
    w.resident = ResidentFactory(name="Ada Lovelace", postcode="MK9 3EJ", phone="+447400123456")
    return w


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.counter)
    return client


def called_ticket(world, **kwargs):
    """A ticket issued at the MK shop and called to desk 1 by ``world.counter``."""
    desk = queue.sign_on(world.counter, world.desks[0])
    ticket = queue.issue_ticket(world.counter, world.office, reason=world.bins, **kwargs)
    queue.call_next(world.counter, desk)
    ticket.refresh_from_db()
    return ticket
