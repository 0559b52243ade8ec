"""GET requests, requests/<id> and servicerequestupdates tell nobody anything personal.

Every field of every item returned is compared against an allow-list written out here (not
imported from the code under test), and every value against the residents' names, emails,
phones, postcodes and the private words on their cases. Restricted cases never appear.
"""

import json

import pytest
from defusedxml import ElementTree as ET

from services.actions.cases import change_status
from services.actions.public_updates import publish
from services.models import Service, Status
from tests.factories import ResidentFactory, make_case, make_staff

REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "lat",
    "long",
}
UPDATE_FIELDS = {
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
}
MYSOCIETY_STATUSES = {
    "OPEN",
    "INVESTIGATING",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "FIXED",
    "CLOSED",
    "NOT_COUNCILS_RESPONSIBILITY",
    "DUPLICATE",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
}
PRIVATE_WORDS = "Private note: Mrs Zebedee-Quinn at 7 Secret Lane owes arrears"


@pytest.fixture
def cases(catalogue, post_request):
    """An FMS report, a council-tax case with private words, a restricted social-care case."""
    fms_ref = json.loads(post_request("json").content)[0]["service_request_id"]
    resident = ResidentFactory(name="Zebedee Quinn", email="zq@example.net", postcode="MK4 1AA")
    tax = make_case(
        Service.objects.get(slug="mk-council-tax"),
        resident,
        summary="Council tax arrears for Zebedee Quinn",
        description=PRIVATE_WORDS,
        location="7 Secret Lane",
        postcode="MK4 1AA",
    )
    care = make_case(
        Service.objects.get(slug="mk-adult-social-care"),
        resident,
        summary="Care assessment",
        description=PRIVATE_WORDS,
    )
    return {"fms": fms_ref, "tax": tax, "care": care, "resident": resident}


def items(response):
    """The items of an answer as dicts of strings, from either format."""
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)
    root = ET.fromstring(response.content)
    return [{child.tag: child.text or "" for child in item} for item in root]


def assert_nothing_personal(found, fields, cases):
    resident = cases["resident"]
    secrets = [
        resident.name,
        resident.email,
        resident.phone,
        resident.postcode,
        "Zebedee",
        "Secret Lane",
        "arrears",
        "Ann",
        "Example-Smith",
        "ann.example@example.org",
        "+447400123456",
        "07400",
        "Nearly lost a wheel",
        "fms-user-17",
    ]
    for item in found:
        assert set(item) <= fields, set(item) - fields
        text = json.dumps(item)
        for secret in secrets:
            assert secret not in text, (secret, item)
        assert item["service_request_id"] != cases["care"].reference


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_get_requests_lists_public_fields_only(client, cases, catalogue, fmt):
    response = client.get(f"/open311/v2/requests.{fmt}", {"jurisdiction_id": "mkc"})
    assert response.status_code == 200
    found = items(response)
    assert_nothing_personal(found, REQUEST_FIELDS, cases)
    by_id = {item["service_request_id"]: item for item in found}
    assert set(by_id) == {cases["fms"], cases["tax"].reference}
    fms = by_id[cases["fms"]]
    assert fms["status"] == "open"
    assert fms["service_code"] == "mk-pothole"
    assert fms["agency_responsible"] == catalogue["MKC"].name
    # The map pin FixMyStreet itself published; nothing located for the council-tax case.
    assert float(fms["lat"]) == pytest.approx(52.041234)
    assert by_id[cases["tax"].reference]["lat"] in ("", None)


def test_get_requests_filters(client, cases):
    def ids(**params):
        response = client.get("/open311/v2/requests.json", {"jurisdiction_id": "MKC", **params})
        assert response.status_code == 200, response.content
        return {item["service_request_id"] for item in json.loads(response.content)}

    assert ids(service_code="mk-pothole") == {cases["fms"]}
    assert ids(service_request_id=f"{cases['fms']},{cases['care'].reference},123") == {cases["fms"]}
    assert ids(status="closed") == set()
    assert ids(status="open") == {cases["fms"], cases["tax"].reference}
    assert ids(start_date="2000-01-01T00:00:00Z", end_date="2000-01-02T00:00:00Z") == set()
    assert ids(start_date="2000-01-01") == {cases["fms"], cases["tax"].reference}


