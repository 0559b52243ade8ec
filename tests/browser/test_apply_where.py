"""Where first, then what — in real Chromium, with axe-core on every page of every walk.

A Northampton resident starts "Report a missed bin collection" from the Milton Keynes page:
after the first question they are on Northampton Borough Council's details (name, website,
telephone), and nothing they typed is lost. A postcode in a district on the boundary (MK19)
is asked about: answered one way it is South Northamptonshire's bins, the other way the
application carries on to a case for Milton Keynes. A Milton Keynes pothole form given a
Northampton postcode moves the resident to Northamptonshire's form, answers kept.
"""

import re

import pytest

from services.models import Case, Signpost
from tests.apply.conftest import BIN_URL
from tests.apply.site import build_site
from tests.browser.conftest import axe

pytestmark = pytest.mark.django_db(transaction=True)

BIN_SERVICE_PAGE = BIN_URL.removesuffix("report/")
MK_POTHOLE_URL = "/roads-and-travel/report-a-pothole-in-milton-keynes/report/"
ADDRESS = "12 Abington Street\nNorthampton"


@pytest.fixture
def site(settings):
    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    return build_site()


def start_missed_bin(page) -> None:
    """From the Milton Keynes service page, through its start button, to the first question."""
    page.goto(BIN_SERVICE_PAGE)
    axe(page)
    page.get_by_role("button", name="Report a missed bin collection online").or_(
        page.get_by_role("link", name="Report a missed bin collection online")
    ).first.click()
    page.wait_for_url(re.compile(r"/report/$"))
    axe(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/step/1/$"))
    axe(page)


def answer_where(page, postcode: str, address: str = ADDRESS) -> None:
    page.get_by_label("Postcode of the property").fill(postcode)
    page.get_by_label("Address of the property").fill(address)
    page.get_by_role("button", name="Continue").click()


def test_a_northampton_postcode_is_sent_to_the_borough_after_the_first_question(page, site):
    start_missed_bin(page)
    answer_where(page, "nn1 1aa")

    # Straight after the first question: the body that collects the bins there.
    page.wait_for_url(re.compile(r"/elsewhere/$"))
    axe(page)
    heading = page.locator("h1").inner_text()
    assert heading == "Northampton Borough Council deals with this at NN1 1AA"
    details = page.locator("[data-contact-details]")
    assert "Northampton Borough Council" in details.inner_text()
    website = details.get_by_role("link", name="https://northampton.example.org")
    assert website.get_attribute("href") == "https://northampton.example.org"
    phone = details.get_by_role("link", name="01632 960 101")
    assert phone.get_attribute("href") == "tel:01632960101"
    assert "Which collection was missed?" not in page.content()  # no second question asked

    # The referral is recorded for the published figures: once, with the district only.
    signpost = Signpost.objects.get()
    assert signpost.outcome == Signpost.Outcome.REFERRED
    assert signpost.referral_body.slug == "northampton-borough-council"
    assert signpost.district == "NN1" and signpost.service.slug == "mk-missed-bin"

    # Nothing typed is lost: changing the postcode finds both answers where they were typed.
    page.get_by_role("link", name="Change the postcode").click()
    page.wait_for_url(re.compile(r"/step/1/"))
    axe(page)
    assert page.get_by_label("Postcode of the property").input_value() == "NN1 1AA"
    assert page.get_by_label("Address of the property").input_value() == ADDRESS
    assert not Case.objects.exists()
    assert page.console_errors == []


def test_a_straddling_postcode_is_asked_about_and_followed(page, site):
    start_missed_bin(page)
    answer_where(page, "MK19 6AA", "3 Stratford Road\nOld Stratford")

    # Asked, never guessed.
    page.wait_for_url(re.compile(r"/council/$"))
    axe(page)
    assert page.locator("h1").inner_text() == "Which council do you live in?"
    assert "MK19 6AA" in page.locator("main").inner_text()
    page.get_by_role("button", name="Continue").click()  # no answer: a GOV.UK error
    assert "Select which council you live in" in page.locator(".govuk-error-summary").inner_text()
    axe(page)

    # Northamptonshire: the district council for MK19 collects the bins.
    page.get_by_label("Northamptonshire County Council").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/elsewhere/$"))
    axe(page)
    assert page.locator("h1").inner_text() == (
        "South Northamptonshire Council deals with this at MK19 6AA"
    )
    assert "01632 960 107" in page.locator("[data-contact-details]").inner_text()
    assert Signpost.objects.get().referral_body.slug == "south-northamptonshire-council"

    # The other answer: Milton Keynes carries on with the same application.
    page.get_by_role("link", name="Change which council the address is in").click()
    page.wait_for_url(re.compile(r"/council/$"))
    axe(page)
    assert page.get_by_label("Northamptonshire County Council").is_checked()  # kept
    page.get_by_label("Milton Keynes Council").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/step/2/$"))
    axe(page)
    page.get_by_label("Recycling").check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/step/3/$"))
    axe(page)
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/step/4/$"))
    axe(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/contact/$"))
    axe(page)
    page.get_by_label("Full name").fill("Sam Boundary")
    page.get_by_label("Email address").fill("sam.boundary@example.com")
    page.get_by_label("By email", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/check/$"))
    axe(page)
    main = page.locator("main").inner_text()
    assert "MK19 6AA" in main and "3 Stratford Road" in main and "Milton Keynes Council" in main
    page.get_by_role("button", name="Accept and send").click()
    page.wait_for_url(re.compile(r"/confirmation/$"))
    axe(page)
    case = Case.objects.get()
    assert case.responsible_council.code == "MKC" and case.service.slug == "mk-missed-bin"
    assert case.postcode == "MK19 6AA"
    # The resident went on with Milton Keynes: the earlier referral is not counted as well.
    assert not Signpost.objects.exists()
    assert page.console_errors == []


def test_the_other_councils_form_takes_over_with_the_answers(page, site):
    page.goto(MK_POTHOLE_URL)
    axe(page)
    page.get_by_role("button", name="Start now").click()
    page.wait_for_url(re.compile(r"/step/1/$"))
    page.get_by_label("Postcode nearest the pothole").fill("NN1 1DE")
    page.get_by_label("Where exactly is it?").fill("Outside the library, Abington Street")
    page.get_by_role("button", name="Continue").click()

    # Northamptonshire's own form, at its next question, saying why.
    page.wait_for_url(re.compile(r"report-a-pothole-in-northamptonshire/report/step/2/$"))
    axe(page)
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Northamptonshire County Council deals with this at NN1 1DE" in banner
    page.get_by_role("link", name="Back").click()
    page.wait_for_url(re.compile(r"northamptonshire/report/step/1/$"))
    axe(page)
    assert page.get_by_label("Postcode nearest the pothole").input_value() == "NN1 1DE"
    assert page.get_by_label("Where exactly is it?").input_value() == (
        "Outside the library, Abington Street"
    )
    assert not Signpost.objects.exists()  # moved, not sent away: the case will count
    assert page.console_errors == []
