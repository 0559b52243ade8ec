"""The softphone's access token, who gets one, and the Twilio hosts only its pages allow."""

import datetime

import jwt
import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from channels.voice.models import Agent
from services.models import Role
from tests.factories import UserFactory, make_staff

pytestmark = pytest.mark.django_db

URL = "/desk/calls/token/"
TWILIO_HOSTS = (
    "wss://voice-js.dublin.twilio.com",
    "https://eventgw.twilio.com",
    "https://sdk.twilio.com",
)


def _decode(token: str) -> dict:
    # Verifies the signature (HS256 with the API secret) and that it is not expired.
    return jwt.decode(token, settings.TWILIO_API_SECRET, algorithms=["HS256"])


def _directives(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def test_the_url_is_the_contract():
    assert reverse("calls:token") == URL


def test_an_agent_gets_a_voice_token_for_their_opaque_identity(client, world):
    client.force_login(world.agent)
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    agent = Agent.objects.get(user=world.agent)
    assert body["identity"] == agent.identity
    assert world.agent.email not in body["identity"]
    assert body["identity"] != str(world.agent.pk)

    claims = _decode(body["token"])
    assert claims["grants"]["identity"] == agent.identity
    assert claims["grants"]["voice"] == {
        "incoming": {"allow": True},
        "outgoing": {"application_sid": settings.TWILIO_TWIML_APP_SID},
    }
    assert claims["iss"] == settings.TWILIO_API_KEY
    assert claims["sub"] == settings.TWILIO_ACCOUNT_SID
    # Twilio's AccessToken writes no "iat"; "nbf" is the moment it was issued.
    assert "iat" not in claims
    assert 0 < claims["exp"] - claims["nbf"] <= 3600
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires_at.timestamp() == claims["exp"]
    assert world.agent.email not in response.content.decode()


def test_the_same_agent_keeps_the_same_identity(client, world):
    client.force_login(world.agent)
    first = client.get(URL).json()["identity"]
    assert client.get(URL).json()["identity"] == first
    client.force_login(world.supervisor)  # supervisors take calls too
    response = client.get(URL)
    assert response.status_code == 200
    assert response.json()["identity"] != first


@override_settings(PORTAL_VOICE_TOKEN_TTL=86_400)
def test_the_lifetime_is_clamped_to_an_hour(client, world):
    client.force_login(world.agent)
    claims = _decode(client.get(URL).json()["token"])
    assert claims["exp"] - claims["nbf"] == 3600


@override_settings(PORTAL_VOICE_TOKEN_TTL=600)
def test_a_shorter_lifetime_is_kept(client, world):
    client.force_login(world.agent)
    claims = _decode(client.get(URL).json()["token"])
    assert claims["exp"] - claims["nbf"] == 600


@pytest.mark.parametrize("role", [Role.COUNTER, Role.CASEWORKER])
def test_staff_whose_role_takes_no_calls_get_403(client, world, role):
    client.force_login(make_staff(world.mkc, role=role))
    response = client.get(URL)
    assert response.status_code == 403
    assert "error" in response.json()
    assert "token" not in response.json()
    assert not Agent.objects.exists()


def test_a_signed_in_resident_gets_403(client, world):
    client.force_login(UserFactory())
    response = client.get(URL)
    assert response.status_code == 403
    assert b"eyJ" not in response.content  # no JWT (they all start with '{"' in base64)
    assert not Agent.objects.exists()


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Agent.objects.exists()


def test_only_get(client, world):
    client.force_login(world.agent)
    assert client.post(URL).status_code == 405


@pytest.mark.parametrize(
    "missing", ["TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_TWIML_APP_SID", "TWILIO_ACCOUNT_SID"]
)
def test_not_configured_is_503_so_the_softphone_offers_the_desk_phone(client, world, missing):
    client.force_login(world.agent)
    with override_settings(**{missing: ""}):
        response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["error"]
    assert "no-store" in response["Cache-Control"]


def test_the_calls_panel_allows_exactly_the_twilio_hosts(client, world):
    client.force_login(world.agent)
    response = client.get(reverse("calls:panel"))
    assert response.status_code == 200
    policy = _directives(response["Content-Security-Policy"])
    assert policy["connect-src"] == [
        "'self'",
        "wss://voice-js.dublin.twilio.com",
        "https://eventgw.twilio.com",
        "https://eventgw.us1.twilio.com",
        "https://eventgw.ie1.twilio.com",
        "https://eventgw.au1.twilio.com",
        "https://sdk.twilio.com",
    ]
    assert policy["media-src"] == ["'self'", "https://sdk.twilio.com"]
    # Nothing else is loosened: scripts and styles still come only from us.
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]


def test_other_pages_keep_the_strict_policy(client, world):
    client.force_login(world.agent)
    for url in (reverse("desk:queue"), reverse("calls:log"), reverse("resident:track")):
        response = client.get(url)
        assert response.status_code == 200, url
        header = response["Content-Security-Policy"]
        assert "twilio" not in header, url
        assert _directives(header)["connect-src"] == ["'self'"], url


def test_the_panel_holds_the_softphone_for_call_takers_only(client, world):
    client.force_login(world.agent)
    html = client.get(reverse("calls:panel")).content.decode()
    assert 'id="softphone"' in html
    assert f'data-token-url="{URL}"' in html
    assert "/static/twilio/twilio.min.js" in html
    assert "/static/desk/js/softphone.mjs" in html
    # Without JavaScript: the controls stay hidden and the desk phone is offered.
    assert '<div id="softphone-controls" hidden>' in html
    assert f'id="softphone-log-call" href="{reverse("calls:log")}"' in html

    client.force_login(make_staff(world.mkc, role=Role.COUNTER))
    html = client.get(reverse("calls:panel")).content.decode()
    assert 'id="softphone"' not in html
    assert "twilio.min.js" not in html


def test_the_case_page_calls_the_resident_in_one_click_for_call_takers_only(client, world):
    from tests.factories import make_case

    case = make_case(world.bins)
    client.force_login(world.agent)
    response = client.get(reverse("desk:case", args=[case.reference]))
    html = response.content.decode()
    assert 'id="softphone"' in html
    assert f'data-softphone-call="{case.resident.phone}"' in html
    assert "https://sdk.twilio.com" in _directives(response["Content-Security-Policy"])["media-src"]
    # A caseworker takes no calls: no softphone and no call button.
    client.force_login(world.colleague)
    response = client.get(reverse("desk:case", args=[case.reference]))
    html = response.content.decode()
    assert 'id="softphone"' not in html and "data-softphone-call" not in html
