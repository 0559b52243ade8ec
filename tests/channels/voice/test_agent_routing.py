"""Routing, driven as Twilio drives it: the caller's queue, the agent's TwiML App requests,
the whisper, the end of the agent's leg — signed requests, TwiML checked, replays compared."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from channels.voice import agents
from channels.voice.models import Agent, AgentStep, Call, Callback, CallStatus, Outcome, Stage
from services.models import Role
from tests.channels.voice.conftest import (
    CALLER,
    MKC_LINE,
    NCC_LINE,
    action_of,
    new_sid,
    parse_twiml,
    post_signed,
    spoken,
)
from tests.factories import ResidentFactory, make_case, make_staff

pytestmark = pytest.mark.django_db

AGENT_URL = "/channels/voice/twilio/agent/"
AGENT_STATUS_URL = "/channels/voice/twilio/agent/status/"
WHISPER_URL = "/channels/voice/twilio/whisper/"


def agent_payload(identity: str, sid: str, **fields) -> dict:
    """What Twilio posts to a TwiML App's Voice URL for a Voice SDK call (plus its params)."""
    return {
        "AccountSid": "AC00000000000000000000000000000000",
        "ApplicationSid": "AP" + "0" * 32,
        "ApiVersion": "2010-04-01",
        "CallSid": sid,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "From": f"client:{identity}",
        "Caller": f"client:{identity}",
        "To": "",
        **fields,
    }


def make_agent(council, *, languages=(), state=Agent.State.AVAILABLE, **kwargs) -> Agent:
    user = make_staff(council, role=Role.AGENT, **kwargs)
    agent = agents.agent_for(user)
    agents.set_state(agent, state)
    if languages:
        Agent.objects.filter(pk=agent.pk).update(languages=list(languages))
    return Agent.objects.get(pk=agent.pk)


def queue_caller(caller, *, to=MKC_LINE, sender=CALLER, language="1"):
    """Drive the IVR to the queue; returns (Caller, <Enqueue> element)."""
    call = caller(to=to, sender=sender)
    call.to_menu(language)
    call.next(Digits="2")
    call.next(Digits="1")
    root = call.next(Digits="1")
    enqueue = root.find("Enqueue")
    assert enqueue is not None
    return call, enqueue


def ask_next(client, agent: Agent, sid: str | None = None):
    sid = sid or new_sid()
    response = post_signed(client, AGENT_URL, agent_payload(agent.identity, sid, Intent="next"))
    return sid, response


def whisper(client, call_sid: str, dequeuing_sid: str, **fields):
    payload = {
        "AccountSid": "AC00000000000000000000000000000000",
        "CallSid": call_sid,
        "DequeingCallSid": dequeuing_sid,
        "QueueSid": new_sid("QU"),
        "QueueTime": "31",
        "CallStatus": "in-progress",
        **fields,
    }
    return post_signed(client, WHISPER_URL, payload)


# --- The caller's side --------------------------------------------------------------------------


def test_callers_wait_in_a_queue_per_line_and_language(caller, open_now):
    _c1, enqueue = queue_caller(caller)
    assert enqueue.text == "cc-mkc-en"
    _c2, enqueue = queue_caller(caller, to=NCC_LINE, sender="+447400123457", language="2")
    assert enqueue.text == "cc-ncc-pl"
    stored = Call.objects.get(call_sid=_c2.sid)
    assert stored.queue_name == "cc-ncc-pl" and stored.queued_at is not None
    assert stored.stage == Stage.WAITING and stored.language == "pl"


def test_wait_says_the_position_and_any_key_leaves_for_a_voicemail(caller, open_now):
    call, enqueue = queue_caller(caller)
    wait = call.step(enqueue.get("waitUrl"), QueuePosition="2", QueueTime="12", AvgQueueTime="0")
    assert "number 2 in the queue" in spoken(wait)
    assert "press any key" in spoken(wait)
    gather = wait.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("action").endswith("/wait-key/")
    first = call.post(gather.get("action"), Digits="5")
    assert parse_twiml(first).find("Leave") is not None
    assert call.post(gather.get("action"), Digits="5").content == first.content  # replay
    assert Call.objects.get(call_sid=call.sid).chose_voicemail
    root = call.step(enqueue.get("action"), QueueResult="leave", QueueTime="14")
    assert root.find("Record") is not None
    assert "busy" not in spoken(root)  # they chose it; nobody is "busy"
    recorded = call.step(
        action_of(root, "Record"),
        RecordingUrl="https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE1",
        RecordingSid=new_sid("RE"),
        RecordingDuration="9",
    )
    assert "We will call you back" in spoken(recorded)
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.outcome == Outcome.VOICEMAIL and stored.case is not None
    assert Callback.objects.filter(call=stored, reason=Callback.Reason.VOICEMAIL).exists()


