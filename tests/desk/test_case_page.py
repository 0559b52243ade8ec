"""The case page and its actions, over HTTP, with the permission checks that guard them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services.models import (
    Attachment,
    CaseView,
    EventKind,
    Message,
    ReferralBody,
    Status,
)
from services.reference import format_reference
from tests.factories import ResidentFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    return make_case(world.bins, summary="Bin not collected on Elm Road")


def url(case, action=""):
    return f"/desk/cases/{case.reference}/{action + '/' if action else ''}"


def test_case_page_shows_case_and_records_the_view(agent_client, world, case):
    response = agent_client.get(url(case))
    assert response.status_code == 200
    assert "Bin not collected on Elm Road" in response.content.decode()
    assert CaseView.objects.filter(case=case, user=world.agent).count() == 1
    agent_client.get(url(case))
    assert CaseView.objects.filter(case=case, user=world.agent).count() == 2


def test_case_of_another_councils_restricted_service_is_404(agent_client, world):
    hidden = make_case(world.social)
    assert agent_client.get(url(hidden)).status_code == 404
    assert not CaseView.objects.filter(case=hidden).exists()
    response = agent_client.post(url(hidden, "note"), {"text": "peek"})
    assert response.status_code == 404
    assert not hidden.timeline.filter(kind=EventKind.NOTE).exists()


@pytest.mark.parametrize(
    "reference", ["123", "abcdefghi", "100000010", "<script>", "1" * 200, "100%2000%20001"]
)
def test_bad_references_are_404(agent_client, reference):
    assert agent_client.get(f"/desk/cases/{reference}/").status_code == 404


def test_grouped_reference_redirects_to_the_case(agent_client, case):
    response = agent_client.get(
        f"/desk/cases/{format_reference(case.reference).replace(' ', '-')}/"
    )
    assert response.status_code == 302
    assert response["Location"] == url(case)


def test_timeline_shows_messages_across_channels_and_internal_notes(agent_client, world, case):
    from services import actions
    from services.actions import InboundMessage

    case.resident.phone = "+447400123456"
    case.resident.save()
    actions.intake(
        InboundMessage(
            channel="sms",
            sender="+447400123456",
            body=f"Any news on {case.reference}?",
            provider_id="SM0001",
            acknowledge=False,
        )
    )
    actions.add_note(world.agent, case, "Crew says the road was blocked")
    content = agent_client.get(url(case)).content.decode()
    assert "Any news on" in content
    assert "SMS" in content
    assert "Crew says the road was blocked" in content
    assert "Internal" in content


def test_a_text_taken_in_late_says_so_on_the_timeline(agent_client, case):
    from services import actions
    from services.actions import InboundMessage

    case.resident.phone = "+447400123456"
    case.resident.save()
    result = actions.intake(
        InboundMessage(
            channel="sms",
            sender="+447400123456",
            body="Sent while the site was down",
            provider_id="SM0002",
            acknowledge=False,
        )
    )
    content = agent_client.get(url(case)).content.decode()
    assert "Arrived late" not in content
    Message.objects.filter(pk=result.message.pk).update(
        metadata={"taken_in_late": "2026-11-22T08:00:00+00:00"}
    )
    content = agent_client.get(url(case)).content.decode()
    assert "Arrived late: recovered from Twilio’s message log" in content


def test_add_note_and_hostile_note_is_escaped(agent_client, case):
    response = agent_client.post(url(case, "note"), {"text": "<script>alert(1)</script>"})
    assert response.status_code == 302
    note = case.timeline.get(kind=EventKind.NOTE)
    assert note.body == "<script>alert(1)</script>"
    content = agent_client.get(url(case)).content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_empty_note_is_a_form_error(agent_client, case):
    response = agent_client.post(url(case, "note"), {"text": "   "})
    assert response.status_code == 400
    assert "Enter the note" in response.content.decode()
    assert not case.timeline.filter(kind=EventKind.NOTE).exists()


def test_change_status_along_an_allowed_transition(agent_client, case, outbox):
    response = agent_client.post(url(case, "status"), {"status": Status.IN_PROGRESS})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_refused_transition_is_a_form_error(agent_client, case):
    response = agent_client.post(url(case, "status"), {"status": Status.CLOSED})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_status_form_offers_only_allowed_transitions(agent_client, case):
    from services import workflow

    form = agent_client.get(url(case)).context["status_form"]
    offered = {value for value, _ in form.fields["status"].choices}
    assert offered == set(workflow.next_statuses(case.status)) - {Status.MERGED}


def test_assign_to_me_and_to_a_colleague(agent_client, world, case):
    assert agent_client.post(url(case, "assign"), {"to_me": "1"}).status_code == 302
    case.refresh_from_db()
    assert case.assignee == world.agent
    response = agent_client.post(url(case, "assign"), {"assignee": world.colleague.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == world.colleague


def test_cannot_assign_to_staff_of_the_other_council(agent_client, world, case):
    response = agent_client.post(url(case, "assign"), {"assignee": world.ncc_worker.pk})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.assignee is None


def test_transfer_to_another_councils_team(agent_client, world, case):
    response = agent_client.post(
        url(case, "transfer"), {"team": world.ncc_team.pk, "note": "theirs"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.team == world.ncc_team
    assert case.delivering_council == world.ncc
    reference_before = case.reference
    assert case.reference == reference_before


def test_transfer_needs_a_destination(agent_client, case):
    response = agent_client.post(url(case, "transfer"), {"note": "somewhere"})
    assert response.status_code == 400
    assert "Choose a team, an office or a council" in response.content.decode()


def test_reply_queues_a_message_with_attachment(agent_client, world, case):
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = agent_client.post(
        url(case, "reply"),
        {"body": "We will collect it tomorrow.", "channel": "email", "attachments": [upload]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    message = Message.objects.get(case=case, direction="out", kind="reply")
    assert message.channel == "email"
    assert "We will collect it tomorrow." in message.body
    attachment = Attachment.objects.get(case=case)
    assert attachment.message == message
    assert attachment.uploaded_by == world.agent
    assert attachment.file.read() == b"%PDF-1.4 test"
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_reply_requesting_information_pauses_the_clock(agent_client, case):
    response = agent_client.post(
        url(case, "reply"),
        {"body": "Which bin?", "channel": "sms", "request_information": "on"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.WAITING
    assert case.paused_at is not None


def test_reply_check_length_counts_segments_and_sends_nothing(agent_client, case):
    response = agent_client.post(
        url(case, "reply"), {"body": "Dziękujemy " * 20, "channel": "sms", "action": "check"}
    )
    assert response.status_code == 200
    info = response.context["segments"]
    assert info.encoding == "ucs2"
    assert info.segments >= 4
    assert "As a text message" in response.content.decode()
    assert not Message.objects.filter(case=case, direction="out").exists()


def test_reply_refuses_channel_the_resident_did_not_consent_to(agent_client, world):
    resident = ResidentFactory(consent_sms=False)
    case = make_case(world.bins, resident=resident)
    response = agent_client.post(url(case, "reply"), {"body": "Hello", "channel": "sms"})
    assert response.status_code == 400
    assert not Message.objects.filter(case=case, direction="out").exists()


@pytest.mark.parametrize("name", ["evil.exe", "page.html", "noextension"])
def test_reply_refuses_unsafe_attachments(agent_client, case, name):
    upload = SimpleUploadedFile(name, b"MZ", content_type="application/octet-stream")
    response = agent_client.post(
        url(case, "reply"), {"body": "See attached", "channel": "email", "attachments": [upload]}
    )
    assert response.status_code == 400
    assert not Attachment.objects.exists()


def test_attachment_download_checks_permission(client, agent_client, world, case):
    # A real PNG's signature and header: files are judged by their content.
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    upload = SimpleUploadedFile("photo.png", png, content_type="image/png")
    agent_client.post(
        url(case, "reply"), {"body": "Photo", "channel": "email", "attachments": [upload]}
    )
    attachment = Attachment.objects.get(case=case)
    response = agent_client.get(f"{url(case)}files/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png
    assert "attachment;" in response["Content-Disposition"]
    # Another council's caseworker cannot see the case, so neither the file.
    client.force_login(world.ncc_worker)
    assert client.get(f"{url(case)}files/{attachment.pk}/").status_code == 404
    # A file of another case is not reachable through this case's address.
    other = make_case(world.bins)
    client.force_login(world.agent)
    assert client.get(f"{url(other)}files/{attachment.pk}/").status_code == 404
    # And the private storage is not under MEDIA_URL.
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_merge_into_another_case(agent_client, world, case):
    keeper = make_case(world.bins, resident=case.resident)
    response = agent_client.post(url(case, "merge"), {"into": format_reference(keeper.reference)})
    assert response.status_code == 302
    assert response["Location"] == url(keeper)
    case.refresh_from_db()
    assert case.status == Status.MERGED and case.merged_into == keeper


@pytest.mark.parametrize("value", ["", "123456789", "not a ref", "<script>"])
def test_merge_with_bad_reference_is_a_form_error(agent_client, case, value):
    response = agent_client.post(url(case, "merge"), {"into": value})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.RECEIVED


def test_merge_into_a_case_the_user_cannot_see_is_refused_without_leaking(
    agent_client, world, case
):
    hidden = make_case(world.social)
    response = agent_client.post(url(case, "merge"), {"into": hidden.reference})
    assert response.status_code == 400
    assert "no case with that reference that you can see" in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.status == Status.RECEIVED


def test_refer_to_a_referral_body(agent_client, case):
    body = ReferralBody.objects.create(name="West Northants Council", slug="wnc")
    response = agent_client.post(url(case, "refer"), {"body": body.pk, "note": "Their bins"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REFERRED and case.referral_body == body


def test_other_cases_of_the_resident_exclude_hidden_ones(agent_client, world, case):
    visible = make_case(world.bins, resident=case.resident)
    hidden = make_case(world.social, resident=case.resident)
    response = agent_client.get(url(case))
    others = {c.reference for c in response.context["other_cases"]}
    assert others == {visible.reference}
    assert hidden.reference not in response.content.decode()


def test_case_page_query_count_does_not_grow_with_the_timeline(agent_client, world, case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from services import actions

    actions.add_note(world.agent, case, "one")
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url(case))
    for i in range(20):
        actions.add_note(world.agent, case, f"note {i}")
        actions.reply(world.agent, case, f"reply {i}", channel="email")
    with CaptureQueriesContext(connection) as many:
        agent_client.get(url(case))
    assert len(many) == len(few)
