"""Where first, then what: ``services.routing.where`` for every branch, and every straddling
postcode district in the data is asked about — for every service, on every channel's path."""

import csv

import pytest

from services import postcodes, routing
from services.models import Council, ReferralBody, Service
from services.routing import Outcome

pytestmark = pytest.mark.django_db


def district_rows() -> list[dict]:
    with routing.DISTRICTS_FILE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def straddling_districts() -> list[str]:
    """Read from the data file itself, so a district added to it gets its own test."""
    return [r["district"].strip() for r in district_rows() if len(r["councils"].split()) > 1]


def test_the_data_has_straddling_districts():
    # Without one, the parametrised tests below would pass by testing nothing.
    assert "MK19" in straddling_districts()


def service(slug: str) -> Service:
    return Service.objects.get(slug=slug)


def test_this_councils_own_postcode_carries_on(catalogue):
    found = routing.where(service("mk-missed-bin"), postcode="MK9 3EJ")
    assert found.outcome == Outcome.SERVE
    assert found.council == catalogue["MKC"]
    assert not found.sends_away


def test_a_two_tier_district_service_refers_to_the_district_with_its_details(catalogue):
    found = routing.where(service("mk-missed-bin"), postcode="NN1 1AA")
    assert found.outcome == Outcome.REFER
    assert found.council == catalogue["NCC"]
    assert found.body.slug == "northampton-borough-council"
    assert found.targets == [service("ncc-bins")]
    # The resident is given the body's name, link and phone number from the catalogue.
    assert found.body.name == "Northampton Borough Council"
    assert found.body.website.startswith("https://")
    assert found.body.phone
    assert found.sends_away


def test_the_district_is_the_one_for_the_postcode(catalogue):
    assert routing.where(service("mk-missed-bin"), postcode="NN17 1QG").body.slug == (
        "corby-borough-council"
    )
    assert routing.where(service("mk-new-bin"), postcode="NN11 4FP").body.slug == (
        "daventry-district-council"
    )


def test_the_other_councils_same_service_moves_the_resident(catalogue):
    found = routing.where(service("mk-pothole"), postcode="NN1 1DE")
    assert found.outcome == Outcome.MOVE
    assert found.target == service("ncc-pothole")
    assert found.council == catalogue["NCC"]
    assert not found.sends_away
    back = routing.where(service("ncc-pothole"), postcode="MK9 3EJ")
    assert back.outcome == Outcome.MOVE and back.target == service("mk-pothole")


def test_a_referral_service_from_this_side_moves_to_the_councils_own(catalogue):
    found = routing.where(service("ncc-bins"), postcode="MK9 3EJ")
    assert found.outcome == Outcome.MOVE
    assert set(found.targets) == {
        service("mk-missed-bin"),
        service("mk-new-bin"),
        service("mk-bulky-waste"),
    }
    assert found.target is None  # several: the resident chooses


def test_a_referral_service_refers_to_the_body_for_the_district(catalogue):
    found = routing.where(service("ncc-bins"), postcode="NN16 0AY")
    assert found.outcome == Outcome.REFER
    assert found.body.slug == "kettering-borough-council"
    assert found.targets == [service("ncc-bins")]


def test_nothing_either_council_does_there_says_whose_area_it_is(catalogue):
    # Noise nuisance in Northamptonshire is the district's, but the catalogue names no
    # counterpart for it: the resident is told the place is Northamptonshire's.
    found = routing.where(service("mk-noise"), postcode="NN1 1DE")
    assert found.outcome == Outcome.ELSEWHERE
    assert found.council == catalogue["NCC"]
    assert found.body is None and found.sends_away


def test_outside_both_councils(catalogue):
    found = routing.where(service("mk-missed-bin"), postcode="SW1A 1AA")
    assert found.outcome == Outcome.OUTSIDE and found.council is None and found.sends_away
    # A joint service is still only for residents of the two councils.
    assert routing.where(service("blue-badge"), postcode="OX1 1AA").outcome == Outcome.OUTSIDE


def test_a_joint_service_serves_both_councils(catalogue):
    for postcode, code in (("MK9 3EJ", "MKC"), ("NN1 1DE", "NCC")):
        found = routing.where(service("blue-badge"), postcode=postcode)
        assert found.outcome == Outcome.SERVE and found.council == catalogue[code]


