"""The counter's public screens (the waiting-area display, the kiosk) and its desks in the
Wagtail admin, through the Django test client. (The staff screens: ``tests/desk/counter/``.)"""

import json

import pytest

from channels.counter import queue
from channels.counter.models import Ticket
from tests.channels.counter.conftest import called_ticket

pytestmark = pytest.mark.django_db


def test_kiosk_issues_an_accessibility_ticket_without_personal_data(staff_client, world):
    response = staff_client.post(
        "/counter/mk-shop/kiosk/", {"reason": world.bins.pk, "needs": "on"}
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.from_kiosk and ticket.priority == 1 and ticket.resident is None
    page = staff_client.get(response["Location"])
    assert b"A001" in page.content


# --- Display ------------------------------------------------------------------------------------


def test_display_shows_codes_and_desks_but_never_names(client, world):
    ticket = called_ticket(world, resident=world.resident)
    queue.issue_ticket(world.counter, world.office, reason=world.tax)
    page = client.get("/counter/mk-shop/display/")
    assert page.status_code == 200
    assert b"A001" in page.content and b"desk 1" in page.content
    assert b'http-equiv="refresh"' in page.content
    for secret in (b"Ada", b"Lovelace", b"Bins", b"Council tax", b"+4474"):
        assert secret not in page.content
    data = client.get("/counter/mk-shop/display.json").json()
    assert data == {
        "calls": [{"code": "A001", "desk": 1, "called": ticket.called_at.isoformat()}],
        "waiting": 1,
        "waiting_text": "1 person waiting",
    }
    assert "Ada" not in json.dumps(data)
    assert client.get("/counter/no-such-office/display/").status_code == 404
    assert client.get("/counter/mk-back/display/").status_code == 404  # not a public office


def test_desks_are_managed_in_the_wagtail_admin(client, world):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/counter_desks/")
    assert listing.status_code == 200 and b"MK shop" in listing.content
    response = client.post(
        "/admin/counter_desks/new/",
        {"office": world.office.pk, "number": 7, "label": "Specialist", "active": "on"},
    )
    assert response.status_code == 302
    assert world.office.counter_desks.filter(number=7, label="Specialist").exists()
    # The same number twice in one office is refused.
    again = client.post(
        "/admin/counter_desks/new/", {"office": world.office.pk, "number": 7, "active": "on"}
    )
    assert again.status_code == 200
    assert world.office.counter_desks.filter(number=7).count() == 1
