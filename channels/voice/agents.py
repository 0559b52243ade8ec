"""Contact-centre agents: who takes calls, their softphone identity and their availability.

The only module that writes ``channels.voice.models.Agent`` (the channel's own actions for its
own model). Routing — which caller an agent is offered — lives elsewhere and reads
``available_agents`` / ``effective_state``; it changes an agent's state only through
``set_state``, which locks the agent's row so that two requests for the same agent (a double
click on "Take next caller", Twilio retrying the TwiML App's request) are serialised.

**Who takes calls.** Contact-centre agents and supervisors (supervisors cover the phones in a
rush, as in any contact centre). Counter staff serve walk-ins, caseworkers work the back office
and administrators configure the system: they get no softphone and no access token. A
superuser without a staff profile has no council or office to take calls for, so none either.
This is ``CALL_TAKING_ROLES``; change it there.

**Wrap-up.** After a call the agent is in Wrap-up for at most ``PORTAL_VOICE_WRAP_UP_SECONDS``
(default 120). Once that has passed they count as Available (``effective_state``) even though the
row still says Wrap-up, so a forgotten wrap-up never takes an agent off the phones for good;
the row itself is corrected the next time ``set_state`` touches it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from channels.voice.models import Agent
from services import permissions
from services.models import Role

CALL_TAKING_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})


def takes_calls(user) -> bool:
    """Whether this user answers and places calls in the softphone (and may get a token)."""
    if not permissions.is_staff_member(user):
        return False
    profile = permissions.staff_profile(user)
    return profile is not None and profile.role in CALL_TAKING_ROLES


def agent_for(user) -> Agent:
    """The user's agent row, made on first use (a new agent starts Away).

    Callers check ``takes_calls`` first; this only guarantees the row and its identity exist.
    Two first requests at once make one row (``get_or_create`` retries on the unique user).
    """
    agent, _created = Agent.objects.get_or_create(user=user)
    return agent


def agent_by_identity(identity: str) -> Agent | None:
    """The agent a Twilio Client identity (``client:<identity>`` without the prefix) belongs to.

    ``None`` for an unknown identity, and for one whose user no longer takes calls (left,
    deactivated, moved to the counter): such an identity must be refused, never routed.
    """
    agent = Agent.objects.select_related("user").filter(identity=identity).first()
    if agent is None or not takes_calls(agent.user):
        return None
    return agent


def wrap_up_limit() -> datetime.timedelta:
    return datetime.timedelta(seconds=max(0, int(settings.PORTAL_VOICE_WRAP_UP_SECONDS)))


def effective_state(agent: Agent, now: datetime.datetime | None = None) -> str:
    """The agent's state as routing must see it: an expired Wrap-up is Available."""
    now = now or timezone.now()
    if (
        agent.state == Agent.State.WRAP_UP
        and agent.wrap_up_until is not None
        and agent.wrap_up_until <= now
    ):
        return Agent.State.AVAILABLE
    return agent.state


def available_q(now: datetime.datetime | None = None) -> Q:
    """The condition on ``Agent`` rows that may be offered a caller now."""
    now = now or timezone.now()
    return Q(state=Agent.State.AVAILABLE) | Q(
        state=Agent.State.WRAP_UP, wrap_up_until__isnull=False, wrap_up_until__lte=now
    )


def available_agents(now: datetime.datetime | None = None) -> QuerySet[Agent]:
    """Agents who may be offered a caller now, longest in their state first."""
    return Agent.objects.filter(available_q(now)).order_by("state_changed_at", "pk")


@transaction.atomic
def set_state(agent: Agent, state: str, *, now: datetime.datetime | None = None) -> Agent:
    """Move the agent to ``state`` under a lock on their row; returns the fresh row.

    Entering Wrap-up sets ``wrap_up_until`` to now plus the wrap-up limit; any other state
    clears it. Asking for the state the agent is already in changes nothing (so
    ``state_changed_at`` keeps saying how long they have been in it) — except an expired
    Wrap-up, which is really Available and is recorded as such first.
    """
    if state not in Agent.State.values:
        raise ValueError(f"Unknown agent state {state!r}")
    now = now or timezone.now()
    locked = Agent.objects.select_for_update().get(pk=agent.pk)
    changed = False
    if effective_state(locked, now) != locked.state:  # an expired Wrap-up ended at its limit
        locked.state = Agent.State.AVAILABLE
        locked.state_changed_at = locked.wrap_up_until
        locked.wrap_up_until = None
        changed = True
    if locked.state != state:
        locked.state = state
        locked.state_changed_at = now
        locked.wrap_up_until = now + wrap_up_limit() if state == Agent.State.WRAP_UP else None
        changed = True
    if changed:
        locked.save(update_fields=["state", "state_changed_at", "wrap_up_until"])
    return locked
