"""The agent, whisper, agent-status and wait-key webhooks with garbage fields: 2xx or 4xx,
never a 500, and never a <Dial> for anyone who is not a known agent."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from channels.voice import agents
from channels.voice.models import Agent
from services.models import Role
from tests.channels.voice.conftest import new_sid, post_signed
from tests.factories import CouncilFactory, make_staff

pytestmark = pytest.mark.django_db

URLS = [
    "/channels/voice/twilio/agent/",
    "/channels/voice/twilio/agent/?intent=next&agent=%00",
    "/channels/voice/twilio/whisper/",
    "/channels/voice/twilio/agent/status/",
    "/channels/voice/twilio/wait-key/",
]
garbage = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="\x00\r\n\t+0123456789", max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["", "\x00", "client:", "client:\x00", "next", "call", "completed", "CA"]),
)


@pytest.fixture
def agent(db):
    user = make_staff(CouncilFactory(code="FZ"), role=Role.AGENT)
    return agents.set_state(agents.agent_for(user), Agent.State.AVAILABLE)


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    url=st.sampled_from(URLS),
    sid=st.one_of(st.just("valid"), garbage),
    sender=garbage,
    intent=garbage,
    to=garbage,
    number=garbage,
)
def test_garbage_fields_never_crash_and_never_dial(agent, url, sid, sender, intent, to, number):
    payload = {
        "CallSid": new_sid() if sid == "valid" else sid,
        "From": sender,
        "Caller": sender,
        "Intent": intent,
        "To": to,
        "CallStatus": intent,
        "CallDuration": number,
        "QueueTime": number,
        "DequeingCallSid": sid,
        "Digits": number,
    }
    response = post_signed(Client(), url, payload)
    assert 200 <= response.status_code < 500, response.content
    assert b"<Dial" not in response.content