@pytest.mark.parametrize("value", ["30/11/2026", "yesterday", "1701388800", "2026-13-45T25:00"])
def test_dates_in_other_formats_are_a_clear_400(client, cases, value):
    response = client.get(
        "/open311/v2/requests.xml", {"jurisdiction_id": "MKC", "start_date": value}
    )
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert "start_date must be a W3C date-time" in root.find("error/description").text


def test_a_request_by_id(client, cases):
    response = client.get(f"/open311/v2/requests/{cases['fms']}.json", {"jurisdiction_id": "MKC"})
    assert response.status_code == 200
    found = items(response)
    assert [item["service_request_id"] for item in found] == [cases["fms"]]
    assert_nothing_personal(found, REQUEST_FIELDS, cases)
    # A restricted case, another council's, a mistyped reference: all simply not found.
    for reference, jurisdiction in (
        (cases["care"].reference, "MKC"),
        (cases["fms"], "NCC"),
        (cases["fms"][:-1] + str((int(cases["fms"][-1]) + 1) % 10), "MKC"),
    ):
        missing = client.get(
            f"/open311/v2/requests/{reference}.xml", {"jurisdiction_id": jurisdiction}
        )
        assert missing.status_code == 404
        assert ET.fromstring(missing.content).find("error/code").text == "404"


def test_updates_list_public_changes_only(client, cases, fms, catalogue):
    from services.models import Case

    fms_case = Case.objects.get(reference=cases["fms"])
    staff = make_staff(catalogue["MKC"], is_superuser=True)
    # A status note meant for the resident only, a public update, and the same on the
    # restricted case: only public wording and the published words come out.
    change_status(staff, fms_case, Status.OPEN)
    change_status(staff, fms_case, Status.IN_PROGRESS, note=PRIVATE_WORDS)
    publish(staff, fms_case, "A crew is booked for Thursday.")
    change_status(staff, cases["care"], Status.OPEN)
    change_status(staff, cases["care"], Status.IN_PROGRESS, note="care note")
    change_status(staff, cases["tax"], Status.OPEN)
    change_status(staff, cases["tax"], Status.IN_PROGRESS, note=PRIVATE_WORDS)

    for fmt in ("xml", "json"):
        response = client.get(
            f"/open311/v2/servicerequestupdates.{fmt}",
            {"jurisdiction_id": "MKC", "api_key": fms.api_key},
        )
        assert response.status_code == 200
        found = items(response)
        assert_nothing_personal(found, UPDATE_FIELDS, cases)
        assert all(item["status"] in MYSOCIETY_STATUSES for item in found)
        ours = [item for item in found if item["service_request_id"] == cases["fms"]]
        assert [(item["status"], item["description"]) for item in ours] == [
            ("IN_PROGRESS", "Work on this report is in progress."),
            ("IN_PROGRESS", "A crew is booked for Thursday."),
        ]
        assert len({item["update_id"] for item in found}) == len(found)

    # The partner asks for a window: W3C dates, both ends.
    response = client.get(
        "/open311/v2/servicerequestupdates.json",
        {
            "jurisdiction_id": "MKC",
            "api_key": fms.api_key,
            "start_date": "2000-01-01T00:00:00+00:00",
            "end_date": "2000-01-02T00:00:00Z",
        },
    )
    assert json.loads(response.content) == []


def test_updates_need_a_key(client, cases):
    response = client.get("/open311/v2/servicerequestupdates.xml", {"jurisdiction_id": "MKC"})
    assert response.status_code == 403


def test_get_requests_without_jurisdiction_when_there_are_two(client, cases):
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 400
    assert "jurisdiction_id is required" in json.loads(response.content)[0]["description"]
