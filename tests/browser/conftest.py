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


@pytest.fixture
def page(chromium, live_server, browser_context_args):
    context = chromium.new_context(base_url=live_server.url, **browser_context_args)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
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


def axe(page, *, context=None, tags=AXE_TAGS, disable=()):
    """Run axe-core on the page and fail with a readable list of violations."""
    # Evaluated through the DevTools protocol, which the page's strict CSP does not govern;
    # the page itself still runs under the real policy.
    page.evaluate(AXE_SOURCE.read_text())
    options = {"runOnly": {"type": "tag", "values": list(tags)}}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    result = page.evaluate(
        "([context, options]) => axe.run(context || document, options)", [context, options]
    )
    violations = result["violations"]
    if violations:
        lines = [f"axe-core found {len(violations)} violation(s) on {page.url}:"]
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:5]:
                lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
        pytest.fail("\n".join(lines))
    return result


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under docs/screenshots/ (used in the README)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