def test_no_postcode_or_a_bad_one_decides_nothing(catalogue):
    assert routing.where(service("mk-missed-bin")).outcome == Outcome.UNKNOWN
    assert routing.where(service("mk-missed-bin"), postcode="not one").outcome == Outcome.UNKNOWN
    assert routing.where(service("mk-missed-bin"), text="my bin again!").outcome == (
        Outcome.UNKNOWN
    )


def test_a_postcode_in_free_text_counts(catalogue):
    found = routing.where(service("mk-missed-bin"), text="Bins not emptied at 4 High St nn1 1aa")
    assert found.outcome == Outcome.REFER and found.postcode == "NN1 1AA"
    # What the resident typed in the postcode box wins over text.
    typed = routing.where(service("mk-missed-bin"), postcode="MK9 3EJ", text="nn1 1aa")
    assert typed.outcome == Outcome.SERVE


def test_counterparts_are_catalogue_data(catalogue):
    """Change the catalogue, change the answer: no council or service is named in code."""
    noise = service("mk-noise")
    elsewhere = Service.objects.create(
        name="Noise in Northamptonshire",
        slug="ncc-noise",
        group=noise.group,
        responsible_council=None,
    )
    elsewhere.referral_bodies.set(ReferralBody.objects.all())
    noise.counterparts.add(elsewhere)
    found = routing.where(noise, postcode="NN8 1AA")
    assert found.outcome == Outcome.REFER
    assert found.body.slug == "wellingborough-borough-council"
    # An inactive counterpart is ignored.
    elsewhere.active = False
    elsewhere.save()
    assert routing.where(noise, postcode="NN8 1AA").outcome == Outcome.ELSEWHERE


@pytest.mark.parametrize("district", straddling_districts())
@pytest.mark.parametrize("slug", ["mk-missed-bin", "ncc-pothole", "ncc-bins", "blue-badge"])
def test_every_straddling_district_is_asked_about(catalogue, district, slug):
    postcode = f"{district} 6AA"
    found = routing.where(service(slug), postcode=postcode)
    assert found.outcome == Outcome.ASK
    assert {c.code for c in found.candidates} == {
        c.code for c in routing.area_for_postcode(postcode).councils
    }
    assert len(found.candidates) > 1
    # The district alone, and the postcode found in a text message, are asked about too.
    assert routing.where(service(slug), postcode=district).outcome == Outcome.ASK
    assert routing.where(service(slug), text=f"at {postcode.lower()} pls").outcome == Outcome.ASK
    # A channel's route for a new case never takes the service's own council on trust.
    assert routing.route(service(slug), postcode=postcode).needs_council_choice


@pytest.mark.parametrize("district", straddling_districts())
def test_a_straddling_district_once_answered_follows_the_answer(catalogue, district):
    postcode = f"{district} 6AA"
    bins = service("mk-missed-bin")
    for council in routing.area_for_postcode(postcode).councils:
        found = routing.where(bins, postcode=postcode, council=council)
        assert found.outcome != Outcome.ASK and found.council == council
        if council == bins.responsible_council:
            assert found.outcome == Outcome.SERVE
        else:
            assert found.outcome in (Outcome.MOVE, Outcome.REFER, Outcome.ELSEWHERE)


def test_mk19_for_northamptonshire_is_south_northamptonshires_bins(catalogue):
    found = routing.where(service("mk-missed-bin"), postcode="MK19 6AA", council=catalogue["NCC"])
    assert found.outcome == Outcome.REFER
    assert found.body.slug == "south-northamptonshire-council"


def test_a_council_not_covering_the_district_is_not_taken_as_an_answer(catalogue):
    found = routing.where(service("mk-missed-bin"), postcode="NN1 1AA", council=catalogue["MKC"])
    assert found.outcome == Outcome.REFER  # the number dialled does not move Northampton


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bin not emptied at 4 High St, nn1 1aa", "NN1 1AA"),
        ("MK196AA please", "MK19 6AA"),
        ("no postcode here", ""),
        ("my reference is 12345678", ""),
        ("ring 07700 900982", ""),
        ("NN1 on its own", ""),
    ],
)
def test_postcodes_are_found_in_free_text(text, expected):
    assert postcodes.find_in_text(text) == expected


def test_every_council_in_the_data_is_in_the_catalogue(catalogue):
    codes = {code for row in district_rows() for code in row["councils"].split()}
    assert codes <= set(Council.objects.values_list("code", flat=True))
