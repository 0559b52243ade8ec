"""A resident opens the "How we are doing" pages: charts, tables, filters and the equality
questionnaire, with no accessibility violations and nothing blocked by the CSP."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from reports import figures
from tests.browser.conftest import axe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def figures_data(catalogue):
    call_command("generate_cases", "--count", "400", "--seed", "3", stdout=StringIO())
    figures.rebuild()


def test_public_performance_pages(page, figures_data):
    page.goto("/how-we-are-doing/")
    footer_link = page.locator("footer").get_by_role("link", name="How we are doing")
    assert footer_link.get_attribute("href") == "/how-we-are-doing/"
    assert page.locator("h1").inner_text() == "How we are doing"
    assert page.locator("svg[role=img]").count() == 3
    assert page.get_by_role("table", name="Figures by month").is_visible()
    axe(page)

    page.get_by_label("Council", exact=True).select_option(label="Milton Keynes Council")
    page.get_by_label("How people contacted us").select_option(label="Web")
    page.get_by_role("button", name="Show figures").click()
    page.wait_for_url(re.compile(r"council=MKC"))
    assert "Milton Keynes Council" in page.locator("h2").first.inner_text()
    axe(page)

    page.get_by_label("Twelve months up to (YYYY-MM)").fill("March")
    page.get_by_role("button", name="Show figures").click()
    assert page.locator(".govuk-error-summary").is_visible()
    axe(page)

    page.goto("/how-we-are-doing/equality/?service=complaint")
    page.get_by_role("group", name="What is your sex?").get_by_label("Prefer not to say").check()
    page.get_by_role("button", name="Send answers").click()
    page.wait_for_url(re.compile(r"/equality/thanks/$"))
    axe(page)
    page.get_by_role("link", name="See what people have told us").click()
    assert page.locator("h1").inner_text() == "Equality monitoring"
    axe(page)
    assert not page.console_errors, page.console_errors


def test_performance_page_works_without_javascript(no_js_page, figures_data):
    no_js_page.goto("/how-we-are-doing/")
    no_js_page.get_by_label("Council", exact=True).select_option(
        label="Northamptonshire County Council"
    )
    no_js_page.get_by_role("button", name="Show figures").click()
    assert "council=NCC" in no_js_page.url
    assert no_js_page.locator("svg[role=img]").count() == 3


def test_supervisor_dashboards(page, figures_data):
    from django.contrib.auth import get_user_model

    password = "dashboards-test-password"  # noqa: S105
    user = get_user_model().objects.get(email="supervisor@mk.example.org")
    user.set_password(password)
    user.save()
    page.goto("/accounts/login/?next=/desk/dashboards/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    page.wait_for_url(re.compile(r"/desk/dashboards/$"))
    assert page.locator("h1").inner_text() == "Dashboards"
    assert page.get_by_role("table", name="Queue health by service").is_visible()
    assert page.locator("svg[role=img]").count() == 3
    axe(page)
    assert not page.console_errors, page.console_errors
