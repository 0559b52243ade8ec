"""Proving a mobile number in Chromium: details → code texted → wrong code → right code.

axe-core (and the reflow check) runs on every page of the walk, error states included. The
code is read from the text the outbox queued, as the resident reads it on their phone.
"""

import re

from tests.browser.conftest import PASSWORD, Audit, sign_in


def test_a_resident_proves_their_mobile_number(page, resident_account):
    from services.models import Message, Resident

    audit = Audit("en")
    sign_in(page, resident_account.email, PASSWORD, "/my/details/")
    page.wait_for_url(re.compile(r"^[^?]*/my/details/$"))
    audit.check(page, "my details")
    page.locator("[name=phone]").fill("07400 123456")
    page.locator("main form button.govuk-button:not(.govuk-button--secondary)").first.click()
    page.wait_for_url(re.compile(r"/my/phone/confirm/$"))
    assert "07400 123456" in page.locator("main").inner_text()
    audit.check(page, "confirm phone")

    text = Message.objects.filter(kind="phone_code", recipient="+447400123456").latest("pk")
    code = re.search(r"\b(\d{6})\b", text.body).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page.locator("[name=code]").fill(wrong)
    page.locator("main form:not([action]) button").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").count() == 1
    audit.check(page, "confirm phone, error")

    page.locator("[name=code]").fill(code)
    page.locator("main form:not([action]) button").click()
    page.wait_for_url(re.compile(r"/my/cases/$"))
    audit.check(page, "my cases, number proven")
    page.goto("/my/details/")
    assert page.locator(".govuk-tag--green").count() == 1
    audit.check(page, "my details, number proven")
    own = Resident.objects.get(user=resident_account)
    assert (own.phone, own.phone_verified) == ("+447400123456", True)
    audit.assert_clean()
