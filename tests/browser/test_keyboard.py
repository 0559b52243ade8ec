"""Keyboard only: a resident applies online and a member of staff adds a note to a case.

Nothing here clicks or fills: every step is Tab, Shift+Tab, Space, Enter or typing through
``page.keyboard``. At every control the focus lands on, the test checks that the control is on
screen and that focus visibly changes how it looks (outline, box shadow, background, colour,
border or underline differ from the same control unfocused), so a keyboard user can always see
where they are (WCAG 2.4.7 and 2.4.11).
"""

import re

import pytest

from tests.browser.conftest import PASSWORD, english, set_password

pytestmark = pytest.mark.django_db(transaction=True)

MAX_TABS = 80

# How the focused element looks, then the same element unfocused, then focus is put back.
# For GOV.UK radios and checkboxes the input itself is transparent: the circle or box drawn by
# the label's ::before is what shows focus.
FOCUS_JS = """(el) => {
    const drawn = el.matches('.govuk-radios__input, .govuk-checkboxes__input');
    const target = drawn ? el.nextElementSibling : el;
    const pseudo = drawn ? '::before' : null;
    const look = () => {
        const s = getComputedStyle(target, pseudo);
        return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.backgroundColor,
                s.color, s.borderTopColor, s.borderTopWidth, s.textDecorationLine,
                s.textDecorationThickness].join(' | ');
    };
    const box = (drawn ? target : el).getBoundingClientRect();
    const onScreen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
        && box.top < window.innerHeight && box.left < window.innerWidth;
    const focused = look();
    el.blur();
    const unfocused = look();
    el.focus({preventScroll: true});
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
        + (el.name ? `[name=${el.name}]` : '') + (el.className ? '.' + el.className : '');
    return {name, onScreen, focused, unfocused, stillFocused: document.activeElement === el};
}"""


def check_focus_visible(page) -> str:
    found = page.evaluate_handle("document.activeElement").evaluate(FOCUS_JS)
    where = f"{found['name']} on {page.url}"
    assert found["stillFocused"], where
    assert found["onScreen"], f"focus is off screen: {where}"
    assert found["focused"] != found["unfocused"], f"no visible focus indicator: {where}"
    return found["name"]


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focus is on ``selector``, checking every stop."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("document.activeElement === document.body"):
            continue
        check_focus_visible(page)
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} not reached in {MAX_TABS} presses of Tab on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def test_resident_applies_online_with_the_keyboard_only(page, demo, settings):
    from portal.pages.models import ServicePage
    from services.models import Case

    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    page.goto(english(ServicePage).get(slug="report-a-missed-bin-collection").url)

    # The skip link is the first Tab stop, shows itself, and takes the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('govuk-skip-link')")
    check_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main-content'")
    assert page.evaluate("document.activeElement.id") == "main-content"

    # From the content, the next Tab stops are in the page's main content.
    tab_to(page, "a.govuk-button--start")
    assert page.evaluate("document.getElementById('main-content').contains(document.activeElement)")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/report/$"))
    tab_to(page, "button[value=start]")
    page.keyboard.press("Space")

    page.wait_for_url(re.compile(r"/step/1/$"))
    type_into(page, "[name=postcode_of_the_property]", "MK9 3EJ")
    type_into(page, "[name=address_of_the_property]", "1 Saxon Gate East")
    # Shift+Tab goes back to the postcode, unchanged.
    tab_to(page, "[name=postcode_of_the_property]", backwards=True)
    assert page.evaluate("document.activeElement.value") == "MK9 3EJ"
    tab_to(page, "button[value=continue]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/step/2/$"))
    tab_to(page, "[name=which_collection_was_missed]")
    page.keyboard.press("ArrowDown")  # the second choice: arrows move within a radio group
    check_focus_visible(page)
    assert page.evaluate("document.activeElement.checked")
    chosen = page.evaluate("document.activeElement.value")
    tab_to(page, "button[value=continue]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/step/3/$"))
    type_into(page, "[name=when_should_it_have_been_collected_0]", "2")
    type_into(page, "[name=when_should_it_have_been_collected_1]", "3")
    type_into(page, "[name=when_should_it_have_been_collected_2]", "2026")
    tab_to(page, "button[value=continue]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/step/4/$"))
    tab_to(page, "button[value=continue]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/contact/$"))
    type_into(page, "[name=name]", "Kim Keyboard")
    type_into(page, "[name=email]", "kim@example.com")
    tab_to(page, "[name=updates]")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked")
    tab_to(page, "button[value=continue]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/check/$"))
    assert chosen in page.locator("main").inner_text()
    tab_to(page, "main form button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/confirmation/$"))
    case = Case.objects.get()
    assert page.locator("#case-reference").inner_text() == case.display_reference
    assert case.resident.email == "kim@example.com"
    assert case.service.slug == "mk-missed-bin"
    assert not page.console_errors, page.console_errors


def test_staff_open_a_case_and_add_a_note_with_the_keyboard_only(page, demo):
    from services.actions import InboundMessage, ResidentDetails, intake
    from services.models import Service

    case = intake(
        InboundMessage(
            channel="web",
            body="Council tax bill question",
            summary="Council tax bill question",
            service=Service.objects.get(slug="general-enquiry"),
            postcode="MK9 3EJ",
            resident_details=ResidentDetails(
                name="Jo Bloggs", email="jo@example.com", postcode="MK9 3EJ"
            ),
            acknowledge=False,
            thread_to_open_case=False,
        )
    ).case
    set_password("agent@mk.example.org")

    page.goto("/accounts/login/?next=/desk/")
    type_into(page, "input[name=login]", "agent@mk.example.org")
    type_into(page, "input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^[^?]*/desk/$"))

    tab_to(page, f"a[href='/desk/cases/{case.reference}/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/desk/cases/{case.reference}/$"))

    tab_to(page, "#action-note summary")
    page.keyboard.press("Enter")  # opens the details
    assert page.evaluate("document.getElementById('action-note').open")
    type_into(page, "#action-note textarea", "Rang back by keyboard only")
    tab_to(page, "#action-note button[type=submit]")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(rf"/desk/cases/{case.reference}/$"))
    assert "Rang back by keyboard only" in page.locator(".portal-timeline").inner_text()
    assert case.timeline.filter(kind="note").exists()
    assert not page.console_errors, page.console_errors
