"""/track/: reference + contact, nothing revealed by wrong pairs, rate limits, replies, files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services import reference as references
from services.actions import reply
from services.models import Attachment, Case, EventKind, Role, Status, TimelineEvent
from tests.apply.conftest import EXE, PNG
from tests.factories import ResidentFactory, ServiceFactory, make_case, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    resident = ResidentFactory(email="Owner@Example.com", phone="+447400123456")
    return make_case(ServiceFactory(), resident, summary="Broken streetlight")


def _find(client, reference, contact):
    return client.post("/track/", {"reference": reference, "contact": contact})


@pytest.mark.parametrize("contact", ["owner@example.com", "OWNER@example.com", "07400 123456"])
def test_reference_and_the_contact_given_open_the_case(client, case, contact):
    response = _find(client, case.display_reference, contact)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Broken streetlight" in page.text


def test_wrong_pairs_say_the_same_thing_whether_or_not_the_case_exists(client, case):
    other = make_case(ServiceFactory(), ResidentFactory(email="else@example.com"))
    unknown = references.make_reference(99_999_999)
    wrong_contact = _find(client, case.reference, "else@example.com")
    no_such_case = _find(client, unknown, "owner@example.com")
    others_case = _find(client, other.reference, "owner@example.com")
    for response in (wrong_contact, no_such_case, others_case):
        assert response.status_code == 200
        assert "could not find a case with that reference and contact detail" in response.text
    strip = lambda r: r.text.replace(r.wsgi_request.POST["reference"], "")  # noqa: E731
    assert strip(wrong_contact).count("govuk-error") == strip(no_such_case).count("govuk-error")
    assert client.get(f"/track/{case.reference}/").status_code == 404


def test_a_mistyped_check_digit_is_refused_before_lookup(client, case, django_assert_num_queries):
    digits = case.reference[:-1] + str((int(case.reference[-1]) + 1) % 10)
    response = _find(client, digits, "owner@example.com")
    assert "exactly as we sent it" in response.text


@pytest.mark.parametrize(
    "reference", ["", "abc", "1" * 40, "<script>", "1000000 13'; DROP TABLE x; --"]
)
def test_malformed_references_are_refused(client, reference):
    response = _find(client, reference, "a@example.com")
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert (
        "<script>" not in response.text.split("</header>", 1)[1].replace('type="module"', "")
        or reference != "<script>"
    )


def test_lookups_are_rate_limited_per_reference(client, case, settings):
    settings.PORTAL_RATE_LIMITS = {"track_reference": (3, 600)}
    for _ in range(3):
        assert _find(client, case.reference, "wrong@example.com").status_code == 200
    # Even the right pair is refused once the reference has been tried too often.
    assert _find(client, case.reference, "owner@example.com").status_code == 429


def test_lookups_are_rate_limited_per_address(client, case, settings):
    settings.PORTAL_RATE_LIMITS = {"track_ip": (2, 600)}
    _find(client, case.reference, "wrong@example.com")
    _find(client, case.reference, "wrong@example.com")
    assert _find(client, case.reference, "owner@example.com").status_code == 429


def test_internal_notes_are_never_shown(client, case):
    from services.actions import add_note

    staff = make_staff(case.responsible_council, role=Role.CASEWORKER)
    add_note(staff, case, "Resident is a known time-waster")
    _find(client, case.reference, "owner@example.com")
    page = client.get(f"/track/{case.reference}/")
    assert "known time-waster" not in page.text
    assert TimelineEvent.objects.filter(case=case, kind=EventKind.NOTE).exists()


def test_replying_to_an_information_request_restarts_the_clock(client, case):
    staff = make_staff(case.responsible_council, role=Role.CASEWORKER)
    reply(staff, case, "Which lamp post number?", request_information=True)
    _find(client, case.reference, "owner@example.com")
    page = client.get(f"/track/{case.reference}/")
    assert "Which lamp post number?" in page.text and "Reply to us" in page.text
    response = client.post(
        f"/track/{case.reference}/",
        {"body": "Number 42", "document": SimpleUploadedFile("p.png", PNG, "image/png")},
    )
    assert response.status_code == 302
    again = client.post(f"/track/{case.reference}/", {"body": "Number 42"})  # double post
    assert again.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert case.paused_at is None
    assert case.messages.filter(direction="in", body="Number 42").count() == 1
    assert case.attachments.get().content_type == "image/png"


def test_reply_with_a_disguised_file_is_refused_and_keeps_the_text(client, case):
    staff = make_staff(case.responsible_council, role=Role.CASEWORKER)
    reply(staff, case, "Send a photo", request_information=True)
    _find(client, case.reference, "owner@example.com")
    response = client.post(
        f"/track/{case.reference}/",
        {"body": "Here it is", "document": SimpleUploadedFile("p.pdf", EXE, "application/pdf")},
    )
    assert response.status_code == 400
    assert "must be a PDF, JPG, PNG, HEIC or WEBP" in response.text
    assert "Here it is" in response.text
    case.refresh_from_db()
    assert case.status == Status.WAITING


def test_no_reply_form_unless_the_council_asked(client, case):
    _find(client, case.reference, "owner@example.com")
    assert "Reply to us" not in client.get(f"/track/{case.reference}/").text
    client.post(f"/track/{case.reference}/", {"body": "unsolicited"})
    assert not case.messages.filter(direction="in").exists()


def _attachment(case) -> Attachment:
    from django.core.files.base import ContentFile

    item = Attachment(case=case, filename="p.png", content_type="image/png", size=4, sha256="x")
    item.file.save("test-file", ContentFile(PNG), save=False)
    item.save()
    return item


def test_files_are_served_only_to_the_resident_or_staff_who_may_see_the_case(client, case):
    item = _attachment(case)
    url = f"/track/{case.reference}/files/{item.pk}/"
    assert client.get(url).status_code == 404  # a stranger
    staff_elsewhere = make_staff(ServiceFactory().responsible_council)
    client.force_login(staff_elsewhere)
    assert client.get(url).status_code == 404
    client.logout()
    staff = make_staff(case.responsible_council)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    client.logout()
    _find(client, case.reference, "owner@example.com")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    other_case = make_case()
    assert client.get(f"/track/{other_case.reference}/files/{item.pk}/").status_code == 404
    assert Case.objects.count() == 2
