"""Who may call: a partner's key per system, refused clearly (JSON, 401/403), every call
logged, each partner held to its own rate limit."""

import pytest
from django.test import Client

from services.actions.partners import create_partner, rotate_key
from services.models import PartnerCall, RateLimitHit

pytestmark = pytest.mark.django_db

URL = "/api/v1/cases/"


def test_no_key_is_a_401_in_json_with_the_scheme_to_use(world):
    response = Client().get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == "no_key"
    assert "Bearer" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer pa_000000000000_wrong",
        "Bearer not-a-key",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer two parts",
        "Bearer pa_\u00e9\u00e9",
    ],
)
def test_a_wrong_or_malformed_key_is_a_401(world, header):
    response = Client(headers={"Authorization": header}).get(URL)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert PartnerCall.objects.filter(partner=None, status_code=401).count() == 1


def test_the_token_scheme_works_as_well_as_bearer(world, cases):
    response = Client(headers={"Authorization": f"Token {world.key}"}).get(URL)
    assert response.status_code == 200


def test_a_rotated_key_stops_working_at_once(world, api):
    assert api.get(URL).status_code == 200
    fresh = rotate_key(world.partner)
    assert api.get(URL).status_code == 401
    assert Client(headers={"Authorization": f"Bearer {fresh.api_key}"}).get(URL).status_code == 200


def test_an_inactive_partner_is_refused(world, api):
    world.partner.active = False
    world.partner.save()
    assert api.get(URL).status_code == 401


def test_a_partner_without_a_staff_account_is_a_403(world):
    bare = create_partner("FixMyStreet", [world.mkc])
    response = Client(headers={"Authorization": f"Bearer {bare.api_key}"}).get(URL)
    assert response.status_code == 403
    assert response.json()["code"] == "no_staff_account"


def test_every_call_is_logged_with_partner_method_path_and_answer(world, api, cases):
    api.get(URL + "?status=any")
    api.get(f"{URL}{cases.pothole.reference}/")  # another council's: a 404
    api.post(f"{URL}{cases.bin.reference}/notes/", {"text": "Crew sent"}, "application/json")
    Client().get(URL)
    calls = list(PartnerCall.objects.order_by("id").values_list("partner", "method", "status_code"))
    assert calls == [
        (world.partner.pk, "GET", 200),
        (world.partner.pk, "GET", 404),
        (world.partner.pk, "POST", 201),
        (None, "GET", 401),
    ]
    first = PartnerCall.objects.order_by("id").first()
    assert first.path == "/api/v1/cases/?status=any"
    assert first.detail == {"view": "CaseList"}


def test_each_partner_has_its_own_rate_limit(world, api):
    world.partner.rate_limit = 3
    world.partner.save()
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get(URL)
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert refused["Retry-After"] == "60"
    assert PartnerCall.objects.filter(status_code=429).count() == 1
    # Counted in the project's sliding windows, per partner.
    assert RateLimitHit.objects.filter(scope="partner").count() == 3
    other = create_partner("Other", [world.mkc])
    assert Client(headers={"Authorization": f"Bearer {other.api_key}"}).get(URL).status_code == 403