@override_settings(PORTAL_VOICE_MAX_WAIT=300)
def test_after_the_maximum_wait_the_caller_leaves_the_queue_for_a_voicemail(caller, open_now):
    call, enqueue = queue_caller(caller)
    wait = call.step(enqueue.get("waitUrl"), QueuePosition="1", QueueTime="299")
    assert wait.find("Leave") is None and wait.find("Gather") is not None
    wait = call.step(enqueue.get("waitUrl"), QueuePosition="1", QueueTime="300")
    assert wait.find("Leave") is not None
    root = call.step(enqueue.get("action"), QueueResult="leave", QueueTime="301")
    assert root.find("Record") is not None and "busy" in spoken(root)


def test_a_caller_who_hangs_up_in_the_queue_is_abandoned_and_frees_the_offer(
    client, caller, open_now, catalogue
):
    agent = make_agent(catalogue["MKC"])
    call, enqueue = queue_caller(caller)
    ask_next(client, agent)
    assert Call.objects.get(call_sid=call.sid).agent_id == agent.user_id
    call.step(enqueue.get("action"), QueueResult="hangup", QueueTime="40")
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.outcome == Outcome.ABANDONED and stored.ended_at is not None
    assert stored.agent_id is None and stored.offered_at is None
    assert stored.stage == Stage.ENDED


# --- The agent's side -----------------------------------------------------------------------------


def test_next_caller_whisper_and_wrap_up(client, caller, open_now, catalogue):
    agent = make_agent(catalogue["MKC"])
    resident = ResidentFactory(phone=CALLER)
    from services.models import Service

    make_case(Service.objects.get(slug="mk-missed-bin"), resident)
    call, enqueue = queue_caller(caller)
    leg, response = ask_next(client, agent)
    root = parse_twiml(response)
    queue = root.find("Dial/Queue")
    assert queue is not None and queue.text == "cc-mkc-en"
    assert queue.get("url").endswith("/channels/voice/twilio/whisper/")
    assert root.find("Hangup") is None
    heard = spoken(root)
    assert "English speaker" in heard and "Milton Keynes line" in heard
    assert "one open case" in heard
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.agent_id == agent.user_id and stored.offered_at is not None
    assert stored.agent_call_sid == leg
    assert Agent.objects.get(pk=agent.pk).state == Agent.State.ON_CALL
    # The same request again (Twilio's retry, a replay) gets the same TwiML, offers nothing new.
    assert ask_next(client, agent, leg)[1].content == response.content
    assert AgentStep.objects.filter(leg_sid=leg).count() == 1

    said = whisper(client, call.sid, leg)
    assert "Putting you through" in spoken(parse_twiml(said))
    assert whisper(client, call.sid, leg).content == said.content
    stored.refresh_from_db()
    assert stored.stage == Stage.WITH_AGENT and stored.outcome == Outcome.ANSWERED
    assert stored.answered_at is not None and stored.agent_id == agent.user_id
    assert stored.resident == resident

    # Asking again while on the call: nothing new.
    again = parse_twiml(ask_next(client, agent)[1])
    assert again.find("Dial") is None and "already on a call" in spoken(again)

    call.step(enqueue.get("action"), QueueResult="bridged", QueueTime="31")
    done = post_signed(
        client,
        AGENT_STATUS_URL,
        agent_payload(agent.identity, leg, CallStatus="completed", CallDuration="95"),
    )
    assert done.status_code == 204
    stored.refresh_from_db()
    assert stored.ended_at is not None
    assert Agent.objects.get(pk=agent.pk).state == Agent.State.WRAP_UP


def test_nobody_waiting_leaves_the_agent_available_and_the_replay_stays_the_same(
    client, caller, open_now, catalogue
):
    agent = make_agent(catalogue["MKC"])
    leg, response = ask_next(client, agent)
    root = parse_twiml(response)
    assert root.find("Dial") is None and root.find("Hangup") is not None
    assert "Nobody is waiting" in spoken(root)
    assert Agent.objects.get(pk=agent.pk).state == Agent.State.AVAILABLE
    queue_caller(caller)  # a caller arrives: the old request, replayed, still dials nothing
    assert ask_next(client, agent, leg)[1].content == response.content


