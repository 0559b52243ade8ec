"""A new resident reports a pothole online, is acknowledged, tracks the case and answers a
request for information — in real Chromium, with axe-core on every page, with and without
JavaScript. The JavaScript run saves the screenshots the README shows.
"""

import re

import pytest
from django.conf import settings as django_settings

from services.actions import reply
from services.models import Case, Council, Role, Status
from tests.apply.conftest import PNG, POTHOLE_URL
from tests.apply.site import build_site
from tests.browser.conftest import axe, screenshot
from tests.factories import make_staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings):
    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    return build_site()


def _axe(page, run: bool) -> None:
    # axe-core is evaluated in the page, which a browser with JavaScript off refuses (the
    # call never returns); the JavaScript run checks the very same HTML.
    if run:
        axe(page)


def _shot(page, name, take):
    if take:
        screenshot(page, name)


def run_journey(page, outbox, *, shots: bool, js: bool = True) -> None:
    email = "pat.pothole@example.com"

    # Start page, reached from the service page's start button.
    page.goto(POTHOLE_URL.removesuffix("report/"))
    _axe(page, js)
    page.get_by_role("button", name="Report a pothole online").or_(
        page.get_by_role("link", name="Report a pothole online")
    ).first.click()
    page.wait_for_url(re.compile(r"/report/$"))
    _axe(page, js)
    _shot(page, "apply-1-start", shots)
    page.get_by_role("button", name="Start now").click()

    # Question page 1: send it empty first — an error summary that links to the fields.
    page.wait_for_url(re.compile(r"/step/1/$"))
    _axe(page, js)
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Answer “Postcode nearest the pothole”" in summary.inner_text()
    assert page.title().startswith("Error:")
    _axe(page, js)
    _shot(page, "apply-2-error-summary", shots)
    page.get_by_label("Postcode nearest the pothole").fill("nn1 1de")
    page.get_by_label("Where exactly is it?").fill("Outside the library, Abington Street")
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/step/2/$"))
    _axe(page, js)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/step/3/$"))
    _axe(page, js)
    page.get_by_label("How deep is it, in centimetres?").fill("12")
    page.get_by_role("button", name="Continue").click()

    # The photo: a real PNG.
    page.wait_for_url(re.compile(r"/step/4/$"))
    _axe(page, js)
    page.get_by_label("A photo of the pothole").set_input_files(
        {"name": "pothole.png", "mimeType": "image/png", "buffer": PNG}
    )
    _shot(page, "apply-3-upload", shots)
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/contact/$"))
    _axe(page, js)
    page.get_by_label("Full name").fill("Pat Pothole")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("UK mobile number").fill("07400 123456")
    page.get_by_label("By email and text message").check()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(re.compile(r"/check/$"))
    _axe(page, js)
    main = page.locator("main").inner_text()
    assert "NN1 1DE" in main and "pothole.png" in main and "Yes" in main
    _shot(page, "apply-4-check-answers", shots)
    page.get_by_role("button", name="Accept and send").click()

    page.wait_for_url(re.compile(r"/confirmation/$"))
    _axe(page, js)
    reference = page.locator("#case-reference").inner_text()
    _shot(page, "apply-5-confirmation", shots)
    case = Case.objects.get()
    assert reference == case.display_reference
    assert case.service.slug == "ncc-pothole" and case.responsible_council.code == "NCC"
    assert case.attachments.get().content_type == "image/png"
    # The acknowledgement, on the channel the resident chose.
    sent = [m for m in outbox if reference in m.body]
    assert sent and sent[0].recipient in (email, "+447400123456")

    # A caseworker asks for more information: the case waits for the resident.
    staff = make_staff(Council.objects.get(code="NCC"), role=Role.CASEWORKER)
    reply(staff, case, "Please tell us how wide the pothole is.", request_information=True)
    case.refresh_from_db()
    assert case.status == Status.WAITING

    # The resident tracks the case in a fresh browser (no session): reference + email.
    page.context.clear_cookies()
    page.goto("/track/")
    _axe(page, js)
    page.get_by_label("Case reference").fill("000 000 000")
    page.get_by_label("Email address or mobile number").fill(email)
    page.get_by_role("button", name="Find my case").click()
    assert page.locator(".govuk-error-summary").is_visible()
    _axe(page, js)
    page.get_by_label("Case reference").fill(reference)
    page.get_by_label("Email address or mobile number").fill(email.upper())
    _shot(page, "track-1-find", shots)
    page.get_by_role("button", name="Find my case").click()
    page.wait_for_url(re.compile(r"/track/\d{9}/$"))
    _axe(page, js)
    assert page.locator("#case-status").inner_text() == "Waiting for you"
    assert "Please tell us how wide the pothole is." in page.locator("main").inner_text()
    _shot(page, "track-2-information-requested", shots)

    page.get_by_label("Your reply").fill("About 40 centimetres across.")
    page.get_by_label("Upload a document (optional)").set_input_files(
        {"name": "measure.png", "mimeType": "image/png", "buffer": PNG}
    )
    page.get_by_role("button", name="Send reply").click()
    page.wait_for_url(re.compile(r"/track/\d{9}/$"))
    _axe(page, js)
    assert page.locator("#case-status").inner_text() == "In progress"
    assert "About 40 centimetres across." in page.locator("main").inner_text()
    _shot(page, "track-3-replied", shots)
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.attachments.count() == 2


def test_resident_applies_tracks_and_replies_with_javascript(page, site, outbox):
    run_journey(page, outbox, shots=True)
    assert not page.console_errors, page.console_errors


def test_the_same_journey_works_without_javascript(no_js_page, site, outbox):
    assert django_settings.PORTAL_APPLY_MIN_FILL_SECONDS == 0
    run_journey(no_js_page, outbox, shots=False, js=False)
