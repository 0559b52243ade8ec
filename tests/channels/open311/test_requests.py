"""POST requests as FixMyStreet sends them, and every bad or hostile shape we could think of.

Each refused request is checked to have created nothing (no case, no resident, no message),
and each call to be in the partner call log.
"""

import json

import pytest
from defusedxml import ElementTree as ET

from services.models import Case, Channel, EventKind, Message, PartnerCall, Resident


def reference_of(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.loads(response.content)[0]["service_request_id"]
    return ET.fromstring(response.content).find("request/service_request_id").text


def error_of(response) -> tuple[int, str]:
    """The spec's error shape, in either format."""
    if response["Content-Type"].startswith("application/json"):
        first = json.loads(response.content)[0]
        return int(first["code"]), first["description"]
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    return int(root.find("error/code").text), root.find("error/description").text


def counts():
    return Case.objects.count(), Resident.objects.count(), Message.objects.count()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_fixmystreet_report_becomes_a_case(post_request, fmt):
    response = post_request(fmt)

    assert response.status_code == 201
    case = Case.objects.get(reference=reference_of(response))
    assert " " not in case.reference
    assert case.origin_channel == Channel.OPEN311
    assert case.service.slug == "mk-pothole"
    assert case.responsible_council.code == "MKC"
    assert case.resident.name == "Ann Example-Smith"  # first_name + last_name
    assert case.resident.email == "ann.example@example.org"
    assert case.resident.phone == "+447400123456"
    assert "Nearly lost a wheel" in case.description
    assert case.summary == "Deep pothole by the bus stop"  # attribute[title]
    # Every attribute is kept on the case.
    assert case.answers["fixmystreet_id"] == "4242"
    assert case.answers["easting"] == "485100"
    assert case.answers["closest_address"] == "Silbury Boulevard, Milton Keynes"
    created = case.timeline.get(kind=EventKind.CREATED)
    assert created.actor_label == "FixMyStreet"
    message = case.messages.get()
    report = message.metadata["open311"]
    assert (report["lat"], report["long"]) == (52.041234, -0.759876)
    assert report["account_id"] == "fms-user-17"
    assert "api_key" not in message.raw
    if fmt == "xml":
        root = ET.fromstring(response.content)
        assert root.tag == "service_requests"
        assert root.find("request/account_id").text == "fms-user-17"


def test_a_repeated_report_returns_the_first_case(post_request):
    first = post_request()
    before = counts()
    again = post_request("json")
    assert again.status_code == 200
    assert reference_of(again) == reference_of(first)
    assert counts() == before


def test_the_same_id_from_another_partner_is_another_report(post_request, client, fms_report):
    from services.actions.partners import create_partner
    from services.models import Council

    first = post_request()
    other = create_partner("Love Clean Streets", [Council.objects.get(code="MKC")])
    data = fms_report() | {"api_key": other.api_key, "jurisdiction_id": "MKC"}
    second = client.post("/open311/v2/requests.xml", data)
    assert second.status_code == 201
    assert reference_of(second) != reference_of(first)


def test_a_postcode_instead_of_lat_long(post_request):
    response = post_request(lat=None, long=None, address_string="MK9 3EJ")
    assert response.status_code == 201
    case = Case.objects.get(reference=reference_of(response))
    assert case.postcode == "MK9 3EJ"


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"key": "pa_000000000000_wrong"}, 403, "api_key"),
        ({"key": ""}, 403, "api_key is required"),
        ({"service_code": "no-such-service"}, 400, "service_code"),
        ({"service_code": "mk-adult-social-care"}, 400, "service_code"),  # restricted
        ({"service_code": ""}, 400, "service_code is required"),
        ({"jurisdiction": "XYZ"}, 404, "jurisdiction_id"),
        ({"jurisdiction": "NCC", "service_code": "ncc-pothole"}, 403, "NCC"),
        ({"description": "x" * 1_000_000}, 400, "description is longer"),
        ({"lat": "fifty-two"}, 400, "lat"),
        ({"lat": "152.0"}, 400, "lat"),
        ({"long": None}, 400, "lat and long"),
        ({"lat": None, "long": None}, 400, "location is required"),
        ({"email": "not an address"}, 400, "email"),
        ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
        ({"attribute[fixmystreet_id]": "9" * 500}, 400, "fixmystreet_id"),
        ({"address_string": "NN1 1DE", "lat": None, "long": None}, 400, "NCC"),
    ],
)
def test_bad_reports_are_refused_whole_with_a_clear_error(post_request, overrides, status, words):
    before = counts()
    for fmt in ("xml", "json"):
        response = post_request(fmt, **overrides)
        assert response.status_code == status, response.content[:300]
        code, description = error_of(response)
        assert code == status
        assert words in description
    assert counts() == before


def test_nul_bytes_and_control_characters_never_reach_the_case(post_request):
    response = post_request(
        description="Pothole\x00 here\x07 by the \x1bshops",
        first_name="A\x00nn",
        **{"attribute[title]": "Big\x00 hole"},
    )
    assert response.status_code == 201
    case = Case.objects.get(reference=reference_of(response))
    for text in (case.description, case.resident.name, case.summary, json.dumps(case.answers)):
        assert "\x00" not in text and "\x07" not in text and "\x1b" not in text
    assert "Pothole here by the shops" in case.description


def test_every_call_is_logged_with_its_partner(post_request, fms):
    post_request()
    post_request(key="pa_000000000000_wrong")
    calls = list(PartnerCall.objects.order_by("at", "pk"))
    assert [(c.partner, c.method, c.status_code) for c in calls] == [
        (fms, "POST", 201),
        (None, "POST", 403),
    ]
    assert calls[0].path == "/open311/v2/requests.xml"
    assert calls[0].detail["service_request_id"]
    # No personal data and no key in the log.
    logged = json.dumps([c.detail for c in calls])
    assert "ann.example" not in logged and fms.api_key not in logged


def test_the_partner_rate_limit_holds(post_request, fms):
    fms.rate_limit = 2
    fms.save(update_fields=["rate_limit"])
    assert post_request(**{"attribute[fixmystreet_id]": "1"}).status_code == 201
    assert post_request(**{"attribute[fixmystreet_id]": "2"}).status_code == 201
    refused = post_request(**{"attribute[fixmystreet_id]": "3"})
    assert refused.status_code == 429
    assert error_of(refused)[0] == 429
    assert Case.objects.count() == 2


def test_only_get_and_post(client, fms):
    response = client.put("/open311/v2/requests.json")
    assert response.status_code == 405
    assert error_of(response)[0] == 405


def test_a_phone_number_we_cannot_dial_is_kept_for_staff_not_on_the_record(post_request):
    response = post_request(phone="call after 6")
    assert response.status_code == 201
    case = Case.objects.get(reference=reference_of(response))
    assert case.resident.phone == ""
    assert case.messages.get().metadata["open311"]["phone_as_given"] == "call after 6"


def test_a_request_bigger_than_django_accepts_is_a_clear_400(post_request, settings):
    before = counts()
    too_big = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1  # the project's own limit
    response = post_request("json", description="x" * too_big)
    assert response.status_code == 400
    assert "larger than" in error_of(response)[1]
    assert counts() == before
    assert PartnerCall.objects.get().status_code == 400
