"""Background tasks of the voice channel (Django's tasks framework)."""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.tasks import task
from django.urls import reverse

from channels.voice import agents, routing
from channels.voice.backends import get_backend
from channels.voice.models import Agent
from services import permissions

logger = logging.getLogger(__name__)


def ring_url(agent: Agent) -> str:
    """The signed-URL form of the agent webhook: identity and intent in the query string."""
    query = urlencode({"intent": "next", "agent": agent.identity})
    return f"{settings.PUBLIC_BASE_URL}{reverse('voice:agent')}?{query}"


@task(queue_name="outbound")
def ring_agent(agent_id: int) -> str:
    """ "Ring my phone": call the agent's own number; when they answer, Twilio asks the agent
    webhook for the next caller on their behalf. Returns the new call's sid ('' if refused)."""
    agent = Agent.objects.select_related("user").filter(pk=agent_id).first()
    if agent is None or not agent.phone or not agents.takes_calls(agent.user):
        return ""
    profile = permissions.staff_profile(agent.user)
    caller_id = routing.council_voice_number(profile.council if profile else None)
    if not caller_id:
        logger.warning("Ring my phone: no council voice number to call from")
        return ""
    query = urlencode({"agent": agent.identity})
    placed = get_backend().place(
        to=agent.phone,
        from_=caller_id,
        url=ring_url(agent),
        status_callback=f"{settings.PUBLIC_BASE_URL}{reverse('voice:agent_status')}?{query}",
    )
    return placed.sid
