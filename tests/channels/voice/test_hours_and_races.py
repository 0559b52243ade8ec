"""Opening hours of the contact centre, and concurrent deliveries of one call step."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from channels.voice.hours import contact_centre, is_open
from channels.voice.models import Call, CallStep
from services.models import Closure
from tests.channels.voice.conftest import ENTRY, UNKNOWN_LINE, call_payload, new_sid, post_signed

LONDON = timezone.get_default_timezone()


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 30), tzinfo=LONDON)


@pytest.mark.django_db
def test_contact_centre_hours_bank_holidays_and_closures(catalogue):
    office = contact_centre()
    assert office.slug == "joint-contact-centre"
    monday = datetime.date(2026, 11, 23)
    assert is_open(office, _at(monday, 10))
    assert not is_open(office, _at(monday, 7))  # before 08:00
    assert not is_open(office, _at(monday, 18))  # 18:00 is closing time
    assert is_open(office, _at(monday + datetime.timedelta(days=5), 11))  # Saturday morning
    assert not is_open(office, _at(monday + datetime.timedelta(days=6), 11))  # Sunday
    assert not is_open(office, _at(datetime.date(2026, 12, 25), 10))  # Christmas Day (Friday)
    assert not is_open(office, _at(datetime.date(2026, 8, 31), 10))  # summer bank holiday
    Closure.objects.create(council=office.council, office=office, date=monday, reason="Training")
    assert not is_open(office, _at(monday, 10))
    tuesday = monday + datetime.timedelta(days=1)
    Closure.objects.create(council=office.council, date=tuesday, reason="Council closed")
    assert not is_open(office, _at(tuesday, 10))
    assert not is_open(None, _at(monday, 10))


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_of_one_step_make_one_call_and_one_answer(postgres_only):
    sid = new_sid()
    payload = call_payload(sid, to=UNKNOWN_LINE)
    answers: list[tuple[int, bytes]] = []
    barrier = threading.Barrier(6)

    def deliver():
        try:
            barrier.wait()
            response = post_signed(Client(), ENTRY, payload)
            answers.append((response.status_code, response.content))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [code for code, _ in answers] == [200] * 6
    assert len({content for _, content in answers}) == 1
    assert Call.objects.filter(call_sid=sid).count() == 1
    assert CallStep.objects.filter(call__call_sid=sid).count() == 1
