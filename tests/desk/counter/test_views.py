"""The counter's staff screens through the Django test client: permission, flows and hostile
input. (The public display and kiosk: ``tests/channels/counter/test_public.py``.)"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels.counter import queue
from channels.counter.models import Ticket, TicketEvent, TicketStatus
from services.models import Attachment, Case, Channel, Message, MessageStatus, Role, TimelineEvent
from tests.apply.conftest import EXE, PDF
from tests.channels.counter.conftest import called_ticket
from tests.factories import ResidentFactory, ServiceFactory, make_case, make_staff

pytestmark = pytest.mark.django_db

BASE = "/desk/counter/mk-shop/"


# --- Permission ---------------------------------------------------------------------------------


def test_anonymous_goes_to_sign_in(client, world):
    for url in (BASE, BASE + "issue/", "/desk/counter/", "/counter/mk-shop/kiosk/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


@pytest.mark.parametrize("who", ["nn_counter", "nn_supervisor", "mk_caseworker"])
def test_staff_of_another_office_get_403(client, world, who):
    ticket = called_ticket(world)
    client.force_login(getattr(world, who))
    for url in (
        BASE,
        BASE + "issue/",
        BASE + f"tickets/{ticket.pk}/",
        BASE + f"tickets/{ticket.pk}/receipt/",
        BASE + "figures/",
        "/counter/mk-shop/kiosk/",
    ):
        assert client.get(url).status_code == 403, url
    for url in (BASE + "next/", BASE + f"tickets/{ticket.pk}/do/no_show/", BASE + "issue/"):
        assert client.post(url, {"reason": world.bins.pk, "priority": 0}).status_code == 403, url
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
    assert Ticket.objects.count() == 1


def test_a_ticket_of_another_office_is_not_found(client, world):
    other = queue.issue_ticket(world.nn_counter, world.other_office, reason=world.bins)
    client.force_login(world.counter)
    assert client.get(BASE + f"tickets/{other.pk}/").status_code == 404
    assert client.post(BASE + f"tickets/{other.pk}/do/no_show/").status_code == 404


def test_figures_are_for_supervisors_of_the_council(client, world):
    client.force_login(world.counter)
    assert client.get(BASE + "figures/").status_code == 403
    client.force_login(world.mk_supervisor)
    response = client.get(BASE + "figures/")
    assert response.status_code == 200 and b"90th percentile" in response.content
    for junk in ("2026-13-45", "yesterday", "' OR 1=1 --", "9" * 500):
        assert client.get(BASE + "figures/", {"date": junk}).status_code == 200


def test_non_staff_user_cannot_use_the_counter(client, world):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/desk/counter/").status_code == 403
    assert client.get(BASE).status_code == 403


# --- Reception ----------------------------------------------------------------------------------


def test_issue_with_resident_found_by_postcode(staff_client, world):
    response = staff_client.get(BASE + "issue/", {"q": "mk93ej"})
    assert world.resident.name.encode() in response.content
    response = staff_client.post(
        BASE + "issue/",
        {"q": "mk93ej", "resident": world.resident.pk, "reason": world.tax.pk, "priority": 2},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.code, ticket.resident, ticket.reason, ticket.priority) == (
        "A001",
        world.resident,
        world.tax,
        2,
    )
    page = staff_client.get(response["Location"])
    assert b"A001" in page.content and b"Expected wait" in page.content


@pytest.mark.parametrize("query", ["Ada", "07400 123456", "+447400123456", "MK9 3EJ"], ids=str)
def test_resident_lookup_by_name_phone_postcode(staff_client, world, query):
    response = staff_client.get(BASE + "issue/", {"q": query})
    assert world.resident.name.encode() in response.content


def test_resident_lookup_by_reference_only_through_visible_cases(staff_client, world):
    visible = make_case(world.bin_service, world.resident)
    restricted_service = ServiceFactory(responsible_council=world.mkc, restricted=True)
    hidden_resident = ResidentFactory(name="Hidden Person")
    hidden = make_case(restricted_service, hidden_resident)
    response = staff_client.get(BASE + "issue/", {"q": visible.display_reference})
    assert b"Ada Lovelace" in response.content
    response = staff_client.get(BASE + "issue/", {"q": hidden.reference})
    assert b"Hidden Person" not in response.content
    # A mistyped check digit finds nobody rather than somebody else.
    wrong = visible.reference[:-1] + str((int(visible.reference[-1]) + 1) % 10)
    assert b"Ada Lovelace" not in staff_client.get(BASE + "issue/", {"q": wrong}).content


def test_issue_refuses_a_resident_the_search_did_not_find(staff_client, world):
    stranger = ResidentFactory(name="Somebody Else", postcode="NN1 1AA")
    response = staff_client.post(
        BASE + "issue/",
        {"q": "mk93ej", "resident": stranger.pk, "reason": world.bins.pk, "priority": 0},
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"reason": ""},
        {"reason": "999999"},
        {"reason": "abc"},
        {"reason": "1; DROP TABLE counter_ticket"},
        {"priority": "3"},  # "transferred" cannot be chosen at reception
        {"priority": "-1"},
        {"priority": "x" * 10_000},
        {"resident": "<script>alert(1)</script>"},
        {"resident": "1", "q": ""},  # no search, so no resident can be chosen
    ],
    ids=range(9),
)
def test_issue_hostile_input_is_refused(staff_client, world, overrides):
    data = {"reason": str(world.bins.pk), "priority": "0", **overrides}
    response = staff_client.post(BASE + "issue/", data)
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not Ticket.objects.exists()


def test_odd_search_text_breaks_nothing(staff_client, world):
    for query in ("\x00\ufeff" + "a" * 5000, "%", "_", "' OR '1'='1", "\u202e", "0" * 9, "MK"):
        assert staff_client.get(BASE + "issue/", {"q": query}).status_code == 200
    response = staff_client.post(
        BASE + "issue/", {"reason": world.bins.pk, "priority": 0, "q": "%_%"}
    )
    assert response.status_code == 302


def test_issue_refuses_a_reason_this_office_does_not_serve(staff_client, world):
    elsewhere = ServiceFactory(responsible_council=world.mkc)
    world.office.services.set([world.bin_service])
    response = staff_client.post(BASE + "issue/", {"reason": elsewhere.group.pk, "priority": 0})
    assert response.status_code == 400 and not Ticket.objects.exists()


def test_no_tickets_when_the_office_is_closed(staff_client, world):
    world.office.opening_hours.all().delete()
    page = staff_client.get(BASE + "issue/")
    assert b"The office is closed now" in page.content
    response = staff_client.post(BASE + "issue/", {"reason": world.bins.pk, "priority": 0})
    assert response.status_code == 409 and b"The office is closed now" in response.content
    kiosk = staff_client.post("/counter/mk-shop/kiosk/", {"reason": world.bins.pk})
    assert kiosk.status_code == 409
    assert not Ticket.objects.exists()


# --- The desk -----------------------------------------------------------------------------------


def test_call_next_needs_a_desk_then_calls(staff_client, world):
    queue.issue_ticket(world.counter, world.office, reason=world.bins)
    response = staff_client.post(BASE + "next/")
    assert response.status_code == 302 and response["Location"] == BASE
    assert Ticket.objects.get().status == TicketStatus.WAITING
    staff_client.post(BASE + "desk/", {"desk": world.desks[2].pk})
    response = staff_client.post(BASE + "next/")
    ticket = Ticket.objects.get()
    assert response["Location"] == BASE + f"tickets/{ticket.pk}/"
    assert ticket.status == TicketStatus.CALLED and ticket.desk == world.desks[2]
    # Nobody left: back to the queue with a message, not an error.
    assert staff_client.post(BASE + "next/")["Location"] == BASE


def test_sign_on_refuses_another_offices_desk(staff_client, world):
    staff_client.post(BASE + "desk/", {"desk": world.other_desk.pk})
    world.other_desk.refresh_from_db()
    assert world.other_desk.staffed_by is None


def test_serve_shows_resident_and_only_visible_cases(staff_client, world):
    ticket = called_ticket(world, resident=world.resident)
    mine = make_case(world.bin_service, world.resident, summary="Bins not emptied")
    ncc_service = ServiceFactory(responsible_council=world.ncc)
    theirs = make_case(ncc_service, world.resident, summary="Secret county matter")
    page = staff_client.get(BASE + f"tickets/{ticket.pk}/")
    assert page.status_code == 200
    assert b"Ada Lovelace" in page.content
    assert mine.display_reference.encode() in page.content
    assert theirs.display_reference.encode() not in page.content
    # Nor can a hostile POST add a note to a case the user cannot see.
    response = staff_client.post(
        BASE + f"tickets/{ticket.pk}/note/", {"note-case": theirs.reference, "note-note": "hi"}
    )
    assert response.status_code == 400
    assert not TimelineEvent.objects.filter(case=theirs, kind="note").exists()


def test_lifecycle_through_the_views(staff_client, world):
    ticket = called_ticket(world)
    url = BASE + f"tickets/{ticket.pk}/do/"
    assert staff_client.post(url + "start/").status_code == 302
    assert staff_client.post(url + "start/").status_code == 302  # double click
    assert staff_client.post(url + "explode/").status_code == 404
    assert staff_client.get(url + "finish/").status_code == 405
    staff_client.post(url + "finish/")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SERVED
    response = staff_client.post(url + "no_show/", follow=True)
    assert b"Only a called ticket" in response.content
    assert TicketEvent.objects.filter(ticket=ticket, kind="no_show").count() == 0


def test_transfer_through_the_view_refuses_tampering(staff_client, world):
    ticket = called_ticket(world)
    url = BASE + f"tickets/{ticket.pk}/transfer/"
    assert staff_client.post(url, {}).status_code == 400
    assert staff_client.post(url, {"desk": world.other_desk.pk}).status_code == 400
    assert staff_client.post(url, {"to_user": world.nn_counter.pk}).status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
    assert staff_client.post(url, {"desk": world.desks[1].pk}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING and ticket.for_desk == world.desks[1]


def test_link_resident_only_from_the_search(staff_client, world):
    ticket = called_ticket(world)
    stranger = ResidentFactory(name="Somebody Else", postcode="NN1 1AA")
    staff_client.post(BASE + f"tickets/{ticket.pk}/link/", {"q": "Ada", "resident": stranger.pk})
    ticket.refresh_from_db()
    assert ticket.resident is None
    staff_client.post(
        BASE + f"tickets/{ticket.pk}/link/", {"q": "Ada", "resident": world.resident.pk}
    )
    ticket.refresh_from_db()
    assert ticket.resident == world.resident


def test_note_and_scanned_document_go_onto_the_case(staff_client, world):
    ticket = called_ticket(world, resident=world.resident)
    case = make_case(world.bin_service, world.resident)
    response = staff_client.post(
        BASE + f"tickets/{ticket.pk}/note/",
        {"note-case": case.reference, "note-note": "Brought the letter in"},
    )
    assert response.status_code == 302
    assert TimelineEvent.objects.filter(case=case, kind="note", body__contains="letter").exists()
    evil = SimpleUploadedFile("letter.pdf", EXE, content_type="application/pdf")
    response = staff_client.post(
        BASE + f"tickets/{ticket.pk}/document/", {"doc-case": case.reference, "doc-document": evil}
    )
    assert response.status_code == 400 and not Attachment.objects.exists()
    scan = SimpleUploadedFile("scan.jpg", PDF, content_type="image/jpeg")
    response = staff_client.post(
        BASE + f"tickets/{ticket.pk}/document/", {"doc-case": case.reference, "doc-document": scan}
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.case == case and attachment.content_type == "application/pdf"
    assert attachment.filename == "scan.pdf"
    assert set(ticket.cases.all()) == {case}


def test_simple_case_and_receipt_by_sms(staff_client, world, outbox):
    ticket = called_ticket(world, resident=world.resident)
    url = BASE + f"tickets/{ticket.pk}/case/{world.bin_service.pk}/"
    assert staff_client.post(url, {"summary": "", "description": ""}).status_code == 400
    response = staff_client.post(url, {"summary": "Bin missed", "description": "Twice now"})
    assert response["Location"] == BASE + f"tickets/{ticket.pk}/receipt/"
    case = Case.objects.get(summary="Bin missed")
    assert case.origin_channel == Channel.COUNTER and case.resident == world.resident
    receipt = staff_client.get(response["Location"])
    assert case.display_reference.encode() in receipt.content and b"/track/" in receipt.content
    staff_client.post(response["Location"], {"case": case.reference, "channel": "sms"})
    sent = Message.objects.get(case=case, kind="receipt")
    assert sent.channel == "sms" and sent.status != MessageStatus.SUPPRESSED
    assert case.display_reference in sent.body or case.reference in sent.body
    # A receipt for a case not raised in this visit is refused.
    other = make_case(world.bin_service, world.resident)
    assert (
        staff_client.post(
            response["Location"], {"case": other.reference, "channel": "sms"}
        ).status_code
        == 400
    )
    assert (
        staff_client.post(
            response["Location"], {"case": case.reference, "channel": "fax"}
        ).status_code
        == 400
    )


# --- Assisted digital ---------------------------------------------------------------------------


@pytest.fixture
def apply_world(db, settings):
    from channels.counter.models import Desk
    from services.models import Council, Office
    from tests.apply.site import build_site
    from tests.channels.counter.conftest import open_all_week

    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    build_site()
    office = Office.objects.get(slug="mk-civic-one-stop-shop")
    open_all_week(office)
    user = make_staff(Council.objects.get(code="MKC"), role=Role.COUNTER, office=office)
    desk = Desk.objects.create(office=office, number=1)
    queue.sign_on(user, desk)
    return office, user, desk


BIN_ANSWERS = {
    "postcode_of_the_property": "MK9 3EJ",
    "address_of_the_property": "1 High Street",
    "which_collection_was_missed": "Recycling",
    "when_should_it_have_been_collected_0": "2",
    "when_should_it_have_been_collected_1": "3",
    "when_should_it_have_been_collected_2": "2026",
}


def test_assisted_application_files_a_counter_case_once(client, apply_world):
    from portal.apply.models import ApplyPage

    office, user, desk = apply_world
    client.force_login(user)
    ticket = queue.issue_ticket(user, office, reason=None)
    queue.call_next(user, desk)
    page = ApplyPage.objects.get(url_path__endswith="/report-a-missed-bin-collection/report/")
    serve = client.get(f"/desk/counter/{office.slug}/tickets/{ticket.pk}/")
    url = f"/desk/counter/{office.slug}/tickets/{ticket.pk}/apply/{page.pk}/"
    assert url.encode() in serve.content
    form = client.get(url)
    assert b"Which collection was missed?" in form.content and b"Full name" in form.content
    key = uuid.uuid4().hex
    visitor = {"visitor-name": "Walk In", "visitor-phone": "07400 555111", "key": key}
    bad = client.post(url, {**BIN_ANSWERS, **visitor, "postcode_of_the_property": "NOT A CODE"})
    assert bad.status_code == 400 and not Case.objects.exists()
    assert client.post(url, {**BIN_ANSWERS, **visitor, "key": "../../etc"}).status_code == 403
    response = client.post(url, {**BIN_ANSWERS, **visitor})
    assert response.status_code == 302
    again = client.post(url, {**BIN_ANSWERS, **visitor})  # double click: same key
    assert again.status_code == 302
    case = Case.objects.get()
    assert case.origin_channel == Channel.COUNTER
    assert case.answers["Which collection was missed?"] == "Recycling"
    assert case.resident.name == "Walk In" and case.resident.phone == "+447400555111"
    ticket.refresh_from_db()
    assert ticket.resident == case.resident and list(ticket.cases.all()) == [case]
    receipt = client.get(response["Location"])
    assert case.display_reference.encode() in receipt.content


def test_assisted_refuses_a_page_id_that_is_not_an_apply_page(client, apply_world):
    office, user, desk = apply_world
    client.force_login(user)
    ticket = queue.issue_ticket(user, office, reason=None)
    for page_id in (1, 2, 999999):
        assert (
            client.get(
                f"/desk/counter/{office.slug}/tickets/{ticket.pk}/apply/{page_id}/"
            ).status_code
            == 404
        )
