"""Urdu is written right to left: the layout follows, checked by geometry in Chromium.

GOV.UK Frontend lays its components out with physical left and right, so the mirroring lives in
``portal/static/portal/scss/_components.scss``. These tests measure where things actually are:
text starts at the right, chevrons and arrows point the way the page reads, radios and
checkboxes sit at the right with their labels to their left, and telephone numbers, email
addresses, postcodes and references stay left to right. Elements are found by id, name and
class, never by wording, so the tests hold once the Urdu catalogue is translated.
"""

import re

import pytest

from tests.browser.conftest import PASSWORD, english, screenshot, sign_in, use_language

pytestmark = pytest.mark.django_db(transaction=True)

MISSED_BIN = "report-a-missed-bin-collection"

# Where an element's text (not its box) starts and ends: a Range around its contents.
TEXT_BOX_JS = """(el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const box = range.getBoundingClientRect();
    return {left: box.left, right: box.right, top: box.top, bottom: box.bottom};
}"""

# Each line of an element's text: the left and right ends of what is written on it.
LINES_JS = """(el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const lines = new Map();
    for (const r of range.getClientRects()) {
        if (r.width < 1) continue;
        const key = Math.round(r.top + r.height / 2);
        const line = [...lines.keys()].find((k) => Math.abs(k - key) < 4);
        const at = line === undefined ? key : line;
        const seen = lines.get(at) || {left: Infinity, right: -Infinity};
        lines.set(at, {left: Math.min(seen.left, r.left), right: Math.max(seen.right, r.right)});
    }
    return [...lines.values()];
}"""


# Which way a GOV.UK chevron points. The chevron is a box with only its top and right borders,
# turned by a CSS transform: unturned it points up and to the right, (1, -1) on screen, so the
# transformed x of that vector says left or right.
CHEVRON_JS = """(el) => {
    const style = getComputedStyle(el, '::before');
    const m = new DOMMatrixReadOnly(style.transform === 'none' ? undefined : style.transform);
    const x = m.a * 1 + m.c * -1;
    return x > 0.1 ? 'right' : x < -0.1 ? 'left' : 'none';
}"""

# Which way a GOV.UK arrow icon (drawn pointing right or left) is flipped.
FLIP_JS = """(el) => {
    const style = getComputedStyle(el);
    return new DOMMatrixReadOnly(style.transform === 'none' ? undefined : style.transform).a;
}"""


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found, f"{locator} is not on the page"
    return {**found, "right": found["x"] + found["width"], "left": found["x"]}


def text_box(locator) -> dict:
    return locator.evaluate(TEXT_BOX_JS)


def pseudo_offsets(locator) -> tuple[float, float]:
    """The ::before's distance from its box's left and right edges (resolved, in px)."""
    left, right = locator.evaluate(
        "(el) => [getComputedStyle(el, '::before').left, getComputedStyle(el, '::before').right]"
    )
    return float(left.removesuffix("px")), float(right.removesuffix("px"))


def assert_drawn_at_the_right(locator) -> None:
    left, right = pseudo_offsets(locator)
    assert right < left, f"::before is {left}px from the left and {right}px from the right"


@pytest.fixture
def urdu(chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="ur-PK"
    )
    use_language(context, live_server.url, "ur")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def assert_starts_at_the_right(page, selector: str) -> None:
    """Every line of the element's text ends at the right edge of its box (the start of an
    Urdu line), and at least one line leaves room on its left: right-aligned, not justified
    or left-aligned."""
    element = page.locator(selector).first
    column = box(element)
    lines = element.evaluate(LINES_JS)
    assert lines, selector
    for line in lines:
        assert abs(column["right"] - line["right"]) <= 2, (selector, column, lines)
    assert max(line["left"] for line in lines) > column["left"] + 20, (selector, column, lines)


