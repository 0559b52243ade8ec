"""Every resident and desk page type, in English and in Urdu, checked in Chromium.

On each page: ``<html lang dir>`` matches the language, axe-core finds no WCAG 2.2 A/AA or
best-practice violation, and the page does not scroll sideways at 320 CSS pixels (WCAG 1.4.10)
nor at 640 (a 1280 pixel screen at 200% zoom). Pages with forms are also checked in their
error state. Problems are collected and reported together, each under its URL, so one run shows
everything that needs fixing.

Pages are found by field names, ids and URLs, never by English wording, so the tests still
pass once the Urdu catalogue is translated.

Deliberately not visited (not HTML pages of their own, or not ours):

* POST-only actions that redirect to a page that is checked (``/desk/next/``, case note,
  assign, transfer, status, reply, merge, refer; resident merge; counter sign on/off, call next,
  ticket actions, transfer, link, note, document; calls take, wrap-up, call-back attempt);
* downloads and data: ``/my/data/`` (JSON), case and track attachments, ``panel.json``,
  ``display.json``, ``/desk/search/suggest/``, ``/desk/dashboards/<table>.csv``,
  ``/how-we-are-doing/data.csv`` and ``data.json``, ``sitemap.xml``, ``robots.txt``,
  ``healthz``; the webhooks under ``/channels/``;
* ``/admin/``: the Wagtail admin is Wagtail's own interface (it has its own accessibility
  checks) and editors only;
* apply-online pages that only some journeys reach and that share the question/notice layout
  checked here (save and come back later, saved, resume expired, rate limited, rejected,
  elsewhere, which council): ``apply/layout.html`` is checked through the question, contact,
  check-answers and confirmation steps.
"""

import re

import pytest
from django.contrib.auth import get_user_model

from tests.browser.conftest import (
    OFFICE,
    PASSWORD,
    Audit,
    english,
    set_password,
    sign_in,
    use_language,
)

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["en", "ur"]


def _submit(page, form: str = "main form[method=post]") -> None:
    """Press the form's first submit button and wait for the next page."""
    page.locator(form).first.locator("button[type=submit]").first.click()
    page.wait_for_load_state()


