"""A visit to a one-stop shop, end to end in Chromium, with axe-core on every page.

Reception issues a ticket for a resident found by name; the waiting-area display (open in its
own tab, as on the wall) shows the call without reloading; the counter member calls it, files
the resident's missed-bin report through the same apply-online form the website uses, and
prints the receipt — rendered to PDF by Chromium with the print stylesheet.
"""

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import axe

PASSWORD = "portal-demo-2026"
OFFICE = "mk-civic-one-stop-shop"


def _sign_in(page, email: str, next_url: str):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=email)
    user.set_password(PASSWORD)
    user.save()
    page.goto(f"/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()


@pytest.fixture
def shop(demo):
    from services.models import Office, Resident
    from tests.channels.counter.conftest import open_all_week

    office = Office.objects.get(slug=OFFICE)
    open_all_week(office)  # whatever the hour the suite runs at
    call_command("counter_desks", "--office", OFFICE, "--count", "3", stdout=StringIO())
    return Resident.objects.create(
        name="Ada Lovelace",
        email="ada@example.com",
        phone="+447400123999",
        postcode="MK9 3EJ",
        preferred_channel="email",
    )


def test_walk_in_visit_from_ticket_to_printed_receipt(page, shop):
    from pypdf import PdfReader

    from services.models import Case

    _sign_in(page, "counter@mk.example.org", "/desk/counter/")
    page.wait_for_url(re.compile(rf"/desk/counter/{OFFICE}/$"))
    assert page.locator("h1").inner_text() == "Counter queue"
    axe(page)

    # Sit at desk 3.
    page.get_by_label("Your desk").select_option(label="Desk 3")
    page.get_by_role("button", name="Sit at this desk").click()
    assert "You are at Desk 3." in page.locator("main").inner_text()

    # Reception: find the visitor by name, choose the reason, issue the ticket.
    page.get_by_role("link", name="Issue a ticket").first.click()
    page.get_by_label("Find the visitor (optional)").fill("lovelace")
    page.get_by_role("button", name="Find").click()
    axe(page)
    page.get_by_label(re.compile("Ada Lovelace")).check()
    page.locator("input[name=reason]").first.check()
    page.get_by_role("button", name="Issue ticket").click()
    code = page.get_by_test_id("ticket-code").inner_text()
    assert re.fullmatch(r"A\d{3}", code)
    assert "Linked to Ada Lovelace" in page.locator("main").inner_text()
    axe(page)

    # The waiting-area display, in its own tab.
    display = page.context.new_page()
    display_errors = []
    display.on("console", lambda m: display_errors.append(m.text) if m.type == "error" else None)
    display.goto(f"/counter/{OFFICE}/display/")
    assert "1 person waiting" in display.locator("main").inner_text()
    assert code not in display.locator("#counter-calls").inner_text()
    axe(display)

    # The counter member calls the next visitor: the display updates without a reload.
    page.get_by_role("link", name="Back to the queue").click()
    page.get_by_role("button", name="Call next").click()
    page.wait_for_url(re.compile(rf"/desk/counter/{OFFICE}/tickets/\d+/$"))
    display.locator("#counter-calls").get_by_text(code).wait_for(timeout=15_000)
    assert "desk 3" in display.locator(".portal-counter-display__call--latest").inner_text()
    assert "Ada" not in display.content() and "Lovelace" not in display.content()
    assert not display_errors, display_errors
    axe(display)

    # Serving: the visitor's record is on screen; start, then the assisted application.
    assert "Ada Lovelace" in page.locator("main").inner_text()
    axe(page)
    page.get_by_role("button", name="Visitor is here: start").click()
    page.get_by_role("link", name="Report a missed bin collection online").click()
    axe(page)
    page.locator("[name=postcode_of_the_property]").fill("MK9 3EJ")
    page.locator("[name=address_of_the_property]").fill("1 Saxon Gate East")
    page.get_by_label("Recycling").check()
    page.locator("[name=when_should_it_have_been_collected_0]").fill("2")
    page.locator("[name=when_should_it_have_been_collected_1]").fill("3")
    page.locator("[name=when_should_it_have_been_collected_2]").fill("2026")
    page.get_by_role("button", name="Send application").click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    case = Case.objects.get(resident__name="Ada Lovelace")
    assert case.origin_channel == "counter"
    main = page.locator("main").inner_text()
    assert case.display_reference in main and "/track/" in main
    axe(page)

    # Print: the print stylesheet hides the desk around the receipt.
    page.emulate_media(media="print")
    assert not page.locator(".portal-desk-nav").is_visible()
    assert not page.get_by_role("button", name="Send receipt").is_visible()
    assert page.locator(".portal-counter-receipt__reference").is_visible()
    pdf = page.pdf(format="A4", print_background=True)
    page.emulate_media(media="screen")
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert case.display_reference in text
    assert "What happens next" in text and "/track/" in text
    assert "Call next" not in text and "Find a case or resident" not in text  # desk chrome
    assert len(reader.pages) == 1

    # And the same receipt by email.
    page.get_by_label("Email").check()
    page.get_by_role("button", name="Send receipt").click()
    assert "The receipt is on its way." in page.locator("main").inner_text()
    assert case.messages.filter(kind="receipt", channel="email").exists()
    axe(page)
    assert not page.console_errors, page.console_errors
