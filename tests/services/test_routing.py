"""Routing: council by postcode district (straddling districts ask), number/mailbox, referrals."""

import pytest

from services import postcodes, routing
from services.models import Council, ReferralBody, Service


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mk93ej", "MK9 3EJ"),
        (" mk9  3ej ", "MK9 3EJ"),
        ("NN1 1ED", "NN1 1ED"),
        ("nn16 0ay", "NN16 0AY"),
    ],
)
def test_postcodes_are_normalised(typed, expected):
    assert postcodes.normalise(typed) == expected


@pytest.mark.parametrize("typed", ["", "MK9", "12345", "MK9 3E", "<script>", "ZZ99 9ZZZ"])
def test_non_postcodes_are_refused(typed):
    with pytest.raises(postcodes.InvalidPostcode):
        postcodes.normalise(typed)


def test_council_comes_from_the_postcode_district(catalogue):
    assert routing.area_for_postcode("MK9 3EJ").council == catalogue["MKC"]
    assert routing.area_for_postcode("NN1 1ED").council == catalogue["NCC"]
    assert routing.area_for_postcode("nn16").council == catalogue["NCC"]


def test_a_straddling_district_is_never_guessed(catalogue):
    area = routing.area_for_postcode("MK19 6AA")
    assert area.straddles and area.council is None
    assert set(area.councils) == {catalogue["MKC"], catalogue["NCC"]}


def test_a_postcode_outside_both_councils_is_outside(catalogue):
    area = routing.area_for_postcode("SW1A 1AA")
    assert area.outside and area.council is None


def test_a_council_service_routes_to_its_delivering_team(catalogue):
    route = routing.route(Service.objects.get(slug="mk-missed-bin"), postcode="MK9 3EJ")
    assert route.responsible_council == catalogue["MKC"]
    assert route.team.slug == "mk-waste"
    assert not route.outside_responsible_area


def test_a_lead_authority_service_is_delivered_by_the_lead_for_both(catalogue):
    route = routing.route(Service.objects.get(slug="blue-badge"), postcode="MK9 3EJ")
    assert route.responsible_council == catalogue["MKC"]  # joint: the resident's own council
    assert route.delivering_council == catalogue["NCC"]  # Northamptonshire's team delivers
    assert route.team.slug == "ncc-blue-badge"


def test_the_other_councils_service_says_so(catalogue):
    route = routing.route(Service.objects.get(slug="mk-missed-bin"), postcode="NN1 1ED")
    assert route.outside_responsible_area


def test_a_joint_service_on_a_straddling_postcode_asks(catalogue):
    route = routing.route(Service.objects.get(slug="general-enquiry"), postcode="MK19 6AA")
    assert route.needs_council_choice
    assert set(route.candidate_councils) == {catalogue["MKC"], catalogue["NCC"]}
    chosen = routing.route(
        Service.objects.get(slug="general-enquiry"), postcode="MK19 6AA", council=catalogue["NCC"]
    )
    assert not chosen.needs_council_choice and chosen.responsible_council == catalogue["NCC"]


def test_two_tier_services_refer_to_the_district_for_the_postcode(catalogue):
    bins = Service.objects.get(slug="ncc-bins")
    assert bins.is_referral
    assert routing.route(bins, postcode="NN17 1QG").referral_body.slug == "corby-borough-council"
    assert (
        routing.route(bins, postcode="NN1 1ED").referral_body.slug == "northampton-borough-council"
    )
    unknown = routing.route(bins)
    assert unknown.referral_body is None and unknown.needs_council_choice


def test_the_number_dialled_or_mailbox_written_to_names_the_council(catalogue):
    point = routing.council_for_contact_point("voice", "+441632960002")
    assert point.council == catalogue["NCC"]
    mailbox = routing.council_for_contact_point("email", "Bins@MK.example.org")
    assert mailbox.council == catalogue["MKC"] and mailbox.service.slug == "mk-missed-bin"
    assert routing.council_for_contact_point("email", "nobody@example.org") is None


def test_councils_are_data_not_code(catalogue):
    # A third council is a row plus its districts; nothing else changes.
    assert Council.objects.count() == 2
    assert ReferralBody.objects.filter(postcode_districts__contains=["MK19"]).exists()
