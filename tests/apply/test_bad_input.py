"""Hostile and malformed input: disguised and oversized files, script in text, spam, limits,
expired resume links."""

import time

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.apply import resume
from portal.apply.models import ApplyPage, SavedApplication
from services.models import Case
from tests.apply.conftest import BADGE_URL, BIN_URL, CONTACT, EXE, PDF, PNG, fill_bin_form

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def _badge_to_upload(client):
    client.post(BADGE_URL, {"action": "start"})
    # Where first: the postcode page comes first, wherever the editor put it.
    client.post(BADGE_URL + "step/1/", {"their_postcode": "NN1 1DE"})
    client.post(
        BADGE_URL + "step/2/",
        {
            "full_name_of_the_person_the_badge_is_for": "Sam",
            "their_date_of_birth_0": "1",
            "their_date_of_birth_1": "2",
            "their_date_of_birth_2": "1950",
        },
    )
    client.post(
        BADGE_URL + "step/3/", {"do_they_get_the_higher_rate_mobility_component_of_pip": "yes"}
    )


@pytest.fixture
def badge_page(site):
    return ApplyPage.objects.get(url_path__endswith="/apply-for-a-blue-badge/apply/")


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("evidence.pdf", EXE, "application/pdf"),  # a Windows program renamed .pdf
        ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        ("notes.pdf", b"just some text, not a PDF at all", "application/pdf"),
        ("archive.png", b"PK\x03\x04" + b"\x00" * 100, "image/png"),  # a zip
    ],
)
def test_disguised_uploads_are_refused_by_content(client, badge_page, name, content, content_type):
    _badge_to_upload(client)
    response = client.post(
        BADGE_URL + "step/4/",
        {"proof_of_identity_or_benefit": SimpleUploadedFile(name, content, content_type)},
    )
    assert response.status_code == 200
    assert "must be a PDF, JPG, PNG, HEIC or WEBP" in response.text
    assert 'href="#id_proof_of_identity_or_benefit"' in response.text
    # Everything typed before is kept: check answers still has the earlier steps.
    client.post(
        BADGE_URL + "step/4/",
        {"proof_of_identity_or_benefit": SimpleUploadedFile("id.pdf", PDF, "text/plain")},
    )
    client.post(BADGE_URL + "contact/", CONTACT)
    check = client.get(BADGE_URL + "check/")
    assert "Sam" in check.text and "1 February 1950" in check.text and "id.pdf" in check.text