def test_agents_get_callers_in_their_language_first_then_anyone(
    client, caller, open_now, catalogue
):
    english, _e = queue_caller(caller, sender="+447400100001")
    polish, _p = queue_caller(caller, sender="+447400100002", language="2")
    speaks_polish = make_agent(catalogue["MKC"], languages=["pl"])
    plain = make_agent(catalogue["MKC"])
    parse_twiml(ask_next(client, speaks_polish)[1])
    assert Call.objects.get(call_sid=polish.sid).agent_id == speaks_polish.user_id
    root = parse_twiml(ask_next(client, plain)[1])
    assert Call.objects.get(call_sid=english.sid).agent_id == plain.user_id
    assert root.find("Dial/Queue").text == "cc-mkc-en"


def test_an_agent_is_offered_only_the_lines_they_serve(client, caller, open_now, catalogue):
    queue_caller(caller, to=NCC_LINE)
    mk_agent = make_agent(catalogue["MKC"])
    root = parse_twiml(ask_next(client, mk_agent)[1])
    assert root.find("Dial") is None
    ncc_agent = make_agent(catalogue["NCC"])
    root = parse_twiml(ask_next(client, ncc_agent)[1])
    assert root.find("Dial/Queue").text == "cc-ncc-en"
    assert "Northamptonshire line" in spoken(root)


def test_crossed_dequeues_are_recorded_with_the_agent_who_really_took_the_call(
    client, caller, open_now, catalogue
):
    first, _e1 = queue_caller(caller, sender="+447400100001")
    second, _e2 = queue_caller(caller, sender="+447400100002")
    a, b = make_agent(catalogue["MKC"]), make_agent(catalogue["MKC"])
    leg_a, _r = ask_next(client, a)
    leg_b, _r = ask_next(client, b)
    assert Call.objects.get(call_sid=first.sid).agent_id == a.user_id
    # Twilio gives B's dial the first caller in the queue, and A's the second.
    whisper(client, first.sid, leg_b)
    whisper(client, second.sid, leg_a)
    assert Call.objects.get(call_sid=first.sid).agent_id == b.user_id
    assert Call.objects.get(call_sid=second.sid).agent_id == a.user_id
    assert Call.objects.get(call_sid=second.sid).agent_call_sid == leg_a


def test_unknown_or_unentitled_identity_is_refused_without_a_dial(
    client, caller, open_now, catalogue
):
    queue_caller(caller)
    for identity in ["0" * 32, "not-an-identity", "", "client:" + "f" * 32]:
        root = parse_twiml(
            post_signed(client, AGENT_URL, agent_payload(identity, new_sid(), Intent="next"))
        )
        assert root.find("Dial") is None and root.find("Hangup") is not None
    counter = make_staff(catalogue["MKC"], role=Role.COUNTER)
    former = agents.agent_for(counter)  # a row, but the role takes no calls
    root = parse_twiml(
        post_signed(client, AGENT_URL, agent_payload(former.identity, new_sid(), Intent="next"))
    )
    assert root.find("Dial") is None
    assert not Call.objects.filter(agent__isnull=False).exists()


def test_unsigned_and_forged_agent_requests_are_refused(client, catalogue):
    agent = make_agent(catalogue["MKC"])
    payload = agent_payload(agent.identity, new_sid(), Intent="next")
    for url in (AGENT_URL, WHISPER_URL, AGENT_STATUS_URL):
        assert client.post(url, payload).status_code == 403
        assert post_signed(client, url, payload, token="forged").status_code == 403
    assert not AgentStep.objects.exists()


# --- Calling out ---------------------------------------------------------------------------------


def test_calling_a_resident_of_a_visible_case_dials_with_the_councils_line(client, catalogue):
    from services.models import Service

    agent = make_agent(catalogue["MKC"])
    resident = ResidentFactory(phone="+447400555111")
    make_case(Service.objects.get(slug="mk-missed-bin"), resident)
    leg = new_sid()
    payload = agent_payload(agent.identity, leg, Intent="call", To="07400 555111")
    response = post_signed(client, AGENT_URL, payload)
    root = parse_twiml(response)
    dial = root.find("Dial")
    assert dial is not None and dial.get("callerId") == MKC_LINE
    assert dial.find("Number").text == "+447400555111"
    assert post_signed(client, AGENT_URL, payload).content == response.content
    out = Call.objects.get(call_sid=leg)
    assert out.direction == "out" and out.agent_id == agent.user_id
    assert out.to_number == "+447400555111" and out.council == catalogue["MKC"]
    assert Agent.objects.get(pk=agent.pk).state == Agent.State.ON_CALL
    post_signed(
        client,
        AGENT_STATUS_URL,
        agent_payload(agent.identity, leg, CallStatus="completed", CallDuration="61"),
    )
    out.refresh_from_db()
    assert out.status == CallStatus.COMPLETED and out.duration == 61 and out.ended_at
    assert out.outcome == ""  # for the agent's wrap-up, not "abandoned"
    assert Agent.objects.get(pk=agent.pk).state == Agent.State.WRAP_UP


