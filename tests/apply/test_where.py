"""Where first, then what, in the apply-online journey (Django's test client): every branch of
``services.routing.where`` after the first page, answers kept, referrals counted once."""

import pytest

from portal.apply.models import ApplyPage
from services.models import Case, Council, Signpost
from tests.apply.conftest import BADGE_URL, BIN_URL, CONTACT, POTHOLE_URL, fill_bin_form
from tests.services.test_where import straddling_districts

pytestmark = pytest.mark.django_db

MK_POTHOLE_URL = "/roads-and-travel/report-a-pothole-in-milton-keynes/report/"


def first_page(client, url=BIN_URL, postcode="NN1 1AA", address="1 High Street"):
    client.post(url, {"action": "start"})
    return client.post(
        url + "step/1/",
        {"postcode_of_the_property": postcode, "address_of_the_property": address},
    )


def test_the_postcode_page_is_asked_first_wherever_the_editor_put_it(client, site):
    badge = ApplyPage.objects.get(url_path__endswith="/apply-for-a-blue-badge/apply/")
    # The editor put the postcode on the second page; it is asked first.
    assert [f.field_type for f in badge.steps()[0]] == ["postcode"]
    client.post(BADGE_URL, {"action": "start"})
    assert 'name="their_postcode"' in client.get(BADGE_URL + "step/1/").text


def test_a_service_of_this_council_here_carries_on(client, site):
    response = first_page(client, postcode="MK9 3EJ")
    assert response["Location"].endswith("/step/2/")
    assert not Signpost.objects.exists()


def test_a_district_councils_service_sends_to_the_district_after_the_first_page(client, site):
    response = first_page(client, postcode="nn1 1aa")
    assert response["Location"].endswith("/elsewhere/")
    page = client.get(response["Location"]).text
    assert "Northampton Borough Council deals with this at NN1 1AA" in page
    assert 'href="https://northampton.example.org"' in page
    assert 'href="tel:01632960101"' in page and "01632 960 101" in page
    assert "Change the postcode" in page
    # Recorded once, however often the page is seen or the form sent again.
    client.get(response["Location"])
    first_page(client, postcode="NN1 1AA")
    signpost = Signpost.objects.get()
    assert signpost.outcome == Signpost.Outcome.REFERRED
    assert signpost.referral_body.slug == "northampton-borough-council"
    assert (signpost.district, signpost.channel) == ("NN1", "web")
    # Nothing typed is lost.
    step = client.get(BIN_URL + "step/1/").text
    assert 'value="NN1 1AA"' in step and "1 High Street" in step


def test_the_rest_of_the_form_cannot_be_sent_for_a_place_sent_elsewhere(client, site):
    response = fill_bin_form(client, postcode="NN1 1DE")
    assert response["Location"].endswith("/elsewhere/")
    assert client.get(BIN_URL + "step/2/").status_code == 200  # the page shows, but…
    client.post(BIN_URL + "step/2/", {"which_collection_was_missed": "Recycling"})
    client.post(BIN_URL + "contact/", CONTACT)
    assert client.post(BIN_URL + "check/")["Location"].endswith("/elsewhere/")
    assert not Case.objects.exists()


def test_the_other_councils_same_service_takes_the_answers(client, site):
    client.post(MK_POTHOLE_URL, {"action": "start"})
    response = client.post(
        MK_POTHOLE_URL + "step/1/",
        {"postcode_nearest_the_pothole": "NN1 1DE", "where_exactly_is_it": "By the library"},
    )
    assert response["Location"].endswith("/elsewhere/")
    moved = client.get(response["Location"])
    assert moved["Location"] == POTHOLE_URL + "step/2/"
    step2 = client.get(moved["Location"]).text
    assert "Northamptonshire County Council deals with this at NN1 1DE" in step2
    step1 = client.get(POTHOLE_URL + "step/1/").text
    assert 'value="NN1 1DE"' in step1 and "By the library" in step1
    assert not Signpost.objects.exists()
    # …and it files to Northamptonshire.
    client.post(POTHOLE_URL + "step/2/", {"is_it_causing_a_danger_to_people_or_vehicles": "no"})
    client.post(POTHOLE_URL + "step/3/", {"how_deep_is_it_in_centimetres": ""})
    client.post(POTHOLE_URL + "step/4/", {})
    client.post(POTHOLE_URL + "contact/", CONTACT)
    client.post(POTHOLE_URL + "check/")
    case = Case.objects.get()
    assert case.service.slug == "ncc-pothole" and case.postcode == "NN1 1DE"
    assert "By the library" in case.description


def test_nothing_either_council_does_there_names_whose_area_it_is(client, site):
    page = ApplyPage.objects.get(url_path__endswith="/report-a-missed-bin-collection/report/")
    page.get_service().referral_bodies.clear()
    page.get_service().counterparts.clear()
    response = first_page(client, postcode="NN1 1AA")
    text = client.get(response["Location"]).text
    assert "Northamptonshire County Council deals with this at NN1 1AA" in text
    assert Signpost.objects.get().outcome == Signpost.Outcome.OTHER_COUNCIL


def test_outside_both_councils_points_to_gov_uk(client, site):
    response = first_page(client, postcode="SW1A 1AA")
    text = client.get(response["Location"]).text
    assert "outside Milton Keynes and Northamptonshire" in text
    assert "https://www.gov.uk/find-local-council" in text
    assert Signpost.objects.get().outcome == Signpost.Outcome.OUTSIDE


@pytest.mark.parametrize("district", straddling_districts())
def test_every_straddling_district_is_asked_about_after_the_first_page(client, site, district):
    postcode = f"{district} 6AA"
    response = first_page(client, postcode=postcode)
    assert response["Location"].endswith("/council/")
    page = client.get(response["Location"]).text
    assert "Which council do you live in?" in page and postcode in page
    # Not answered: asked again, and nothing is filed on a guess.
    assert client.get(BIN_URL + "check/")["Location"].endswith("/council/")
    assert client.post(BIN_URL + "council/", {}).status_code == 200
    mkc = Council.objects.get(code="MKC")
    answered = client.post(BIN_URL + "council/", {"council": mkc.pk})
    assert answered["Location"].endswith("/step/2/")


def test_a_straddling_postcode_answered_for_the_other_council_refers(client, site):
    first_page(client, postcode="MK19 6AA")
    ncc = Council.objects.get(code="NCC")
    response = client.post(BIN_URL + "council/", {"council": ncc.pk})
    assert response["Location"].endswith("/elsewhere/")
    assert "South Northamptonshire Council" in client.get(response["Location"]).text
    assert Signpost.objects.get().referral_body.slug == "south-northamptonshire-council"
    # Changing the answer to this council carries on, and the referral no longer counts.
    mkc = Council.objects.get(code="MKC")
    assert client.post(BIN_URL + "council/", {"council": mkc.pk})["Location"].endswith("/step/2/")
    assert not Signpost.objects.exists()


def test_a_new_postcode_forgets_the_council_chosen_for_the_old_one(client, site):
    first_page(client, postcode="MK19 6AA")
    client.post(BIN_URL + "council/", {"council": Council.objects.get(code="MKC").pk})
    response = client.post(
        BIN_URL + "step/1/?change=1",
        {"postcode_of_the_property": "MK9 3EJ", "address_of_the_property": "1 High Street"},
    )
    assert not response["Location"].endswith("/council/")
    fill_bin_form(client, postcode="MK9 3EJ")
    assert "Your council" not in client.get(BIN_URL + "check/").text
