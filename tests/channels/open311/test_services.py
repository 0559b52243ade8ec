"""GET services and services/<code>: a jurisdiction's public services, with the apply-online
page's questions as attributes; a report missing a required one is refused whole."""

import json

import pytest
from defusedxml import ElementTree as ET

from services.models import Case, Service


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_services_are_the_jurisdictions_public_ones(client, catalogue, fmt):
    codes = {}
    for jurisdiction in ("MKC", "ncc"):
        response = client.get(f"/open311/v2/services.{fmt}", {"jurisdiction_id": jurisdiction})
        assert response.status_code == 200
        if fmt == "json":
            found = json.loads(response.content)
        else:
            root = ET.fromstring(response.content)
            assert root.tag == "services"
            found = [{c.tag: c.text for c in item} for item in root.findall("service")]
        codes[jurisdiction.upper()] = {item["service_code"] for item in found}
        assert all(item["service_name"] for item in found)
    assert "mk-pothole" in codes["MKC"] and "mk-pothole" not in codes["NCC"]
    assert "ncc-pothole" in codes["NCC"]
    # Joint services appear for both; restricted ones and other bodies' for neither.
    joint = set(Service.objects.filter(joint=True, restricted=False).values_list("slug", flat=True))
    assert joint and joint <= codes["MKC"] and joint <= codes["NCC"]
    hidden = set(Service.objects.filter(restricted=True).values_list("slug", flat=True)) | set(
        Service.objects.filter(responsible_council__isnull=True).values_list("slug", flat=True)
    )
    assert hidden and not hidden & (codes["MKC"] | codes["NCC"])


def test_unknown_jurisdiction_and_service(client, catalogue):
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "ZZZ"})
    assert response.status_code == 404
    assert json.loads(response.content)[0]["code"] == 404
    response = client.get(
        "/open311/v2/services/mk-adult-social-care.xml", {"jurisdiction_id": "MKC"}
    )
    assert response.status_code == 404
    response = client.get("/open311/v2/services/ncc-pothole.xml", {"jurisdiction_id": "MKC"})
    assert response.status_code == 404


@pytest.fixture
def pages(demo, fms):
    return demo


def test_a_definition_lists_the_apply_pages_questions(client, pages):
    response = client.get("/open311/v2/services/mk-pothole.json", {"jurisdiction_id": "MKC"})
    assert response.status_code == 200
    definition = json.loads(response.content)
    assert definition["service_code"] == "mk-pothole"
    by_code = {a["code"]: a for a in definition["attributes"]}
    assert by_code["fixmystreet_id"]["variable"] is False
    assert by_code["fixmystreet_id"]["automated"] == "server_set"
    where = by_code["where_exactly_is_it"]
    assert (where["datatype"], where["required"], where["description"]) == (
        "text",
        True,
        "Where exactly is it?",
    )
    danger = by_code["is_it_causing_a_danger_to_people_or_vehicles"]
    assert danger["datatype"] == "singlevaluelist" and danger["required"] is True
    assert danger["values"] == [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
    assert by_code["how_deep_is_it_in_centimetres"]["datatype"] == "number"
    # The place comes as lat/long: the postcode question is offered, never required.
    assert by_code["postcode_nearest_the_pothole"]["required"] is False
    # File questions are not attributes (media_url carries pictures).
    assert not any(a["datatype"] == "file" for a in definition["attributes"])
    orders = [a["order"] for a in definition["attributes"]]
    assert orders == sorted(orders)

    xml = client.get("/open311/v2/services/mk-pothole.xml", {"jurisdiction_id": "MKC"})
    root = ET.fromstring(xml.content)
    assert root.tag == "service_definition"
    values = root.findall(
        "attributes/attribute[code='is_it_causing_a_danger_to_people_or_vehicles']/values/value"
    )
    assert [(v.find("key").text, v.find("name").text) for v in values] == [
        ("yes", "Yes"),
        ("no", "No"),
    ]


def test_required_attributes_are_checked(post_request, pages):
    answered = {
        "attribute[where_exactly_is_it]": "Outside the library",
        "attribute[is_it_causing_a_danger_to_people_or_vehicles]": "yes",
        "attribute[how_deep_is_it_in_centimetres]": "12",
    }
    before = Case.objects.count()
    missing = post_request("json", **{**answered, "attribute[where_exactly_is_it]": None})
    assert missing.status_code == 400
    assert "attribute[where_exactly_is_it] is required" in missing.content.decode()
    wrong_choice = post_request(
        "json", **{**answered, "attribute[is_it_causing_a_danger_to_people_or_vehicles]": "maybe"}
    )
    assert wrong_choice.status_code == 400
    not_a_number = post_request(
        "json", **{**answered, "attribute[how_deep_is_it_in_centimetres]": "deep"}
    )
    assert not_a_number.status_code == 400
    assert Case.objects.count() == before

    accepted = post_request("json", **answered)
    assert accepted.status_code == 201
    case = Case.objects.get(reference=json.loads(accepted.content)[0]["service_request_id"])
    assert case.answers["Where exactly is it?"] == "Outside the library"
    assert case.answers["Is it causing a danger to people or vehicles?"] == "Yes"
    assert case.answers["fixmystreet_id"] == "4242"
