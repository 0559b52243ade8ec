"""A resident applies online: steps, errors, check answers, confirmation, one case per application."""

import pytest

from services.models import Case, Channel, Message
from tests.apply.conftest import BIN_URL, CONTACT, fill_bin_form

pytestmark = pytest.mark.django_db


def test_service_page_links_to_its_apply_page(client, bin_page):
    response = client.get("/bins-and-recycling/report-a-missed-bin-collection/")
    assert f'href="{BIN_URL}"' in response.text


def test_full_application_files_one_routed_acknowledged_case(
    client, bin_page, outbox, django_capture_on_commit_callbacks
):
    response = fill_bin_form(client)
    assert response["Location"].endswith("/check/")
    check = client.get(BIN_URL + "check/")
    assert "Recycling" in check.text and "2 March 2026" in check.text
    assert (
        'href="/bins-and-recycling/report-a-missed-bin-collection/report/step/3/?change=1#id_when_should_it_have_been_collected_0"'
        in check.text
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BIN_URL + "check/")
    assert response["Location"].endswith("/confirmation/")
    case = Case.objects.get()
    assert case.origin_channel == Channel.WEB
    assert case.service.slug == "mk-missed-bin"
    assert case.responsible_council.code == "MKC"
    assert case.due_at is not None
    assert case.answers["Which collection was missed?"] == "Recycling"
    assert case.resident.email == "ada@example.com"
    assert case.resident.phone == "+447400123456"
    confirmation = client.get(response["Location"])
    assert case.display_reference in confirmation.text
    assert "govuk-panel--confirmation" in confirmation.text
    # The acknowledgement went out by email, as the resident chose.
    [sent] = outbox
    assert sent.channel == "email" and sent.recipient == "ada@example.com"
    assert case.display_reference in sent.body


def test_posting_twice_and_back_and_resubmit_make_one_case(client, bin_page):
    fill_bin_form(client)
    first = client.post(BIN_URL + "check/")
    second = client.post(BIN_URL + "check/")
    # Back to the contact page and through again: still the same application.
    client.post(BIN_URL + "contact/", CONTACT)
    third = client.post(BIN_URL + "check/")
    assert first["Location"] == second["Location"] == third["Location"]
    assert Case.objects.count() == 1
    assert Message.objects.filter(channel=Channel.WEB, direction="in").count() == 1


def test_two_sessions_racing_with_one_state_make_one_case(client, bin_page):
    """The idempotency key is the intake provider id: a replay of the same state is a duplicate."""
    from portal.apply import flow
    from portal.apply.submit import submit

    fill_bin_form(client)
    state = client.session[f"{flow.SESSION_PREFIX}{bin_page.pk}"]
    first = submit(bin_page, dict(state))
    second = submit(bin_page, dict(state))
    assert first.case.pk == second.case.pk and second.duplicate
    assert Case.objects.count() == 1


def test_errors_are_summarised_and_linked_and_keep_what_was_typed(client, bin_page):
    client.post(BIN_URL, {"action": "start"})
    response = client.post(
        BIN_URL + "step/1/",
        {"postcode_of_the_property": "not a postcode", "address_of_the_property": "1 High St"},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert 'href="#id_postcode_of_the_property"' in response.text
    assert "Enter a real postcode" in response.text
    assert "1 High St" in response.text
    assert "<title>Error:" in response.text


def test_date_errors_name_the_missing_part(client, bin_page):
    fill_bin_form(client)
    response = client.post(
        BIN_URL + "step/3/",
        {
            "when_should_it_have_been_collected_0": "31",
            "when_should_it_have_been_collected_1": "",
            "when_should_it_have_been_collected_2": "2026",
        },
    )
    assert "must include a month" in response.text
    assert 'href="#id_when_should_it_have_been_collected_0"' in response.text
    response = client.post(
        BIN_URL + "step/3/",
        {
            "when_should_it_have_been_collected_0": "31",
            "when_should_it_have_been_collected_1": "2",
            "when_should_it_have_been_collected_2": "2026",
        },
    )
    assert "must be a real date" in response.text


def test_contact_step_requires_the_address_for_the_chosen_updates(client, bin_page):
    response = fill_bin_form(
        client,
        contact={"name": "Ada", "email": "", "phone": "", "updates": "sms", "language": "en"},
    )
    assert response.status_code == 200
    assert "Enter your mobile number to get updates by text message" in response.text


def test_sms_updates_are_acknowledged_by_text(
    client, bin_page, outbox, django_capture_on_commit_callbacks
):
    fill_bin_form(
        client,
        contact={
            "name": "Ada",
            "email": "",
            "phone": "07400123456",
            "updates": "sms",
            "language": "en",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(BIN_URL + "check/")
    case = Case.objects.get()
    assert case.resident.preferred_channel == Channel.SMS
    assert case.resident.consent_email is False
    ack = Message.objects.get(case=case, direction="out")
    assert ack.channel == Channel.SMS and ack.recipient == "+447400123456"


def test_cannot_skip_to_check_answers(client, bin_page):
    client.post(BIN_URL, {"action": "start"})
    response = client.get(BIN_URL + "check/")
    assert response.status_code == 302 and response["Location"].endswith("/step/1/")
    assert client.post(BIN_URL + "check/").status_code == 302
    assert Case.objects.count() == 0


def test_check_answers_change_link_returns_to_check(client, bin_page):
    fill_bin_form(client)
    response = client.post(
        BIN_URL + "step/2/?change=1", {"which_collection_was_missed": "Garden waste"}
    )
    assert response["Location"].endswith("/check/")
    assert "Garden waste" in client.get(BIN_URL + "check/").text


def test_referred_status_not_accepted_for_a_postcode_outside_the_council(client, bin_page):
    response = fill_bin_form(client, postcode="NN1 1DE")
    assert response["Location"].endswith("/elsewhere/")
    page = client.get(response["Location"])
    assert "Northampton Borough Council deals with this at NN1 1DE" in page.text
    assert client.get(BIN_URL + "contact/").status_code == 200  # the page shows, but…
    client.post(BIN_URL + "contact/", CONTACT)
    assert client.post(BIN_URL + "check/")["Location"].endswith("/elsewhere/")
    assert Case.objects.count() == 0
