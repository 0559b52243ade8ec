"""“Ring my phone”: a desk POST enqueues a task that places the call through the backend; the
agent's answer reaches the agent webhook with the identity in the signed URL's query string."""

from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from channels.voice import agents
from channels.voice.backends import locmem
from channels.voice.models import Agent, Call
from services.models import Role
from tests.channels.voice.conftest import MKC_LINE, new_sid, parse_twiml, post_signed
from tests.channels.voice.test_agent_routing import queue_caller
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

LOCMEM = "channels.voice.backends.locmem.LocmemCallBackend"


@pytest.fixture(autouse=True)
def placed():
    locmem.reset()
    yield locmem.placed
    locmem.reset()


@override_settings(PORTAL_VOICE_CALL_BACKEND=LOCMEM)
def test_ring_my_phone_places_a_call_that_routes_the_next_caller(
    client, caller, open_now, catalogue, placed
):
    user = make_staff(catalogue["MKC"], role=Role.AGENT)
    agent = agents.set_state(agents.agent_for(user), Agent.State.AVAILABLE)
    Agent.objects.filter(pk=agent.pk).update(phone="+447400777888")
    client.force_login(user)
    assert client.get(reverse("calls:ring")).status_code == 405
    response = client.post(reverse("calls:ring"))
    assert response.status_code == 302
    assert len(placed) == 1
    call = placed[0]
    assert call.to == "+447400777888" and call.from_ == MKC_LINE
    assert f"agent={agent.identity}" in call.url and "intent=next" in call.url
    waiting, _enqueue = queue_caller(caller)
    # The agent answers their desk phone: Twilio asks the URL it was given, signed.
    leg = new_sid()
    parts = urlsplit(call.url)
    root = parse_twiml(
        post_signed(
            client,
            f"{parts.path}?{parts.query}",
            {"CallSid": leg, "From": MKC_LINE, "To": "+447400777888", "CallStatus": "in-progress"},
        )
    )
    assert root.find("Dial/Queue").text == "cc-mkc-en"
    assert Call.objects.get(call_sid=waiting.sid).agent_id == user.pk


def test_ring_my_phone_is_for_call_takers_only(client, catalogue, placed):
    user = make_staff(catalogue["MKC"], role=Role.CASEWORKER)
    client.force_login(user)
    assert client.post(reverse("calls:ring")).status_code == 403
    client.logout()
    assert client.post(reverse("calls:ring")).status_code in (302, 403)
    assert not placed


def test_a_forged_ring_url_is_refused(client, catalogue):
    user = make_staff(catalogue["MKC"], role=Role.AGENT)
    agent = agents.agent_for(user)
    url = f"/channels/voice/twilio/agent/?intent=next&agent={agent.identity}"
    assert post_signed(client, url, {"CallSid": new_sid()}, token="forged").status_code == 403


def test_the_calls_panel_offers_ring_my_phone_without_javascript(client, catalogue):
    user = make_staff(catalogue["MKC"], role=Role.AGENT)
    client.force_login(user)
    page = client.get(reverse("calls:panel")).content.decode()
    form = page.split('action="' + reverse("calls:ring") + '"', 1)
    assert len(form) == 2, "the panel has no form posting to Ring my phone"
    assert 'method="post"' in form[0][-80:] + form[1][:40]
    assert "csrfmiddlewaretoken" in form[1].split("</form>", 1)[0]
    assert "Ring my phone" in form[1].split("</form>", 1)[0]