def test_calling_an_open_call_back_entry_is_allowed(client, catalogue):
    agent = make_agent(catalogue["MKC"])
    Callback.objects.create(
        phone="+447400555222", reason=Callback.Reason.MISSED, created_at=timezone.now()
    )
    root = parse_twiml(
        post_signed(
            client,
            AGENT_URL,
            agent_payload(agent.identity, new_sid(), Intent="call", To="+447400555222"),
        )
    )
    assert root.find("Dial/Number").text == "+447400555222"


@pytest.mark.parametrize(
    "to",
    [
        "+447400999999",  # nobody's number
        "+882351234567",  # a premium international destination
        "+447400555333",  # a resident of a case the agent cannot see (another council)
        "+447400555444",  # a call back already done
        "999",
        "not a number",
        "",
    ],
)
def test_calling_any_other_number_is_refused_without_a_dial(client, catalogue, to):
    from services.models import Service

    agent = make_agent(catalogue["MKC"])
    ncc_service = Service.objects.filter(responsible_council=catalogue["NCC"], restricted=False)
    ncc_service = ncc_service.exclude(joint=True).first()
    make_case(ncc_service, ResidentFactory(phone="+447400555333"))
    Callback.objects.create(
        phone="+447400555444",
        reason=Callback.Reason.MISSED,
        state=Callback.State.DONE,
        created_at=timezone.now(),
    )
    root = parse_twiml(
        post_signed(
            client, AGENT_URL, agent_payload(agent.identity, new_sid(), Intent="call", To=to)
        )
    )
    assert root.find("Dial") is None and root.find("Hangup") is not None
    assert not Call.objects.filter(direction="out").exists()
    assert Agent.objects.get(pk=agent.pk).state == Agent.State.AVAILABLE


def test_an_offer_nobody_took_up_is_released_when_the_agent_leg_ends(
    client, caller, open_now, catalogue
):
    agent = make_agent(catalogue["MKC"])
    call, _enqueue = queue_caller(caller)
    leg, _r = ask_next(client, agent)
    post_signed(
        client, AGENT_STATUS_URL, agent_payload(agent.identity, leg, CallStatus="no-answer")
    )
    stored = Call.objects.get(call_sid=call.sid)
    assert stored.agent_id is None and stored.stage == Stage.WAITING
    other = make_agent(catalogue["MKC"])
    parse_twiml(ask_next(client, other)[1])
    assert Call.objects.get(call_sid=call.sid).agent_id == other.user_id


def test_a_stale_offer_stops_holding_the_caller(client, caller, open_now, catalogue):
    agent = make_agent(catalogue["MKC"])
    call, _enqueue = queue_caller(caller)
    ask_next(client, agent)
    Call.objects.filter(call_sid=call.sid).update(
        offered_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    other = make_agent(catalogue["MKC"])
    parse_twiml(ask_next(client, other)[1])
    assert Call.objects.get(call_sid=call.sid).agent_id == other.user_id


def test_the_answered_call_shows_with_its_agent_on_the_panel_and_the_wallboard(
    client, caller, open_now, catalogue
):
    agent = make_agent(catalogue["MKC"], first_name="Priya", last_name="Shah")
    supervisor = make_staff(catalogue["MKC"], role=Role.SUPERVISOR)
    call, _enqueue = queue_caller(caller)
    leg, _response = ask_next(client, agent)
    whisper(client, call.sid, leg)
    stored = Call.objects.get(call_sid=call.sid)

    client.force_login(agent.user)
    panel = client.get(reverse("calls:panel")).content.decode()
    assert "With Priya Shah" in panel
    assert reverse("calls:call", args=[stored.pk]) in panel  # the agent opens their own call

    client.force_login(supervisor)
    board = client.get(reverse("calls:wallboard"), {"format": "json"}).json()
    mk = next(line for line in board["lines"] if line["key"] == "MKC")
    assert mk["answered_today"] == 1 and mk["answered_within_60_today"] == 1
    assert mk["waiting"] == 0 and mk["agents"]["on_call"] == 1