def test_service_page_reads_from_the_right(urdu, demo):
    from portal.pages.models import ServicePage

    page = urdu
    page.goto(english(ServicePage).get(slug=MISSED_BIN).url)
    html = page.locator("html")
    assert html.get_attribute("lang") == "ur"
    assert html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"

    assert_starts_at_the_right(page, "main h1")
    assert_starts_at_the_right(page, "main p.govuk-body-l, main .govuk-body")

    # Breadcrumbs run from the right: home first, at the right; the chevrons point left.
    crumbs = page.locator(".govuk-breadcrumbs__list-item")
    assert crumbs.count() >= 2
    first, second = box(crumbs.nth(0)), box(crumbs.nth(1))
    assert first["left"] > second["left"]
    assert first["right"] > box(page.locator("main"))["right"] - 40
    assert crumbs.nth(1).evaluate(CHEVRON_JS) == "left"

    # The start button's arrow points left and comes after (to the left of) its words.
    start = page.locator("a.govuk-button--start").first
    icon = start.locator(".govuk-button__start-icon")
    assert icon.evaluate(FLIP_JS) == -1
    assert box(icon)["right"] <= text_box(start)["right"] - 20

    # Telephone numbers and email addresses in the page stay left to right.
    for link in page.locator("main a[href^='tel:'], main a[href^='mailto:']").all():
        assert link.evaluate("(el) => getComputedStyle(el).direction") == "ltr"

    screenshot(page, "rtl-1-service-page-urdu")


def test_apply_steps_are_mirrored_and_contact_details_stay_left_to_right(urdu, demo, settings):
    from portal.apply.models import ApplyPage

    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    page = urdu
    apply_page = english(ApplyPage).get(slug="report", title__icontains="missed bin")
    page.goto(apply_page.url + "step/1/")
    main = box(page.locator("main"))

    # Postcode: typed left to right whatever the page.
    postcode = page.locator("[name=postcode_of_the_property]")
    assert postcode.evaluate("(el) => getComputedStyle(el).direction") == "ltr"
    # The label starts at the right, the input sits at the right.
    label = page.locator("label[for=id_postcode_of_the_property]")
    assert abs(text_box(label)["right"] - main["right"]) <= 20
    assert abs(box(postcode)["right"] - main["right"]) <= 20
    postcode.fill("MK9 3EJ")
    page.locator("[name=address_of_the_property]").fill("1 Saxon Gate East")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/2/$"))

    # The back link: at the right, its chevron pointing right (backwards in Urdu).
    back = page.locator(".govuk-back-link")
    assert back.evaluate(CHEVRON_JS) == "right"
    padding = back.evaluate(
        "(el) => [getComputedStyle(el).paddingLeft, getComputedStyle(el).paddingRight]"
    )
    assert float(padding[1].removesuffix("px")) > float(padding[0].removesuffix("px"))
    assert_drawn_at_the_right(back)

    # Radios: each control at the right of its row, its label to its left, the drawn circle
    # over the control.
    items = page.locator(".govuk-radios__item")
    assert items.count() == 4
    for i in range(items.count()):
        item = items.nth(i)
        control = box(item.locator("input"))
        label = item.locator("label")
        assert abs(control["right"] - box(item)["right"]) <= 1
        assert box(label)["right"] <= control["left"] + 1
        assert_drawn_at_the_right(label)
    screenshot(page, "rtl-2-apply-radios-urdu")
    items.first.locator("input").check()
    page.locator("main form button[type=submit]").first.click()

    # The date: day, month, year from the right.
    page.wait_for_url(re.compile(r"/step/3/$"))
    day = box(page.locator("[name=when_should_it_have_been_collected_0]"))
    month = box(page.locator("[name=when_should_it_have_been_collected_1]"))
    year = box(page.locator("[name=when_should_it_have_been_collected_2]"))
    assert day["left"] > month["left"] > year["left"], (day, month, year)
    page.locator("[name=when_should_it_have_been_collected_0]").fill("2")
    page.locator("[name=when_should_it_have_been_collected_1]").fill("3")
    page.locator("[name=when_should_it_have_been_collected_2]").fill("2026")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/4/$"))
    page.locator("main form button[type=submit]").first.click()

    # Contact details: email and telephone fields stay left to right.
    page.wait_for_url(re.compile(r"/contact/$"))
    for name in ("email", "phone"):
        field = page.locator(f"[name={name}]")
        assert field.evaluate("(el) => getComputedStyle(el).direction") == "ltr", name
    page.locator("[name=name]").fill("Sam Resident")
    page.locator("[name=email]").fill("sam@example.com")
    page.locator("[name=phone]").fill("07400 123456")
    page.locator("[name=updates][value=both]").check()
    # The buttons start at the right edge of the column, as the fields do.
    button = box(page.locator("button[value=continue]"))
    assert abs(button["right"] - box(page.locator("[name=email]"))["right"]) <= 2
    screenshot(page, "rtl-3-apply-contact-urdu")
    page.locator("main form button[type=submit]").first.click()

    # Check answers: keys at the right, values to their left; the postcode, email and
    # telephone number are isolated left to right, so their digits keep their order.
    page.wait_for_url(re.compile(r"/check/$"))
    row = page.locator(".govuk-summary-list__row").first
    assert (
        box(row.locator(".govuk-summary-list__key"))["left"]
        > box(row.locator(".govuk-summary-list__value"))["left"]
    )
    main_text = page.locator("main")
    for value in ("MK9 3EJ", "sam@example.com", "+447400123456"):
        element = main_text.locator("bdi, [dir=ltr]").filter(has_text=value).first
        assert element.evaluate("(el) => getComputedStyle(el).direction") == "ltr", value
        assert element.evaluate("(el) => getComputedStyle(el).unicodeBidi") == "isolate", value
    screenshot(page, "rtl-4-check-answers-urdu")
    page.locator("main form button[type=submit]").first.click()

    # The reference, digits in groups, stays left to right.
    page.wait_for_url(re.compile(r"/confirmation/$"))
    reference = page.locator("#case-reference")
    assert reference.get_attribute("dir") == "ltr"
    assert re.fullmatch(r"\d{3} \d{3} \d{3}", reference.inner_text())


