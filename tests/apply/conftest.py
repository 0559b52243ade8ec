"""Helpers for driving an application through the Django test client."""

import pytest

from portal.apply.models import ApplyPage
from tests.apply.site import build_site

BIN_URL = "/bins-and-recycling/report-a-missed-bin-collection/report/"
POTHOLE_URL = "/roads-and-travel/report-a-pothole-in-northamptonshire/report/"
BADGE_URL = "/roads-and-travel/apply-for-a-blue-badge/apply/"

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _fast_forms(settings):
    """Tests fill forms faster than a person can; the minimum fill time has its own tests."""
    settings.PORTAL_APPLY_MIN_FILL_SECONDS = 0


@pytest.fixture
def site(db) -> dict:
    return build_site()


@pytest.fixture
def bin_page(site) -> ApplyPage:
    return ApplyPage.objects.get(url_path__endswith="/report-a-missed-bin-collection/report/")


CONTACT = {
    "name": "Ada Resident",
    "email": "ada@example.com",
    "phone": "07400 123456",
    "updates": "email",
    "language": "en",
}


def fill_bin_form(client, *, postcode="MK9 3EJ", contact=None, text="Round the back"):
    """Answer every step of the missed-bin form; returns the response to the last POST."""
    assert client.post(BIN_URL, {"action": "start"}).status_code == 302
    response = client.post(
        BIN_URL + "step/1/",
        {"postcode_of_the_property": postcode, "address_of_the_property": "1 High Street"},
    )
    if response.status_code != 302 or not response["Location"].endswith("/step/2/"):
        return response
    client.post(BIN_URL + "step/2/", {"which_collection_was_missed": "Recycling"})
    client.post(
        BIN_URL + "step/3/",
        {
            "when_should_it_have_been_collected_0": "2",
            "when_should_it_have_been_collected_1": "3",
            "when_should_it_have_been_collected_2": "2026",
        },
    )
    response = client.post(BIN_URL + "step/4/", {"anything_else_we_should_know": text})
    if not response["Location"].endswith("/contact/"):
        return response
    return client.post(BIN_URL + "contact/", contact or CONTACT)
