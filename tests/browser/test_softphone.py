"""The softphone in the calls panel, with the real Twilio Voice SDK bundle, by keyboard only.

There is no network here, so Twilio can never be reached: whether the token endpoint refuses
(not configured) or the SDK's signalling WebSocket to wss://voice-js.<edge>.twilio.com fails,
the softphone must say "Cannot reach Twilio" and offer "Log a call from a desk phone". What
can be operated without a connection is operated with the keyboard alone (Tab, Enter, Space,
the number keys); axe-core runs on every state. Answering, muting and the call timer need a
real call from Twilio and are not exercised here (docs/voice.md, "Softphone").
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, axe, set_password, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

AGENT = "agent@mk.example.org"
SDK = Path(__file__).resolve().parents[2] / "build" / "static" / "twilio" / "twilio.min.js"
# The SDK gives up on nothing by itself; the softphone declares failure after 10 seconds.
FAILURE_WAIT = 25_000


@pytest.fixture
def sdk_bundle():
    if not SDK.exists():
        pytest.fail(f"{SDK} is missing: run `make assets` (it copies the npm package's bundle)")


@pytest.fixture
def agent_on_panel(page, catalogue, sdk_bundle):
    set_password(AGENT)
    sign_in(page, AGENT, PASSWORD, next_url="/desk/calls/")
    expect(page).to_have_url(re.compile(r"/desk/calls/$"))
    return page


def _csp_violations(page) -> list[str]:
    return [line for line in page.console_errors if "Content Security Policy" in line]


def _tab_to(page, predicate: str, *, limit: int = 80) -> list[str]:
    """Press Tab until ``predicate`` (JS, on document.activeElement) holds; the ids passed."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return seen
    pytest.fail(f"Tab never reached {predicate}; passed {seen}")


def _cannot_reach_twilio(page):
    softphone = page.locator("#softphone")
    expect(page.locator("#softphone-state")).to_have_text(
        "Cannot reach Twilio", timeout=FAILURE_WAIT
    )
    expect(page.locator("#softphone-status")).to_have_attribute("aria-live", "polite")
    log_call = softphone.get_by_role("link", name="Log a call from a desk phone")
    expect(log_call).to_be_visible()
    assert log_call.get_attribute("href") == "/desk/calls/log/"
    # The controls are there, but nothing that needs Twilio can be pressed.
    expect(page.locator("#softphone-controls")).to_be_visible()
    for name in ("Take next caller", "Answer", "Hang up", "Mute microphone", "Call"):
        expect(softphone.get_by_role("button", name=name, exact=True)).to_be_disabled()


def test_without_javascript_the_desk_phone_is_offered(no_js_page, catalogue, sdk_bundle):
    # axe-core cannot run in a page without JavaScript; the same markup is checked by axe in
    # the next test, where the softphone's scripts are blocked.
    page = no_js_page
    set_password(AGENT)
    sign_in(page, AGENT, PASSWORD, next_url="/desk/calls/")
    softphone = page.locator("#softphone")
    expect(softphone.get_by_role("link", name="Log a call from a desk phone")).to_be_visible()
    expect(page.locator("#softphone-controls")).to_be_hidden()


def test_when_the_scripts_do_not_load_the_desk_phone_is_offered(page, catalogue, sdk_bundle):
    page.route(
        re.compile(r"/static/(twilio/twilio\.min\.js|desk/js/softphone\.mjs)"),
        lambda route: route.abort(),
    )
    set_password(AGENT)
    sign_in(page, AGENT, PASSWORD, next_url="/desk/calls/")
    softphone = page.locator("#softphone")
    expect(softphone.get_by_role("link", name="Log a call from a desk phone")).to_be_visible()
    expect(page.locator("#softphone-controls")).to_be_hidden()
    expect(page.locator("#softphone-state")).to_have_text("Not started")
    axe(page)


def test_not_configured_shows_cannot_reach_twilio(agent_on_panel, settings):
    page = agent_on_panel
    settings.TWILIO_API_KEY = ""  # the token endpoint answers 503
    page.reload()
    _cannot_reach_twilio(page)
    expect(page.locator("#softphone-detail")).to_contain_text(
        "could not give the softphone a token"
    )
    axe(page)


def test_the_real_sdk_cannot_reach_twilio_and_the_keyboard_still_works(agent_on_panel):
    page = agent_on_panel
    assert page.evaluate("typeof window.Twilio.Device") == "function"  # the real bundle ran
    _cannot_reach_twilio(page)
    # The token came (not "could not give a token"): the Device itself could not get through.
    expect(page.locator("#softphone-detail")).to_have_text(
        "The softphone cannot work at the moment. Log the call from a desk phone instead."
    )
    # The SDK tried Twilio's signalling: our CSP allowed it (the network is what failed).
    assert _csp_violations(page) == []
    axe(page)

    # Tab from the top of the page to "Try the softphone again"; disabled buttons are skipped.
    page.locator("h1").click()
    passed = _tab_to(page, "el.id === 'softphone-retry'")
    for disabled in ("softphone-answer", "softphone-hangup", "softphone-mute", "softphone-next"):
        assert disabled not in passed
    assert page.evaluate("getComputedStyle(document.activeElement).boxShadow") != "none"
    page.keyboard.press("Enter")
    expect(page.locator("#softphone-state")).to_have_text("Connecting")
    axe(page)
    _cannot_reach_twilio(page)
    assert page.evaluate("document.activeElement.id") == "softphone-retry"

    # The keypad: Space and Enter on its keys, and the number keys while focus is on it,
    # type the number to call (there is no call to send tones to).
    _tab_to(page, "el.dataset.digit === '1'")
    page.keyboard.press("Space")
    page.keyboard.press("7")
    page.keyboard.press("4")
    page.keyboard.press("Tab")  # to 2
    page.keyboard.press("Enter")
    page.keyboard.press("#")
    page.keyboard.press("*")
    expect(page.locator("#softphone-number")).to_have_value("1742#*")
    assert page.evaluate("getComputedStyle(document.activeElement).boxShadow") != "none"

    # In the number box the keys are typed once (not also pressed on the keypad), and Enter
    # does not leave the page while the softphone cannot call.
    page.locator("#softphone-number").fill("")
    _tab_to(page, "el.id === 'softphone-number'", limit=200)
    page.keyboard.type("01908 691691")
    expect(page.locator("#softphone-number")).to_have_value("01908 691691")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/desk/calls/$"))
    expect(page.locator("#softphone-state")).to_have_text("Cannot reach Twilio")
    axe(page)
    assert _csp_violations(page) == []
