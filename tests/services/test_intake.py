"""Intake: one path for every channel — dedupe, identify, thread, route, acknowledge."""

import threading

import pytest
from django.conf import settings
from django.db import connections

from services.actions import InboundAttachment, InboundMessage, ResidentDetails, intake
from services.models import (
    Case,
    Channel,
    EventKind,
    Message,
    MessageStatus,
    Resident,
    Service,
    Status,
)


def sms(body="My bin was not collected", sid="SM0001", sender="+447400123456", **extra):
    return InboundMessage(
        channel=Channel.SMS,
        sender=sender,
        recipient="+447400000001",
        body=body,
        provider_id=sid,
        **extra,
    )


def test_a_first_contact_opens_a_routed_timed_acknowledged_case(
    catalogue, django_capture_on_commit_callbacks, outbox
):
    with django_capture_on_commit_callbacks(execute=True):
        result = intake(
            InboundMessage(
                channel=Channel.WEB,
                service=Service.objects.get(slug="mk-missed-bin"),
                resident_details=ResidentDetails(
                    name="Ada Lovelace", email="ada@example.com", postcode="MK9 3EJ"
                ),
                summary="Missed bin at 1 Saxon Gate",
                body="Grey bin not collected on Tuesday",
                thread_to_open_case=False,
            )
        )
    case = result.case
    assert result.created_case and not result.duplicate
    assert case.status == Status.RECEIVED
    assert case.delivering_council == catalogue["MKC"] and case.team.slug == "mk-waste"
    assert case.due_at is not None
    assert [e.kind for e in case.timeline.all()] == [EventKind.CREATED, EventKind.MESSAGE_IN]
    assert result.acknowledgement.kind == "acknowledgement"
    assert [m.recipient for m in outbox] == ["ada@example.com"]
    assert case.display_reference in outbox[0].body


def test_the_same_provider_id_delivered_again_changes_nothing(catalogue):
    first = intake(sms())
    again = intake(sms())
    assert again.duplicate and again.message.pk == first.message.pk and again.case == first.case
    assert Message.objects.filter(channel=Channel.SMS, direction="in").count() == 1
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_deliveries_make_one_message_and_one_case(postgres_only):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--skip-pages", stdout=StringIO())
    barrier = threading.Barrier(10)
    results, errors = [], []

    def deliver():
        try:
            barrier.wait(timeout=10)
            results.append(intake(sms(sid="SMconcurrent")))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(results) == 10
    assert Message.objects.filter(provider_id="SMconcurrent").count() == 1
    assert Case.objects.count() == 1
    assert sum(1 for r in results if r.created_case) == 1
    assert sum(1 for r in results if r.duplicate) == 9
    assert len({r.case.pk for r in results}) == 1


def test_a_known_sender_is_recognised_and_threads_onto_their_only_open_case(catalogue):
    first = intake(sms(sid="SM1"))
    second = intake(sms(body="Any news?", sid="SM2"))
    assert second.threaded and second.case == first.case
    assert Resident.objects.count() == 1
    assert first.case.timeline.filter(kind=EventKind.MESSAGE_IN).count() == 2


def test_several_open_cases_ask_which_when_the_channel_asks(catalogue):
    a = intake(sms(sid="SM1"))
    b = intake(sms(sid="SM2", body="Pothole", thread_to_open_case=False))
    assert a.case != b.case
    asked = intake(sms(sid="SM3", body="Any news?", when_several_open="ask"))
    assert asked.case is None and {c.pk for c in asked.open_cases} == {a.case.pk, b.case.pk}
    assert asked.message.resident == a.resident  # kept, not lost
    opened = intake(sms(sid="SM4", body="Any news?"))
    assert opened.created_case  # email-style channels open a new case instead


def test_a_reference_in_the_text_threads_only_onto_the_senders_own_case(catalogue):
    mine = intake(sms(sid="SM1"))
    theirs = intake(sms(sid="SM2", sender="+447400999888", body="Noise at night"))
    other = intake(sms(sid="SM3", body=f"About {theirs.case.reference}", thread_to_open_case=False))
    assert other.case != theirs.case  # someone else's reference never threads
    back = intake(
        sms(sid="SM4", body=f"re {mine.case.display_reference}", thread_to_open_case=False)
    )
    assert back.case == mine.case


