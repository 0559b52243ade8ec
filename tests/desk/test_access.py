"""Who may use the desk at all: signed-in staff with a staff profile (or superusers)."""

import pytest

from tests.factories import UserFactory

DESK_PAGES = ["/desk/", "/desk/supervisor/"]


@pytest.mark.parametrize("url", DESK_PAGES)
def test_anonymous_user_is_sent_to_sign_in(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", DESK_PAGES)
def test_resident_account_is_refused(client, world, url):
    client.force_login(UserFactory(is_staff=False))
    assert client.get(url).status_code == 403


def test_staff_flag_without_profile_is_refused(client, world):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/desk/").status_code == 403


def test_staff_member_with_profile_gets_the_queue(agent_client):
    response = agent_client.get("/desk/")
    assert response.status_code == 200
    assert b"Next case" in response.content


def test_superuser_gets_the_queue(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/desk/").status_code == 200


def test_inactive_staff_member_cannot_use_the_desk(client, world):
    world.agent.is_active = False
    world.agent.save()
    client.force_login(world.agent)
    response = client.get("/desk/")
    assert response.status_code in (302, 403)


def test_next_case_refuses_get(agent_client):
    assert agent_client.get("/desk/next/").status_code == 405


def test_actions_need_csrf_token(world):
    from django.test import Client

    from tests.factories import make_case

    case = make_case(world.bins)
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.agent)
    response = client.post(f"/desk/cases/{case.reference}/note/", {"text": "hello"})
    assert response.status_code == 403
    assert not case.timeline.filter(kind="note").exists()