def test_checkboxes_sit_at_the_right(urdu, resident_account):
    page = urdu
    sign_in(page, resident_account.email, PASSWORD, "/my/details/")
    page.wait_for_url(re.compile(r"^[^?]*/my/details/$"))
    items = page.locator(".govuk-checkboxes__item")
    assert items.count() >= 1
    for i in range(items.count()):
        item = items.nth(i)
        control = box(item.locator("input"))
        # Small checkboxes stick out by 10px, on the right in Urdu as on the left in English.
        assert 0 <= control["right"] - box(item)["right"] <= 10
        assert box(item.locator("label"))["right"] <= control["left"] + 1
        assert_drawn_at_the_right(item.locator("label"))
    assert page.locator("[name=phone]").evaluate("(el) => getComputedStyle(el).direction") == "ltr"


def test_search_pagination_arrows_point_the_way_the_page_reads(urdu, demo):
    page = urdu
    prev = page.locator(".govuk-pagination__prev")
    nxt = page.locator(".govuk-pagination__next")
    for query in ("council", "report", "a"):
        page.goto(f"/search/?q={query}&page=2")
        if prev.count() and nxt.count():
            break
    else:
        pytest.fail("no search has a second page with a next page")
    # "Previous" at the right, "next" at the left.
    assert box(prev)["left"] > box(nxt)["left"]
    prev_icon, next_icon = prev.locator("svg"), nxt.locator("svg")
    assert prev_icon.evaluate(FLIP_JS) == -1 and next_icon.evaluate(FLIP_JS) == -1
    # The previous arrow (drawn pointing left, flipped: right) is at the right of its words;
    # the next arrow (drawn pointing right, flipped: left) is at the left of its words.
    assert box(prev_icon)["left"] >= box(prev.locator(".govuk-pagination__link-title"))["right"]
    assert box(next_icon)["right"] <= box(nxt.locator(".govuk-pagination__link-title"))["left"]
