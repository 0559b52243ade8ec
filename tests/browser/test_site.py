"""A resident opens the home page, uses the service finder and reaches a service page."""

import re

import pytest

from tests.browser.conftest import axe

pytestmark = pytest.mark.django_db(transaction=True)


def test_service_finder_leads_to_a_service_page_with_no_accessibility_violations(page, demo):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Milton Keynes and Northamptonshire councils"
    axe(page)

    page.get_by_label("What do you need to do?").fill("missed bin")
    page.get_by_role("button", name="Find a service").click()
    page.wait_for_url(re.compile(r"/search/\?q=missed"))
    axe(page)

    page.get_by_role("link", name="Report a missed bin collection").first.click()
    page.wait_for_url(re.compile(r"/report-a-missed-bin-collection/$"))
    assert page.locator("h1").inner_text() == "Report a missed bin collection"
    assert "Milton Keynes Council is responsible" in page.locator("main").inner_text()
    axe(page)
    assert not page.console_errors, page.console_errors


def test_site_works_without_javascript(no_js_page, demo):
    no_js_page.goto("/")
    no_js_page.get_by_label("What do you need to do?").fill("pothole")
    no_js_page.get_by_role("button", name="Find a service").click()
    no_js_page.get_by_role("link", name="Report a pothole in Northamptonshire").first.click()
    assert no_js_page.locator("h1").inner_text() == "Report a pothole in Northamptonshire"