def _resident_pages(page, audit: Audit) -> None:
    from portal.apply.models import ApplyPage
    from portal.pages.models import (
        CouncilPage,
        OfficeIndexPage,
        OfficePage,
        ServicePage,
        StandardPage,
        TopicPage,
    )

    page.goto("/")
    audit.check(page, "home")
    for label, model in [
        ("council", CouncilPage),
        ("topic", TopicPage),
        ("office index", OfficeIndexPage),
        ("office", OfficePage),
    ]:
        page.goto(english(model).first().url)
        audit.check(page, label)
    page.goto(english(ServicePage).get(slug="report-a-missed-bin-collection").url)
    audit.check(page, "service")
    page.goto(english(StandardPage).get(slug="accessibility-statement").url)
    audit.check(page, "standard page: accessibility statement")

    page.goto("/search/?q=bin")
    audit.check(page, "site search, results")
    page.goto("/search/?q=qqqxyzzy")
    audit.check(page, "site search, no results")

    page.goto("/how-we-are-doing/")
    audit.check(page, "how we are doing")
    page.goto("/how-we-are-doing/?to=March")
    audit.check(page, "how we are doing, error")
    page.goto("/how-we-are-doing/equality/")
    audit.check(page, "equality questionnaire")
    page.goto("/how-we-are-doing/equality/thanks/")
    audit.check(page, "equality thanks")
    page.goto("/how-we-are-doing/equality/results/")
    audit.check(page, "equality results")

    page.goto(f"/counter/{OFFICE}/display/")
    audit.check(page, "counter display")
    page.goto(f"/counter/{OFFICE}/kiosk/")
    audit.check(page, "counter kiosk")
    _submit(page)
    audit.check(page, "counter kiosk, error")

    page.goto("/no-such-page-here/")
    audit.check(page, "404")

    # Apply online, start to confirmation, with the error states.
    apply_page = english(ApplyPage).get(slug="report", title__icontains="missed bin")
    page.goto(apply_page.url)
    audit.check(page, "apply: start page")
    page.goto(apply_page.url + "step/1/")
    audit.check(page, "apply: question step")
    _submit(page)
    audit.check(page, "apply: question step, error")
    page.locator("[name=postcode_of_the_property]").fill("MK9 3EJ")
    page.locator("[name=address_of_the_property]").fill("1 Saxon Gate East")
    _submit(page)
    page.wait_for_url(re.compile(r"/step/2/$"))
    audit.check(page, "apply: radios step")
    page.locator("[name=which_collection_was_missed]").first.check()
    _submit(page)
    page.wait_for_url(re.compile(r"/step/3/$"))
    _submit(page)
    audit.check(page, "apply: date step, error")
    page.locator("[name=when_should_it_have_been_collected_0]").fill("2")
    page.locator("[name=when_should_it_have_been_collected_1]").fill("3")
    page.locator("[name=when_should_it_have_been_collected_2]").fill("2026")
    _submit(page)
    page.wait_for_url(re.compile(r"/step/4/$"))
    _submit(page)
    page.wait_for_url(re.compile(r"/contact/$"))
    audit.check(page, "apply: contact details")
    _submit(page)
    audit.check(page, "apply: contact details, error")
    page.locator("[name=name]").fill("Sam Resident")
    page.locator("[name=email]").fill("sam@example.com")
    page.locator("[name=updates][value=email]").check()
    _submit(page)
    page.wait_for_url(re.compile(r"/check/$"))
    audit.check(page, "apply: check answers")
    _submit(page)
    page.wait_for_url(re.compile(r"/confirmation/$"))
    audit.check(page, "apply: confirmation")
    reference = page.locator("#case-reference").inner_text()

    # Track a case: the form, its error state, and the case found.
    page.context.clear_cookies(name="sessionid")
    page.goto("/track/")
    audit.check(page, "track: form")
    _submit(page)
    audit.check(page, "track: error")
    page.locator("[name=reference]").fill(reference)
    page.locator("[name=contact]").fill("sam@example.com")
    _submit(page)
    page.wait_for_url(re.compile(r"/track/\d{9}/$"))
    audit.check(page, "track: case")

    # Accounts.
    page.goto("/accounts/signup/")
    audit.check(page, "sign up")
    _submit(page)
    audit.check(page, "sign up, error")
    page.goto("/accounts/login/")
    audit.check(page, "sign in")
    _submit(page)
    audit.check(page, "sign in, error")
    sign_in(page, "rosa@example.com", PASSWORD, "/my/cases/")
    page.wait_for_url(re.compile(r"^[^?]*/my/cases/$"))
    audit.check(page, "my cases")
    page.goto("/my/details/")
    audit.check(page, "my details")
    page.locator("[name=phone]").fill("not a phone number")
    _submit(page)
    audit.check(page, "my details, error")


