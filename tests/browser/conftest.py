"""Real Chromium through Playwright, against pytest-django's live server, with axe-core.

Chromium comes from Debian's ``chromium`` package (``/usr/bin/chromium``); ``playwright install``
cannot download browsers here. ``axe`` runs axe-core (npm ``axe-core``) in the page and fails
the test on any WCAG 2.2 A/AA violation.
"""

import json
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# A password the accessibility tests give the demo accounts they sign in with.
PASSWORD = "portal-a11y-test-2026"  # noqa: S105
OFFICE = "mk-civic-one-stop-shop"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    if not AXE_SOURCE.exists():
        pytest.skip("axe-core is not installed (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_context_args():
    return {"viewport": {"width": 1280, "height": 900}, "locale": "en-GB"}


def _counts(msg) -> bool:
    """A console error that a test should see.

    The softphone's attempts to reach Twilio (signalling, sounds, insights on *.twilio.com) fail
    on these machines, which have no network, and the SDK logs that: the failure is what
    tests/browser/test_softphone.py asserts the agent is shown, and no fault of the page under
    test. Every other error counts, and a Content Security Policy violation always does."""
    if msg.type != "error":
        return False
    if "Content Security Policy" in msg.text:
        return True  # a page asking for a host its policy does not allow always counts
    where = (msg.location or {}).get("url", "") if isinstance(msg.location, dict) else ""
    unreachable = ".twilio.com" in msg.text or ".twilio.com" in where
    sdk_log = msg.text.startswith("[TwilioVoice]")  # the SDK's own log of the same failure
    return not (unreachable or sdk_log)


@pytest.fixture
def page(chromium, live_server, browser_context_args):
    context = chromium.new_context(base_url=live_server.url, **browser_context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if _counts(msg) else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def no_js_page(chromium, live_server, browser_context_args):
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, **browser_context_args
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def axe_violations(page, *, context=None, tags=AXE_TAGS, disable=()) -> list[str]:
    """Run axe-core on the page; a readable list of its violations (empty when there are none)."""
    # Evaluated through the DevTools protocol, which the page's strict CSP does not govern;
    # the page itself still runs under the real policy.
    page.evaluate(AXE_SOURCE.read_text())
    options = {"runOnly": {"type": "tag", "values": list(tags)}}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    result = page.evaluate(
        "([context, options]) => axe.run(context || document, options)", [context, options]
    )
    lines = []
    for violation in result["violations"]:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return lines


def axe(page, *, context=None, tags=AXE_TAGS, disable=()):
    """Run axe-core on the page and fail with a readable list of violations."""
    lines = axe_violations(page, context=context, tags=tags, disable=disable)
    if lines:
        pytest.fail("\n".join([f"axe-core found violations on {page.url}:", *lines]))


def use_language(context, base_url: str, code: str) -> None:
    """Choose the language as the switcher does: the ``portal_language`` cookie."""
    context.add_cookies([{"name": "portal_language", "value": code, "url": base_url}])


def sign_in(page, email: str, password: str, next_url: str = "/") -> None:
    """Sign in through allauth's form, found by field name so it works in every language."""
    page.goto(f"/accounts/login/?next={next_url}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


# The widest element that sticks out of the viewport, to name in a failure.
OVERFLOW_JS = """() => {
    const width = window.innerWidth;
    const doc = document.documentElement;
    const worst = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width && (box.right > width + 1 || box.left < -1)) {
            // Inside a scrolling box it scrolls with it, unless absolutely positioned against
            // something outside that box: then it widens the page.
            let inside = false;
            const positioned = ['absolute', 'fixed'].includes(getComputedStyle(el).position);
            for (let p = el.parentElement; p && !positioned; p = p.parentElement) {
                const style = getComputedStyle(p);
                if (p !== doc && p !== document.body && style.overflowX !== 'visible') {
                    inside = true;
                    break;
                }
            }
            if (!inside) {
                const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                    + (el.className && typeof el.className === 'string'
                        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
                worst.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}]`);
            }
        }
    }
    return {scrollWidth: doc.scrollWidth, innerWidth: width, offenders: worst.slice(0, 5)};
}"""


# Boxes that scroll sideways inside the page (wide tables): each must be a focusable, named
# region, so keyboard users can scroll it and screen reader users know what it holds.
SCROLL_REGIONS_JS = """() => {
    const bad = [];
    for (const el of document.body.querySelectorAll('*')) {
        const style = getComputedStyle(el);
        if (!['auto', 'scroll'].includes(style.overflowX) || el.scrollWidth <= el.clientWidth) {
            continue;
        }
        if (['TEXTAREA', 'SELECT', 'INPUT', 'PRE'].includes(el.tagName)) continue;
        const named = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
        if (el.getAttribute('role') !== 'region' || !named || el.tabIndex !== 0) {
            bad.push(el.outerHTML.slice(0, 120));
        }
    }
    return bad;
}"""


def horizontal_scroll(page, width: int) -> str | None:
    """At ``width`` CSS pixels, does the page scroll sideways? A description if it does.

    Also fails a box that scrolls sideways by itself without being a focusable, named region.
    """
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": size["height"]})
    try:
        found = page.evaluate(OVERFLOW_JS)
        regions = page.evaluate(SCROLL_REGIONS_JS)
    finally:
        page.set_viewport_size(size)
    if found["scrollWidth"] > found["innerWidth"]:
        return (
            f"scrolls sideways at {width}px: scrollWidth {found['scrollWidth']} > "
            f"{found['innerWidth']}; sticking out: {found['offenders']}"
        )
    if regions:
        return f"at {width}px, boxes scroll sideways without being named regions: {regions}"
    return None


class Audit:
    """Checks many pages and reports every problem at the end, each under its URL.

    ``check(page)`` runs axe-core (WCAG 2.2 A/AA and best practice) on the page as it is, and
    the reflow check: no horizontal scrolling at 320 CSS pixels (WCAG 1.4.10) or at 640 (what a
    1280 pixel screen shows at 200% zoom).
    """

    def __init__(self, language: str):
        self.language = language
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, page, label: str, *, reflow: bool = True) -> None:
        where = f"[{self.language}] {label} {page.url}"
        self.checked.append(where)
        expected_dir = "rtl" if self.language == "ur" else "ltr"
        html = page.locator("html")
        if (html.get_attribute("lang"), html.get_attribute("dir")) != (
            self.language,
            expected_dir,
        ):
            self.problems.append(
                f"{where}: <html lang={html.get_attribute('lang')} dir={html.get_attribute('dir')}>"
            )
        lines = axe_violations(page)
        if lines:
            self.problems.append("\n".join([f"{where}: axe-core", *lines]))
        if reflow:
            for width in (320, 640):
                problem = horizontal_scroll(page, width)
                if problem:
                    self.problems.append(f"{where}: {problem}")

    def assert_clean(self) -> None:
        if self.problems:
            pytest.fail(f"{len(self.problems)} problem(s):\n" + "\n".join(self.problems))


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under docs/screenshots/ (used in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def resident_account(demo):
    """A signed-up resident with a verified email address and a case of their own."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from services.actions import InboundMessage, ResidentDetails, intake
    from services.models import Service

    user = get_user_model().objects.create_user(
        username="rosa@example.com", email="rosa@example.com", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    intake(
        InboundMessage(
            channel="web",
            body="The bin was not emptied.",
            summary="Missed bin",
            service=Service.objects.get(slug="mk-missed-bin"),
            postcode="MK9 3EJ",
            resident_details=ResidentDetails(
                name="Rosa Resident", email=user.email, postcode="MK9 3EJ"
            ),
            acknowledge=False,
            thread_to_open_case=False,
        )
    )
    return user


@pytest.fixture
def counter_open(demo):
    from services.models import Office
    from tests.channels.counter.conftest import open_all_week

    open_all_week(Office.objects.get(slug=OFFICE))


def set_password(email: str) -> None:
    """load_demo gives random passwords outside DEBUG: give this account a known one."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(email=email)
    user.set_password(PASSWORD)
    user.save()


def english(model):
    """Live pages of ``model`` in the English tree, the one every address routes through.

    Translations are pages of their own (one per locale, same slug); the site serves them at
    the English page's address in the reader's language.
    """
    return model.objects.live().filter(locale__language_code="en")
