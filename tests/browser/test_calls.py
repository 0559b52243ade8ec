"""An agent takes a simulated call: screen pop, wrap-up onto a case, the timeline shows it.

The call is placed through the desk's channel simulator, which posts each IVR step to the
real webhooks signed as Twilio signs them. axe-core runs on every page visited.
"""

import datetime
import re

import pytest
from django.utils import timezone

from channels.voice.hours import contact_centre
from services.calendar import bank_holidays
from services.models import OpeningHours, Service
from tests.browser.conftest import axe
from tests.factories import ResidentFactory, make_case

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "portal-demo-2026"
CALLER = "+447400123456"


def _sign_in(page, email: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=email)
    user.set_password(PASSWORD)
    user.save()
    page.goto("/accounts/login/?next=/desk/calls/")
    axe(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/desk/calls/$"))


def _open_contact_centre():
    today = timezone.localdate()
    if today in bank_holidays(today.year):
        pytest.skip("England bank holiday today: the contact centre is closed by design")
    office = contact_centre()
    office.opening_hours.all().delete()
    OpeningHours.objects.create(
        office=office,
        weekday=today.weekday(),
        opens=datetime.time(0, 0),
        closes=datetime.time(23, 59, 59),
    )


def test_agent_takes_a_call_and_logs_it_on_a_case(page, catalogue):
    _open_contact_centre()
    resident = ResidentFactory(phone=CALLER, name="Alice Caller")
    bins = make_case(Service.objects.get(slug="mk-missed-bin"), resident, summary="Missed bin")
    other = make_case(Service.objects.get(slug="mk-missed-bin"), summary="Someone else's bin")

    _sign_in(page, "agent@mk.example.org")
    assert page.locator("h1").inner_text() == "Calls"
    assert "No calls are waiting" in page.locator("main").inner_text()
    axe(page)

    # A call arrives (the simulator signs each step as Twilio would).
    page.get_by_role("link", name=re.compile("Place a fake call")).click()
    axe(page)
    page.get_by_label("Caller's number").fill("07400 123456")
    page.get_by_label("Number dialled").select_option("+441632960001")
    page.get_by_label(re.compile("Ask for an adviser")).check()
    page.get_by_role("button", name="Place the call").click()
    heard = page.locator("#simulated-call").inner_text()
    assert "Milton Keynes" in heard
    assert "number 1 in the queue" in heard
    axe(page)

    page.get_by_role("link", name="See it on the calls panel").click()
    live = page.locator("#live-calls")
    assert "Alice Caller" in live.inner_text()
    assert "Waiting for an adviser" in live.inner_text()
    axe(page)

    # Take it: the screen pop shows who is calling and their open cases only.
    page.get_by_role("button", name=re.compile("Take call")).click()
    page.wait_for_url(re.compile(r"/desk/calls/\d+/$"))
    assert page.locator("#caller-name").inner_text() == "Alice Caller"
    cases = page.locator("#caller-cases").inner_text()
    assert bins.display_reference in cases
    assert other.display_reference not in page.locator("main").inner_text()
    axe(page)

    # Wrap up in a few keystrokes: the case, the outcome, a note.
    page.get_by_label(re.compile(re.escape(bins.display_reference))).check()
    page.get_by_label("Outcome").select_option("case_updated")
    page.get_by_label("What was said").fill("Bin still not emptied; chased the crew.")
    page.get_by_role("button", name="Log the call").click()
    page.wait_for_url(re.compile(rf"/desk/cases/{bins.reference}/$"))
    timeline = page.locator(".portal-timeline").inner_text()
    assert "Telephone call" in timeline
    assert "Bin still not emptied; chased the crew." in timeline
    axe(page)
    # The strict CSP held: no inline script or style was refused on any page.
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
