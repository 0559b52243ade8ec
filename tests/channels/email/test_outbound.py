"""Outbound email: the HTML alternative, a desk reply with attachments through the real
MailBackend, and an SMTP server that refuses then accepts (a retry, not a loss)."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail

from services import attachments as attachment_policy
from services.actions import reply
from services.actions.messages import queue_message
from services.models import Message, MessageStatus, MessageTemplate, Role
from services.outbound.dispatch import dispatch
from tests.factories import ResidentFactory, make_case, make_staff

MAIL_BACKEND = "services.outbound.backends.mail.MailBackend"


@pytest.fixture
def real_mail(settings):
    settings.PORTAL_CHANNEL_BACKENDS = {**settings.PORTAL_CHANNEL_BACKENDS, "email": MAIL_BACKEND}
    return mail.outbox


def test_queued_email_gets_an_accessible_html_part(mailboxes):
    MessageTemplate.objects.create(
        kind="status_update",
        channel="email",
        language="ur",
        subject="درخواست {{ reference }}",
        body="{{ body }}\n\nحوالہ {{ reference }}",
    )
    case = make_case(resident=ResidentFactory(language="ur", email="urdu@example.com"))
    message = queue_message(case, "status_update", body="Fixed <b>today</b> & tidied")
    message.refresh_from_db()
    html = message.html_body
    assert '<html lang="ur" dir="rtl">' in html
    assert f"<title>{message.subject}</title>" in html
    assert case.display_reference in html
    assert "Fixed &lt;b&gt;today&lt;/b&gt; &amp; tidied" in html  # escaped, never markup
    assert "<script" not in html


def test_sms_messages_get_no_html(mailboxes):
    case = make_case(resident=ResidentFactory(preferred_channel="sms", email=""))
    message = queue_message(case, "status_update", channel="sms")
    message.refresh_from_db()
    assert message.channel == "sms" and message.html_body == ""


def test_an_agent_replies_by_email_with_attachments(mailboxes, real_mail):
    case = make_case(mailboxes["bins"], ResidentFactory(email="resident@example.com"))
    agent = make_staff(mailboxes["MKC"], role=Role.AGENT)
    document = attachment_policy.check(b"%PDF-1.4\n", "permit.pdf")  # as the desk form hands it

    message = reply(agent, case, "Your permit is attached.", attachments=[document])
    assert dispatch(message.pk) == MessageStatus.SENT

    sent = real_mail[-1]
    assert sent.to == ["resident@example.com"]
    assert case.display_reference in sent.subject
    assert "Your permit is attached." in sent.body
    assert [(a.filename, a.content, a.mimetype) for a in sent.attachments] == [
        ("permit.pdf", b"%PDF-1.4\n", "application/pdf")
    ]
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and "Your permit is attached." in html
    message.refresh_from_db()
    assert sent.message()["Message-ID"] == message.headers["Message-ID"] == message.provider_id


class RefuseThenAccept:
    """An SMTP server that answers the first message with 451 (try later), then accepts."""

    def __init__(self):
        self.refused = 0
        self.received: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refused == 0:
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.received.append(envelope.original_content)
        return "250 2.0.0 OK"


@pytest.fixture
def smtp_server(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = RefuseThenAccept()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield handler
    controller.stop()


def test_an_smtp_refusal_is_retried_not_lost(mailboxes, real_mail, smtp_server):
    case = make_case(resident=ResidentFactory(email="resident@example.com"))
    message = queue_message(case, "status_update", body="Done.")

    assert dispatch(message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.attempts == 1 and "451" in message.last_error
    assert smtp_server.received == []

    assert dispatch(message.pk, now=message.next_attempt_at) == MessageStatus.SENT
    assert len(smtp_server.received) == 1
    assert message.headers["Message-ID"].encode() in smtp_server.received[0]
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT


def test_an_smtp_server_that_is_down_leaves_the_message_queued(mailboxes, real_mail, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the probe is closed
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    case = make_case(resident=ResidentFactory(email="resident@example.com"))
    message = queue_message(case, "status_update", body="Done.")
    assert dispatch(message.pk) == MessageStatus.QUEUED
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.next_attempt_at is not None
