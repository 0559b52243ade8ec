"""The calls panel: screen pop, wrap-up, desk-phone calls, call-backs, simulator."""

import pytest
from django.contrib.auth import get_user_model

from channels.voice import actions
from channels.voice.models import Call, Callback, CallbackAttempt, Outcome, Stage
from services.models import Case, Channel, EventKind, Message, Service, Status, TimelineEvent
from tests.channels.voice.conftest import CALLER, ENTRY, Caller
from tests.factories import ResidentFactory, UserFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(catalogue):
    return get_user_model().objects.get(username="agent@mk.example.org")


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def resident_with_cases(catalogue):
    resident = ResidentFactory(phone=CALLER, name="Alice Caller")
    bins = make_case(Service.objects.get(slug="mk-missed-bin"), resident, summary="Missed bin")
    restricted = Service.objects.filter(restricted=True).first()
    hidden = make_case(restricted, resident, summary="Care assessment")
    closed = make_case(
        Service.objects.get(slug="mk-missed-bin"), resident, status=Status.CLOSED, summary="Old"
    )
    return resident, bins, hidden, closed


def _live_call(client) -> Call:
    caller = Caller(client)
    caller.to_menu()
    return Call.objects.get(call_sid=caller.sid)


def test_panel_needs_staff(client, catalogue):
    response = client.get("/desk/calls/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get("/desk/calls/").status_code == 403


def test_panel_lists_live_calls_and_not_ended_ones(agent_client, client):
    live = _live_call(client)
    ended = _live_call(client)
    actions.apply_status(ended, "completed", 10, ended.started_at)
    response = agent_client.get("/desk/calls/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/desk/calls/{live.pk}/take/" in body
    assert f"/desk/calls/{ended.pk}/take/" not in body
    # One message for the button and the words only screen readers hear, so it can be reordered.
    assert f'Take call<span class="govuk-visually-hidden"> from {live.from_number}</span>' in body
    data = agent_client.get("/desk/calls/panel.json").json()
    assert [c["id"] for c in data["calls"]] == [live.pk]


def test_screen_pop_shows_the_caller_and_only_cases_the_agent_may_see(
    agent_client, client, resident_with_cases
):
    resident, bins, hidden, closed = resident_with_cases
    call = _live_call(client)
    response = agent_client.post(f"/desk/calls/{call.pk}/take/")
    assert response.status_code == 302
    page = agent_client.get(response["Location"]).content.decode()
    assert "Alice Caller" in page
    assert f"Call from {call.from_number}</h1>" in page
    assert bins.display_reference in page
    assert hidden.display_reference not in page and "Care assessment" not in page
    assert closed.display_reference not in page  # open cases only
    call.refresh_from_db()
    assert call.stage == Stage.WITH_AGENT and call.agent is not None


def test_wrap_up_onto_an_existing_case(agent_client, client, agent, resident_with_cases):
    _, bins, _, _ = resident_with_cases
    call = _live_call(client)
    agent_client.post(f"/desk/calls/{call.pk}/take/")
    response = agent_client.post(
        f"/desk/calls/{call.pk}/wrap-up/",
        {"case": bins.reference, "outcome": Outcome.CASE_UPDATED, "note": "Bin out since Monday"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/desk/cases/{bins.reference}/"
    event = TimelineEvent.objects.get(case=bins, kind=EventKind.CALL)
    assert event.actor == agent
    assert event.body == "Bin out since Monday"
    assert event.data["outcome"] == Outcome.CASE_UPDATED
    message = event.message
    assert message.channel == Channel.VOICE and message.provider_id == call.call_sid
    page = agent_client.get(response["Location"]).content.decode()
    assert "Outcome: Case updated" in page
    assert f"/desk/calls/{call.pk}/" in page
    # A second submit (double click, back button) logs nothing more.
    again = agent_client.post(
        f"/desk/calls/{call.pk}/wrap-up/",
        {"case": bins.reference, "outcome": Outcome.CASE_UPDATED, "note": "again"},
    )
    assert again.status_code == 409
    assert TimelineEvent.objects.filter(case=bins, kind=EventKind.CALL).count() == 1


def test_wrap_up_cannot_reach_a_case_the_agent_may_not_see(
    agent_client, client, resident_with_cases
):
    _, _, hidden, _ = resident_with_cases
    call = _live_call(client)
    response = agent_client.post(
        f"/desk/calls/{call.pk}/wrap-up/",
        {"case": hidden.reference, "outcome": Outcome.CASE_UPDATED},
    )
    assert response.status_code == 400
    assert not TimelineEvent.objects.filter(case=hidden, kind=EventKind.CALL).exists()
    with pytest.raises(actions.PermissionDenied):
        actions.log_call(
            get_user_model().objects.get(username="agent@mk.example.org"),
            call,
            outcome=Outcome.CASE_UPDATED,
            case=hidden,
        )


def test_wrap_up_opens_a_new_case_for_an_unknown_caller(agent_client, client):
    caller = Caller(client, sender="+447700900777")
    caller.to_menu()
    call = Call.objects.get(call_sid=caller.sid)
    page = agent_client.get(f"/desk/calls/{call.pk}/").content.decode()
    assert "We do not know this number" in page
    service = Service.objects.get(slug="mk-missed-bin")
    missing = agent_client.post(
        f"/desk/calls/{call.pk}/wrap-up/", {"case": "new", "outcome": Outcome.CASE_OPENED}
    )
    assert missing.status_code == 400
    assert "Choose the service" in missing.content.decode()
    response = agent_client.post(
        f"/desk/calls/{call.pk}/wrap-up/",
        {
            "case": "new",
            "service": service.pk,
            "summary": "Bin not emptied",
            "outcome": Outcome.CALLBACK,
            "note": "Will call back tomorrow",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(resident__phone="+447700900777")
    assert case.origin_channel == Channel.VOICE and case.summary == "Bin not emptied"
    assert TimelineEvent.objects.filter(case=case, kind=EventKind.CALL).count() == 1
    assert Callback.objects.get(call=call).reason == Callback.Reason.REQUESTED


def test_desk_phone_call_logged_by_hand(agent_client, resident_with_cases):
    _, bins, _, _ = resident_with_cases
    bad = agent_client.post("/desk/calls/log/", {"phone": "not a number", "direction": "in"})
    assert bad.status_code == 400
    response = agent_client.post(
        "/desk/calls/log/", {"phone": "07400 123456", "direction": "in", "minutes": "4"}
    )
    assert response.status_code == 302
    call = Call.objects.get(source=Call.Source.DESK)
    assert call.call_sid is None and call.duration == 240
    page = agent_client.get(response["Location"]).content.decode()
    assert "Alice Caller" in page and bins.display_reference in page
    agent_client.post(
        f"/desk/calls/{call.pk}/wrap-up/",
        {"case": bins.reference, "outcome": Outcome.INFORMATION, "note": "Explained dates"},
    )
    event = TimelineEvent.objects.get(case=bins, kind=EventKind.CALL)
    assert event.data["duration"] == 240
    assert event.message.provider_id is None


def test_callback_attempts_are_recorded(agent_client, agent, catalogue):
    callback = Callback.objects.create(
        phone=CALLER, reason=Callback.Reason.VOICEMAIL, created_at="2026-11-20T10:00Z"
    )
    page = agent_client.get("/desk/calls/callbacks/").content.decode()
    assert CALLER in page
    for _ in range(3):
        agent_client.post(
            f"/desk/calls/callbacks/{callback.pk}/attempt/", {"result": "no_answer", "note": "x"}
        )
    callback.refresh_from_db()
    assert callback.attempts.count() == 3
    assert callback.state == Callback.State.GAVE_UP
    # Finished: a fourth attempt is refused and not recorded.
    agent_client.post(f"/desk/calls/callbacks/{callback.pk}/attempt/", {"result": "reached"})
    assert callback.attempts.count() == 3
    assert CALLER not in agent_client.get("/desk/calls/callbacks/").content.decode()


def test_callback_reached_is_done(agent_client, catalogue):
    callback = Callback.objects.create(
        phone=CALLER, reason=Callback.Reason.MISSED, created_at="2026-11-20T10:00Z"
    )
    agent_client.post(f"/desk/calls/callbacks/{callback.pk}/attempt/", {"result": "reached"})
    callback.refresh_from_db()
    assert callback.state == Callback.State.DONE
    assert CallbackAttempt.objects.get(callback=callback).result == "reached"
    invalid = agent_client.post(f"/desk/calls/callbacks/{callback.pk}/attempt/", {"result": "x"})
    assert invalid.status_code == 302
    assert CallbackAttempt.objects.filter(callback=callback).count() == 1


def test_simulator_places_a_signed_call_through_the_ivr(agent_client, resident_with_cases):
    _, bins, _, _ = resident_with_cases
    response = agent_client.post(
        "/desk/calls/simulate/",
        {
            "caller": CALLER,
            "dialled": "+441632960002",
            "language": "1",
            "path": "status",
            "reference": bins.reference,
            "group": "1",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert ENTRY in body and "Northamptonshire" in body
    assert bins.get_status_display() in body
    assert Message.objects.filter(case=bins, channel=Channel.VOICE).count() == 1


def test_the_shared_simulator_page_places_a_call(agent_client, resident_with_cases):
    page = agent_client.get("/desk/simulator/")
    assert page.status_code == 200
    assert "Place a fake call" in page.content.decode()
    response = agent_client.post(
        "/desk/simulator/",
        {
            "simulator": "voice",
            "voice-caller": CALLER,
            "voice-dialled": "+441632960001",
            "voice-language": "2",
            "voice-path": "voicemail",
            "voice-group": "1",
            "voice-message": "Prosze oddzwonic",
        },
    )
    assert response.status_code == 200
    call = Call.objects.get(from_number=CALLER)
    assert call.language == "pl"
    assert call.case is not None and call.transcript == "Prosze oddzwonic"
    assert Callback.objects.filter(call=call, reason=Callback.Reason.VOICEMAIL).exists()


def test_the_joint_centres_agent_gets_the_northamptonshire_case_of_a_caller_on_that_line(
    client, catalogue
):
    """The "No open cases you can see" bug: the joint contact centre (an MKC office) serves
    both councils, so its agent's screen pop lists the caller's Northamptonshire case; a
    restricted case stays invisible."""
    from channels.voice.models import Agent
    from services.models import Office, Role
    from tests.channels.voice.conftest import NCC_LINE
    from tests.factories import make_staff

    centre = Office.objects.get(slug="joint-contact-centre")
    assert centre.serves.filter(code="NCC").exists()  # the demo data says so
    agent = make_staff(centre.council, role=Role.AGENT, office=centre, first_name="Jo")
    Agent.objects.create(user=agent, languages=["pl"])
    resident = ResidentFactory(phone=CALLER, name="Norma Caller")
    ncc_service = Service.objects.filter(
        responsible_council__code="NCC", restricted=False, joint=False
    ).first()
    ncc_case = make_case(ncc_service, resident, summary="Street light out")
    ncc_care = Service.objects.filter(responsible_council__code="NCC", restricted=True).first()
    hidden = make_case(ncc_care, resident, summary="Care assessment")
    caller = Caller(client, to=NCC_LINE)
    caller.to_menu(language="2")  # Polish
    call = Call.objects.get(call_sid=caller.sid)
    assert call.council.code == "NCC"
    client.force_login(agent)
    page = client.get(f"/desk/calls/{call.pk}/").content.decode()
    assert "No open cases you can see" not in page
    assert ncc_case.display_reference in page
    assert hidden.display_reference not in page and "Care assessment" not in page
    assert 'id="screen-pop-language"' in page and "Interpreter needed" not in page


def test_an_urdu_caller_heard_english_prompts_and_needs_an_interpreter(agent_client, client, agent):
    caller = Caller(client)
    caller.to_menu(language="5")
    call = Call.objects.get(call_sid=caller.sid)
    assert call.language == "ur"
    page = agent_client.get(f"/desk/calls/{call.pk}/").content.decode()
    assert "they heard the menu in English" in page
    assert "Interpreter needed" in page
