"""The catalogue cache: one query the first time, none after, and an edit is seen at once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services import lookups, routing
from services.models import Channel, Closure, ContactPoint
from services.sla import WorkingCalendar
from tests.factories import CouncilFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def test_a_contact_point_is_read_once_then_from_the_cache():
    council = CouncilFactory()
    ContactPoint.objects.create(channel=Channel.SMS, address="+447400123456", council=council)
    with CaptureQueriesContext(connection) as first:
        point = routing.council_for_contact_point(Channel.SMS, " +447400123456 ")
    with CaptureQueriesContext(connection) as again:
        same = routing.council_for_contact_point(Channel.SMS, "+447400123456")
    assert point.council == council and same.council == council
    assert len(first) == 1
    assert len(again) == 0


def test_an_unknown_address_is_remembered_as_unknown_without_querying_again():
    assert routing.council_for_contact_point(Channel.SMS, "+447400999999") is None
    with CaptureQueriesContext(connection) as again:
        assert routing.council_for_contact_point(Channel.SMS, "+447400999999") is None
    assert len(again) == 0


def test_saving_a_catalogue_row_is_seen_at_once():
    first, second = CouncilFactory(), CouncilFactory()
    point = ContactPoint.objects.create(
        channel=Channel.EMAIL, address="help@example.org", council=first
    )
    assert routing.council_for_contact_point(Channel.EMAIL, "help@example.org").council == first
    point.council = second
    point.save()
    assert routing.council_for_contact_point(Channel.EMAIL, "help@example.org").council == second
    point.delete()
    assert routing.council_for_contact_point(Channel.EMAIL, "help@example.org") is None


def test_a_new_closure_moves_due_dates_straight_away():
    council = CouncilFactory()
    monday = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=datetime.UTC)
    before = WorkingCalendar.for_council(council).due(monday, 1)
    Closure.objects.create(council=council, date=datetime.date(2026, 11, 23))
    after = WorkingCalendar.for_council(council).due(monday, 1)
    assert after.date() == before.date() + datetime.timedelta(days=1)


def test_routing_reads_a_service_edit_at_once():
    service = ServiceFactory()
    assert routing.route(service).team == service.delivering_team
    other = ServiceFactory(responsible_council=service.responsible_council)
    service.delivering_team = other.delivering_team
    service.save()
    assert routing.route(service).team == other.delivering_team


def test_keys_built_from_hostile_addresses_are_short_and_safe():
    council = CouncilFactory()
    hostile = "x" * 1000 + " \x01\n"
    assert routing.council_for_contact_point(Channel.EMAIL, hostile) is None
    ContactPoint.objects.create(channel=Channel.EMAIL, address="a@b.example", council=council)
    assert lookups.contact_point(Channel.EMAIL, "A@B.example").council == council
