"""Duplicates, replies to our acknowledgements, automatic replies to them, rate limits."""

import pytest
from django.core import mail
from django.utils import timezone

from services.models import Case, Direction, EventKind, Message, MessageStatus, TimelineEvent
from services.outbound.dispatch import dispatch
from tests.channels.email.conftest import corpus, mailgun_post, pipe
from tests.factories import ResidentFactory, make_case

FIRST = b"""From: Maria Silva <maria.silva@example.com>
To: contact@mk.example.org
Subject: Overflowing litter bin
Message-ID: <first-0001@example.com>
Date: Tue, 3 Mar 2026 10:00:00 +0000

The litter bin by the bus stop on Silbury Boulevard is overflowing.
"""


@pytest.fixture
def real_mail(settings):
    """Send email through the real MailBackend (and Django's locmem mailer)."""
    settings.PORTAL_CHANNEL_BACKENDS = {
        **settings.PORTAL_CHANNEL_BACKENDS,
        "email": "services.outbound.backends.mail.MailBackend",
    }
    return mail.outbox


def _acknowledged_case(real_mail):
    assert pipe(FIRST)[0] == 0
    case = Case.objects.get()
    ack = Message.objects.get(direction=Direction.OUT, case=case)
    assert dispatch(ack.pk) == MessageStatus.SENT
    sent = real_mail[-1].message()
    return case, ack, sent["Message-ID"]


def test_the_same_message_twice_is_one_message(mailboxes, client, outbox):
    assert pipe(FIRST)[0] == 0
    assert pipe(FIRST)[0] == 0
    assert mailgun_post(client, FIRST).status_code == 200
    assert Message.objects.filter(direction=Direction.IN).count() == 1
    assert Case.objects.count() == 1
    assert Message.objects.filter(direction=Direction.OUT).count() == 1


def test_a_message_without_message_id_twice_is_one_message(mailboxes):
    raw = corpus("no_message_id.eml")
    assert pipe(raw)[0] == 0
    assert pipe(raw)[0] == 0
    message = Message.objects.get(direction=Direction.IN)
    assert message.provider_id.startswith("sha256:")
    assert Case.objects.count() == 1


def test_the_message_id_we_store_is_the_one_we_send(mailboxes, real_mail):
    case, ack, sent_id = _acknowledged_case(real_mail)
    ack.refresh_from_db()
    assert sent_id == ack.headers["Message-ID"] == ack.provider_id
    assert case.display_reference in real_mail[-1].subject


def test_a_reply_to_our_acknowledgement_threads_onto_the_case(mailboxes, real_mail):
    case, ack, sent_id = _acknowledged_case(real_mail)
    # From another address and with no reference in the subject: only In-Reply-To can thread it.
    reply = (
        b"From: M Silva <m.silva@work.example>\nTo: noreply@mk.example.org\n"
        b"Subject: Re: your email\nMessage-ID: <reply-0001@work.example>\n"
        b"In-Reply-To: " + sent_id.encode() + b"\nReferences: " + sent_id.encode() + b"\n\n"
        b"It is still overflowing today.\n\nOn Tue, 3 Mar 2026, Council wrote:\n> We have received\n"
    )
    assert pipe(reply)[0] == 0
    assert Case.objects.count() == 1
    message = Message.objects.get(provider_id="<reply-0001@work.example>")
    assert message.case == case
    assert message.body == "It is still overflowing today."
    assert TimelineEvent.objects.filter(case=case, kind=EventKind.MESSAGE_IN).count() == 2
    # A reply to an open case is not acknowledged again.
    assert Message.objects.filter(direction=Direction.OUT).count() == 1


@pytest.mark.parametrize("name", ["ooo_gmail.eml", "ooo_exchange.eml", "ooo_postfix_vacation.eml"])
def test_an_out_of_office_reply_to_our_acknowledgement_does_nothing(name, mailboxes, real_mail):
    case, ack, sent_id = _acknowledged_case(real_mail)
    events = TimelineEvent.objects.filter(case=case).count()
    sent_before = len(real_mail)
    raw = corpus(name).replace(b"To: noreply@localhost", b"To: maria.silva@example.com")
    raw = raw.replace(b"\nMessage-ID:", b"\nIn-Reply-To: " + sent_id.encode() + b"\nMessage-ID:", 1)
    assert pipe(raw)[0] == 0
    assert Case.objects.count() == 1
    assert TimelineEvent.objects.filter(case=case).count() == events
    assert Message.objects.filter(direction=Direction.OUT).count() == 1
    assert len(real_mail) == sent_before
    ignored = Message.objects.get(status=MessageStatus.IGNORED)
    assert ignored.case is None and ignored.metadata["reason"]


def test_acknowledgements_are_rate_limited_per_sender(mailboxes, settings):
    settings.PORTAL_EMAIL_ACKNOWLEDGEMENTS_PER_HOUR = 3
    resident = ResidentFactory(email="busy@example.com")
    make_case(resident=resident)
    make_case(resident=resident)  # two open cases: each new message opens a new case
    for n in range(5):
        raw = (
            f"From: busy@example.com\nTo: contact@mk.example.org\nSubject: Issue {n}\n"
            f"Message-ID: <busy-{n}@example.com>\n\nProblem number {n}.\n"
        ).encode()
        assert pipe(raw)[0] == 0
    assert Case.objects.filter(resident=resident).count() == 7
    acks = Message.objects.filter(direction=Direction.OUT, kind="acknowledgement")
    assert acks.count() == 3
    # An hour later the sender is acknowledged again.
    acks.update(created_at=timezone.now() - timezone.timedelta(hours=2))
    raw = b"From: busy@example.com\nTo: contact@mk.example.org\nSubject: Issue 6\nMessage-ID: <busy-6@example.com>\n\nAgain.\n"
    assert pipe(raw)[0] == 0
    assert Message.objects.filter(direction=Direction.OUT, kind="acknowledgement").count() == 4


def test_mail_from_our_own_address_is_a_loop(mailboxes):
    raw = FIRST.replace(b"Maria Silva <maria.silva@example.com>", b"contact@mk.example.org")
    assert pipe(raw)[0] == 0
    assert Case.objects.count() == 0
    assert Message.objects.get().status == MessageStatus.IGNORED


def test_a_bounced_address_is_not_emailed_again(mailboxes, real_mail):
    case, ack, sent_id = _acknowledged_case(real_mail)
    dsn = corpus("dsn_postfix.eml").replace(b"<OUR-ACK-POSTFIX@mk.example.org>", sent_id.encode())
    dsn = dsn.replace(b"gone@example.com", b"maria.silva@example.com")
    assert pipe(dsn, sender="")[0] == 0
    ack.refresh_from_db()
    assert ack.status == MessageStatus.FAILED
    case.resident.refresh_from_db()
    assert case.resident.email_bouncing
    from services.actions.messages import queue_message

    assert queue_message(case, "status_update").status == MessageStatus.SUPPRESSED


def test_a_webhook_with_a_bad_signature_is_refused_and_stores_nothing(mailboxes, client):
    response = mailgun_post(client, FIRST, key="not-the-signing-key")
    assert response.status_code == 400
    assert not Message.objects.exists() and not Case.objects.exists()


def test_a_webhook_without_a_signature_is_refused(mailboxes, client):
    from tests.channels.email.conftest import WEBHOOK_URL

    response = client.post(WEBHOOK_URL, {"body-mime": FIRST.decode()})
    assert response.status_code == 400
    assert not Message.objects.exists()