def test_oversized_upload_is_refused(client, badge_page, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1000
    _badge_to_upload(client)
    big = PDF + b"0" * 2000
    response = client.post(
        BADGE_URL + "step/4/",
        {"proof_of_identity_or_benefit": SimpleUploadedFile("big.pdf", big, "application/pdf")},
    )
    assert "must be smaller than" in response.text
    assert not Case.objects.exists()


def test_file_is_stored_under_its_real_type_and_attached_to_the_case(client, badge_page):
    _badge_to_upload(client)
    # A PNG called .pdf: accepted (it is an image) but stored as what it is.
    client.post(
        BADGE_URL + "step/4/",
        {"proof_of_identity_or_benefit": SimpleUploadedFile("scan.pdf", PNG, "application/pdf")},
    )
    client.post(BADGE_URL + "contact/", CONTACT)
    client.post(BADGE_URL + "check/")
    attachment = Case.objects.get().attachments.get()
    assert attachment.content_type == "image/png"
    assert attachment.filename == "scan.png"
    assert attachment.file.read() == PNG
    assert "/media/" not in attachment.file.path and "private" in attachment.file.path


def test_script_in_every_text_field_is_escaped_everywhere(client, bin_page):
    fill_bin_form(
        client,
        text=SCRIPT,
        contact={**CONTACT, "name": SCRIPT},
    )
    # Address and free text both carry the script.
    client.post(
        BIN_URL + "step/1/?change=1",
        {"postcode_of_the_property": "MK9 3EJ", "address_of_the_property": SCRIPT},
    )
    check = client.get(BIN_URL + "check/")
    assert SCRIPT not in check.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in check.text
    client.post(BIN_URL + "check/")
    confirmation = client.get(BIN_URL + "confirmation/")
    assert SCRIPT not in confirmation.text
    case = Case.objects.get()
    track = client.get(f"/track/{case.reference}/")
    assert track.status_code == 200
    assert SCRIPT not in track.text
    assert "&lt;script&gt;" in track.text
    # The staff desk case page shows the answers, the resident's name and address too.
    from services.models import Role
    from tests.factories import make_staff

    staff = make_staff(case.responsible_council, role=Role.SUPERVISOR, is_superuser=True)
    client.force_login(staff)
    desk = client.get(f"/desk/cases/{case.reference}/")
    assert desk.status_code == 200
    assert SCRIPT not in desk.text
    assert "&lt;script&gt;" in desk.text


def test_honeypot_filled_makes_no_case(client, bin_page):
    fill_bin_form(client)
    response = client.post(BIN_URL + "check/", {"portal_website": "http://spam.example"})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_honeypot_is_hidden_from_screen_readers_and_keyboards(client, bin_page):
    client.post(BIN_URL, {"action": "start"})
    html = client.get(BIN_URL + "step/1/").text
    assert '<div class="govuk-visually-hidden" aria-hidden="true">' in html
    assert 'name="portal_website"' in html and 'tabindex="-1"' in html


def test_submitting_faster_than_a_person_can_is_refused_then_allowed(client, bin_page, settings):
    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 60
    fill_bin_form(client)
    response = client.post(BIN_URL + "check/")
    assert response.status_code == 200
    assert "send your application again" in response.text
    assert not Case.objects.exists()
    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0
    assert client.post(BIN_URL + "check/")["Location"].endswith("/confirmation/")
    assert Case.objects.count() == 1


def test_submissions_are_rate_limited_per_address(client, bin_page, settings):
    settings.PORTAL_RATE_LIMITS = {"apply_submit_ip": (1, 3600)}
    from django.core.cache import cache

    cache.clear()
    fill_bin_form(client)
    client.post(BIN_URL + "check/")
    client.post(BIN_URL, {"action": "start"})  # a fresh application
    fill_bin_form(client)
    assert client.post(BIN_URL + "check/").status_code == 429
    assert Case.objects.count() == 1
    cache.clear()


def test_resume_link_by_email_restores_answers(
    client, bin_page, mailoutbox, django_capture_on_commit_callbacks
):
    client.post(BIN_URL, {"action": "start"})
    client.post(
        BIN_URL + "step/1/",
        {
            "postcode_of_the_property": "MK9 3EJ",
            "address_of_the_property": "9 Saved Road",
            "action": "save",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BIN_URL + "save/", {"email": "later@example.com"})
    assert "We are sending a link to later@example.com" in response.text
    [email] = mailoutbox
    link = next(line for line in email.body.splitlines() if "/resume/" in line)
    path = link.split("portal.example.test", 1)[1]
    other = client.__class__()
    restored = other.get(path)
    assert restored["Location"].endswith("/step/2/")
    other.post(BIN_URL + "step/2/", {"which_collection_was_missed": "Recycling"})
    assert "9 Saved Road" in other.get(BIN_URL + "step/1/").text


def test_expired_tampered_and_unknown_resume_links_are_refused(client, bin_page, settings):
    saved = SavedApplication.objects.create(page=bin_page, email="a@example.com", state={})
    token = resume.make_token(saved.key)
    settings.PORTAL_RESUME_MAX_AGE = 60
    with pytest.MonkeyPatch.context() as patch:
        real = time.time
        patch.setattr(signing.time, "time", lambda: real() + 3600)
        assert client.get(f"{BIN_URL}resume/?token={token}").status_code == 410
    assert client.get(f"{BIN_URL}resume/?token={token[:-2]}xx").status_code == 410
    forged = signing.dumps({"k": str(saved.key)}, salt="another-salt")
    assert client.get(f"{BIN_URL}resume/?token={forged}").status_code == 410
    not_uuid = signing.dumps({"k": "../../etc"}, salt=resume.SALT)
    assert client.get(f"{BIN_URL}resume/?token={not_uuid}").status_code == 410
    assert client.get(f"{BIN_URL}resume/?token={token}").status_code == 302  # still in date


def test_signed_in_resident_keeps_a_half_finished_application(client, bin_page):
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    user = UserFactory(email="signed@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    client.post(BIN_URL, {"action": "start"})
    client.post(
        BIN_URL + "step/1/",
        {"postcode_of_the_property": "MK9 3EJ", "address_of_the_property": "2 Kept Lane"},
    )
    client.get(BIN_URL + "save/")
    assert SavedApplication.objects.filter(user=user, page=bin_page).exists()
    # A new browser session, same account.
    client.logout()
    client.force_login(user)
    start = client.get(BIN_URL)
    assert "Continue your saved application" in start.text
    assert client.post(BIN_URL, {"action": "continue"})["Location"].endswith("/step/2/")
    assert "2 Kept Lane" in client.get(BIN_URL + "step/1/").text