def test_email_replies_thread_by_in_reply_to(catalogue):
    first = intake(
        InboundMessage(
            channel=Channel.EMAIL,
            sender="ada@example.com",
            recipient="contact@mk.example.org",
            subject="Pothole",
            body="Big one",
            provider_id="<a@example.com>",
        )
    )
    ack = first.acknowledgement
    reply = intake(
        InboundMessage(
            channel=Channel.EMAIL,
            sender="other@example.com",
            recipient="contact@mk.example.org",
            subject="Re: something",
            body="More",
            provider_id="<b@example.com>",
            headers={"In-Reply-To": ack.headers["Message-ID"]},
        )
    )
    assert reply.case == first.case


def test_a_reply_to_a_waiting_case_restarts_its_clock(catalogue):
    from services.actions import reply as staff_reply
    from tests.factories import make_staff

    first = intake(sms(sid="SM1"))
    staff = make_staff(catalogue["MKC"], teams=[first.case.team])
    staff_reply(staff, first.case, "Which bin?", request_information=True)
    first.case.refresh_from_db()
    assert first.case.status == Status.WAITING
    answered = intake(sms(sid="SM2", body="The green one"))
    answered.case.refresh_from_db()
    assert answered.case.status == Status.IN_PROGRESS and answered.case.paused_at is None


def test_unknown_mailbox_and_no_service_goes_to_triage(catalogue):
    result = intake(
        InboundMessage(
            channel=Channel.EMAIL,
            sender="x@example.com",
            recipient="nobody@example.org",
            body="hello",
            provider_id="<c@example.com>",
        )
    )
    assert result.case.service.slug == "general-enquiry"


def test_the_mailbox_written_to_routes_the_case(catalogue):
    result = intake(
        InboundMessage(
            channel=Channel.EMAIL,
            sender="x@example.com",
            recipient="bins@mk.example.org",
            subject="Bin",
            body="Missed",
            provider_id="<d@example.com>",
        )
    )
    assert result.case.service.slug == "mk-missed-bin"


def test_attachments_are_kept_privately_with_their_hash(catalogue):
    result = intake(
        sms(
            sid="SM1",
            body="",
            attachments=[InboundAttachment("photo.jpg", "image/jpeg", b"\xff\xd8\xffdata")],
        )
    )
    attachment = result.case.attachments.get()
    assert attachment.size == 7 and len(attachment.sha256) == 64
    with attachment.file.open("rb") as handle:
        assert handle.read() == b"\xff\xd8\xffdata"
    # Outside the web root: not under MEDIA_ROOT (public CMS files) nor the static files.
    assert not attachment.file.path.startswith(str(settings.MEDIA_ROOT))
    assert not attachment.file.path.startswith(str(settings.STATIC_ROOT))


def test_hostile_text_is_stored_as_given(catalogue):
    body = "<script>alert(1)</script> ' OR 1=1 -- \x00 ☃ 😀" * 20
    result = intake(sms(sid="SM1", body=body.replace("\x00", "")))
    assert result.case.description == body.replace("\x00", "")


def test_no_consent_means_no_acknowledgement_is_sent(catalogue):
    resident = Resident.objects.create(
        phone="+447400555666", consent_sms=False, consent_email=False, preferred_channel="sms"
    )
    result = intake(sms(sid="SM1", sender=resident.phone))
    assert result.acknowledgement.status == MessageStatus.SUPPRESSED
    assert "consent" in result.acknowledgement.last_error


@pytest.mark.django_db(transaction=True)
def test_first_texts_from_a_new_number_at_the_same_moment_make_one_resident(postgres_only):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--skip-pages", stdout=StringIO())
    barrier = threading.Barrier(5)
    errors = []

    def deliver(n):
        try:
            barrier.wait(timeout=10)
            intake(sms(sid=f"SMnew{n}", sender="+447400777888", body=f"Message {n}"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert Resident.objects.filter(phone="+447400777888").count() == 1
    assert Case.objects.count() == 1  # the later texts thread onto the first one's case


def test_nul_characters_never_reach_the_database(catalogue):
    result = intake(
        InboundMessage(
            channel=Channel.EMAIL,
            sender="a\x00b@example.com",
            recipient="contact@mk.example.org",
            subject="Hi\x00",
            body="text\x00more",
            provider_id="<nul\x00@example.com>",
            headers={"X-Odd\x00": "v\x00"},
        )
    )
    message = Message.objects.get(pk=result.message.pk)
    assert "\x00" not in message.sender + message.subject + message.body + message.provider_id
    assert message.body == "text\ufffdmore"