@pytest.mark.parametrize("language", LANGUAGES)
def test_resident_pages(
    chromium, live_server, demo, resident_account, counter_open, settings, language
):
    from reports import figures

    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    figures.rebuild()
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    use_language(context, live_server.url, language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    audit = Audit(language)
    try:
        _resident_pages(page, audit)
    finally:
        context.close()
    audit.assert_clean()


def _desk_pages(page, audit: Audit) -> None:
    from channels.counter import queue
    from channels.counter.models import Desk
    from channels.voice.actions import start_desk_call
    from services.actions import InboundMessage, ResidentDetails, intake
    from services.models import Case, Office, Service

    user = get_user_model().objects.get(email="supervisor@mk.example.org")
    for n, (summary, email) in enumerate(
        [("Council tax bill question", "jo@example.com"), ("Parking permit", "sam@example.com")]
    ):
        intake(
            InboundMessage(
                channel="web",
                body=summary,
                summary=summary,
                service=Service.objects.get(slug="general-enquiry"),
                postcode="MK9 3EJ",
                resident_details=ResidentDetails(
                    name=f"Jo Bloggs {n}", email=email, postcode="MK9 3EJ", phone="07700900982"
                ),
                acknowledge=False,
                thread_to_open_case=False,
            )
        )
    case = Case.objects.order_by("pk").first()
    office = Office.objects.get(slug=OFFICE)

    sign_in(page, user.email, PASSWORD, "/desk/")
    page.wait_for_url(re.compile(r"^[^?]*/desk/$"))
    audit.check(page, "queue")
    page.goto("/desk/?status=open&channel=web&assigned=unassigned")
    audit.check(page, "queue, filtered")
    page.goto("/desk/?status=closed&council=NCC")
    audit.check(page, "queue, filtered to nothing")
    page.goto(f"/desk/cases/{case.reference}/")
    audit.check(page, "case")
    page.locator("#action-note summary").click()
    page.locator("#action-note button[type=submit]").click()
    page.wait_for_load_state()
    audit.check(page, "case, note error")
    page.goto(f"/desk/residents/{case.resident_id}/")
    audit.check(page, "resident")
    page.goto("/desk/supervisor/")
    audit.check(page, "supervisor: queue health")
    page.goto("/desk/search/?q=bloggs")
    audit.check(page, "desk search, results")
    page.goto("/desk/search/?q=qqqxyzzy")
    audit.check(page, "desk search, no results")
    page.goto("/desk/dashboards/")
    audit.check(page, "dashboards")
    page.goto("/desk/simulator/")
    audit.check(page, "channel simulator")

    page.goto("/desk/calls/")
    audit.check(page, "calls panel")
    page.goto("/desk/calls/simulate/")
    audit.check(page, "calls: simulate a call")
    page.goto("/desk/calls/log/")
    audit.check(page, "calls: log a desk call")
    _submit(page)
    audit.check(page, "calls: log a desk call, error")
    page.goto("/desk/calls/callbacks/")
    audit.check(page, "calls: call-backs")
    call = start_desk_call(user, phone="+447700900982")
    page.goto(f"/desk/calls/{call.pk}/")
    audit.check(page, "calls: screen pop and wrap-up")

    page.goto("/desk/counter/")
    audit.check(page, "counter: offices")
    page.goto(f"/desk/counter/{OFFICE}/")
    audit.check(page, "counter: office queue")
    page.goto(f"/desk/counter/{OFFICE}/issue/?q=bloggs")
    audit.check(page, "counter: issue a ticket")
    _submit(page, "main form[method=post]")
    audit.check(page, "counter: issue a ticket, error")
    page.goto(f"/desk/counter/{OFFICE}/figures/")
    audit.check(page, "counter: figures")
    ticket = queue.issue_ticket(user, office, reason=None, check_hours=False)
    page.goto(f"/desk/counter/{OFFICE}/tickets/{ticket.pk}/issued/")
    audit.check(page, "counter: ticket issued")
    desk = Desk.objects.filter(office=office, active=True).first()
    queue.sign_on(user, desk)
    queue.call_next(user, desk)
    page.goto(f"/desk/counter/{OFFICE}/tickets/{ticket.pk}/")
    audit.check(page, "counter: serving a visitor")
    page.goto(f"/desk/counter/{OFFICE}/tickets/{ticket.pk}/find/?q=bloggs")
    audit.check(page, "counter: find the visitor")
    from portal.apply.models import ApplyPage

    apply_page = english(ApplyPage).get(slug="report", title__icontains="missed bin")
    page.goto(f"/desk/counter/{OFFICE}/tickets/{ticket.pk}/apply/{apply_page.pk}/")
    audit.check(page, "counter: assisted application")
    _submit(page)
    audit.check(page, "counter: assisted application, error")
    service = Service.objects.get(slug="general-enquiry")
    page.goto(f"/desk/counter/{OFFICE}/tickets/{ticket.pk}/case/{service.pk}/")
    audit.check(page, "counter: simple case")
    page.goto(f"/desk/counter/{OFFICE}/tickets/{ticket.pk}/receipt/")
    audit.check(page, "counter: receipt")


@pytest.mark.parametrize("language", LANGUAGES)
def test_desk_pages(chromium, live_server, demo, counter_open, language):
    from reports import figures

    set_password("supervisor@mk.example.org")
    figures.rebuild()
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 900}
    )
    use_language(context, live_server.url, language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    audit = Audit(language)
    try:
        _desk_pages(page, audit)
    finally:
        context.close()
    audit.assert_clean()


# Everything that moves: elements and pseudo-elements with a transition or an animation.
MOVING_JS = """() => {
    const moving = [];
    const seconds = (value) => Math.max(...value.split(',').map((v) => parseFloat(v) || 0));
    for (const el of document.querySelectorAll('*')) {
        for (const pseudo of [null, '::before', '::after']) {
            const s = getComputedStyle(el, pseudo);
            if (seconds(s.transitionDuration) > 0 || (s.animationName !== 'none'
                    && seconds(s.animationDuration) > 0)) {
                moving.push(el.tagName.toLowerCase() + (pseudo || '') + '.' + el.className);
            }
        }
    }
    return moving;
}"""


def test_nothing_moves_when_reduced_motion_is_asked_for(page, demo):
    """With ``prefers-reduced-motion: reduce`` no transition or animation runs anywhere.

    Without it GOV.UK Frontend has a few short transitions; the same pages must have none.
    """
    from portal.pages.models import ServicePage

    set_password("supervisor@mk.example.org")
    urls = ["/", english(ServicePage).get(slug="report-a-missed-bin-collection").url]
    moving_by_default = []
    for url in urls:
        page.goto(url)
        moving_by_default += page.evaluate(MOVING_JS)
    page.emulate_media(reduced_motion="reduce")
    for url in [*urls, "/how-we-are-doing/"]:
        page.goto(url)
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        assert page.evaluate(MOVING_JS) == [], url
    sign_in(page, "supervisor@mk.example.org", PASSWORD, "/desk/")
    page.wait_for_url(re.compile(r"^[^?]*/desk/$"))
    assert page.evaluate(MOVING_JS) == []
    # Say what the setting switched off, so the test cannot pass by measuring nothing.
    print(f"moving without reduced motion: {sorted(set(moving_by_default))}")


def test_desk_tags_say_in_words_what_their_colour_means(page, demo):
    """SLA states, statuses and channels on the queue and case pages are words, and each
    tag colour goes with one wording, so colour is never the only signal (WCAG 1.4.1)."""
    from django.utils import timezone

    from services.actions import InboundMessage, ResidentDetails, intake
    from services.models import Case, Service

    cases = [
        intake(
            InboundMessage(
                channel=channel,
                body=summary,
                summary=summary,
                service=Service.objects.get(slug="general-enquiry"),
                postcode="MK9 3EJ",
                resident_details=ResidentDetails(
                    name="Jo Bloggs", email=f"jo{n}@example.com", postcode="MK9 3EJ"
                ),
                acknowledge=False,
                thread_to_open_case=False,
            )
        ).case
        for n, (channel, summary) in enumerate(
            [("web", "On time"), ("email", "Late"), ("web", "Nearly late")]
        )
    ]
    now = timezone.now()
    Case.objects.filter(pk=cases[1].pk).update(due_at=now - timezone.timedelta(days=2))
    Case.objects.filter(pk=cases[2].pk).update(due_at=now + timezone.timedelta(minutes=30))
    set_password("supervisor@mk.example.org")
    sign_in(page, "supervisor@mk.example.org", PASSWORD, "/desk/")
    page.wait_for_url(re.compile(r"^[^?]*/desk/$"))

    tags = page.locator("main .govuk-tag").all()
    assert len(tags) >= 3
    wording_by_colour: dict[str, set[str]] = {}
    for tag in tags:
        text = tag.inner_text().strip()
        assert text, f"a tag with no words: {tag.evaluate('(el) => el.outerHTML')}"
        colour = tag.evaluate("(el) => getComputedStyle(el).backgroundColor")
        wording_by_colour.setdefault(colour, set()).add(text)
    assert len(wording_by_colour) >= 3, wording_by_colour  # on track, at risk, missed
    texts = [t for words in wording_by_colour.values() for t in words]
    assert len(texts) == len(set(texts)), f"one wording in two colours: {wording_by_colour}"
    rows = page.locator("main table tbody tr")
    for row in rows.all():
        cells = [c.strip() for c in row.locator("td").all_inner_texts()]
        assert all(cells[:3]), cells  # reference, summary with service and channel, status
    # The channel is written out in each row, whatever the language.
    row_text = page.locator("main table").inner_text()
    assert "Email" in row_text and "Web" in row_text

    page.goto(f"/desk/cases/{cases[1].reference}/")
    assert page.locator("#case-status").inner_text().strip()
    assert page.locator("main .govuk-tag").first.inner_text().strip()
