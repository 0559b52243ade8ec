"""Each message is parsed once, and reads the same through either entrance.

The MTA pipe's bytes are parsed by ``parsing.parse``; a webhook's message, already parsed by
django-anymail, is read as it is by ``parsing.read`` — never serialised and parsed again.
"""

import pytest
from anymail.inbound import AnymailInboundMessage
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from channels.email import parsing, receive
from services.models import Direction, Message
from tests.channels.email.conftest import CORPUS, corpus, mailgun_post
from tests.channels.email.test_receive_email import _message, bodies, headers

FIELDS = (
    "message_id", "subject", "sender", "sender_name", "recipients", "text", "full_text", "html",
    "headers", "problems",
)  # fmt: skip


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.eml")))
def test_the_pipe_and_anymail_read_a_message_the_same(name):
    raw = corpus(name)
    piped = parsing.parse(raw)
    posted = parsing.read(AnymailInboundMessage.parse_raw_mime_bytes(raw), raw=raw)
    for field in FIELDS:
        assert getattr(posted, field) == getattr(piped, field), field
    assert [(p.filename, p.content_type, p.content, p.inline) for p in posted.attachments] == [
        (p.filename, p.content_type, p.content, p.inline) for p in piped.attachments
    ]
    assert posted.raw == piped.raw == raw


def test_the_webhook_hands_anymails_message_over_without_parsing_it_again(
    mailboxes, client, monkeypatch
):
    handed = []

    def never(*args, **kwargs):
        raise AssertionError("the webhook's message was parsed a second time")

    def spy(message, **kwargs):
        handed.append(message)
        return parsing.read(message, **kwargs)

    monkeypatch.setattr(receive, "parse", never)
    monkeypatch.setattr(parsing, "message_from_bytes", never)
    monkeypatch.setattr(receive, "read", spy)
    raw = corpus("nested_multipart.eml")
    assert mailgun_post(client, raw).status_code == 200
    [message] = handed
    assert isinstance(message, AnymailInboundMessage)
    inbound = Message.objects.get(direction=Direction.IN)
    assert inbound.case is not None and inbound.attachments.count() == 2
    assert inbound.raw == raw.decode()  # the original is kept as posted


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=headers, body=bodies)
def test_generated_messages_never_crash_the_webhook(mailboxes, client, pairs, body):
    raw = _message(pairs, body)
    if not raw.strip():
        return
    assert parsing.read(AnymailInboundMessage.parse_raw_mime_bytes(raw), raw=raw) is not None
    response = mailgun_post(client, raw)
    assert response.status_code == 200, response.content[:500]
