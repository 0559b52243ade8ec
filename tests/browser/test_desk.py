"""A contact-centre agent signs in, works the queue: Next case, a note, a status change.

Every page visited is checked with axe-core; the desk must be usable by keyboard and without
inline script or style (the strict CSP holds in the browser).
"""

import re

import pytest

from services.actions import InboundMessage, ResidentDetails, intake
from services.models import Service
from tests.browser.conftest import axe

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "portal-demo-2026"


def _web_enquiry(text: str, email: str):
    return intake(
        InboundMessage(
            channel="web",
            body=text,
            summary=text,
            service=Service.objects.get(slug="general-enquiry"),
            postcode="MK9 3EJ",
            resident_details=ResidentDetails(name="Jo Bloggs", email=email, postcode="MK9 3EJ"),
            acknowledge=False,
            thread_to_open_case=False,
        )
    ).case


def _sign_in(page, email: str):
    # load_demo gives random passwords outside DEBUG: set a known one for this test.
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=email)
    user.set_password(PASSWORD)
    user.save()
    page.goto("/accounts/login/?next=/desk/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/desk/$"))


def test_agent_works_the_queue(page, demo):
    first = _web_enquiry("Council tax bill question", "jo@example.com")
    _web_enquiry("Parking permit renewal", "sam@example.com")
    assert first.team.slug == "contact-centre-triage"

    _sign_in(page, "agent@mk.example.org")
    assert page.locator("h1").inner_text() == "Queue"
    assert "Council tax bill question" in page.locator("main").inner_text()
    axe(page)

    page.get_by_role("button", name="Next case").click()
    page.wait_for_url(re.compile(r"/desk/cases/\d{9}/$"))
    assert "is yours now" in page.locator("main").inner_text()
    axe(page)

    page.locator("#action-note summary").click()
    page.get_by_label("Internal note").fill("Called back, left a voicemail <b>not bold</b>")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_url(re.compile(r"/desk/cases/\d{9}/$"))
    assert (
        "Called back, left a voicemail <b>not bold</b>"
        in page.locator(".portal-timeline").inner_text()
    )
    axe(page)

    page.locator("#action-status summary").click()
    page.get_by_label("New status").select_option("in_progress")
    page.get_by_role("button", name="Change status").click()
    page.wait_for_url(re.compile(r"/desk/cases/\d{9}/$"))
    assert page.locator("#case-status").inner_text() == "In progress"
    axe(page)

    page.get_by_role("link", name="Jo Bloggs").click()
    page.wait_for_url(re.compile(r"/desk/residents/\d+/$"))
    axe(page)
    assert not page.console_errors, page.console_errors


def test_supervisor_sees_queue_health(page, demo):
    _web_enquiry("Street light out", "kim@example.com")
    _sign_in(page, "supervisor@mk.example.org")
    page.get_by_role("link", name="Queue health").click()
    page.wait_for_url(re.compile(r"/desk/supervisor/$"))
    assert "Contact centre triage" in page.locator("main").inner_text()
    axe(page)


def test_check_length_works_without_javascript(no_js_page, demo):
    case = _web_enquiry("Bus pass", "lee@example.com")
    page = no_js_page
    _sign_in(page, "agent@mk.example.org")
    page.goto(f"/desk/cases/{case.reference}/")
    page.locator("#action-reply summary").click()
    page.get_by_label("Message to the resident").fill("Dziękujemy za wiadomość")
    page.get_by_role("button", name="Check length").click()
    assert "As a text message" in page.locator("#reply-segments").inner_text()
