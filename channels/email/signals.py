"""Receivers: anymail's ``inbound`` signal, and the HTML part of queued outbound email.

Both live in the channel because ``services`` never imports ``channels``: services writes a
queued ``Message``; the email channel adds what only email needs.
"""

import logging

from anymail.signals import inbound
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest

from channels.email.html import render_html
from channels.email.receive import Rejected, receive
from services import inbound as clean
from services.actions.messages import set_html_body
from services.models import Channel, Direction, Message, MessageStatus

logger = logging.getLogger(__name__)


def raw_from_event(event) -> bytes:
    """The original to keep with the message: the MIME as the provider posted it (Mailgun's
    ``inbound_mime`` route posts ``body-mime``), else anymail's message written out as bytes.
    Only kept (and hashed for an id when there is no Message-ID), never parsed again."""
    request = event.esp_event
    if isinstance(request, HttpRequest) and "body-mime" in request.POST:
        return request.POST["body-mime"].encode("utf-8", errors="surrogateescape")
    message = event.message
    try:
        return message.as_bytes()
    except Exception:  # noqa: BLE001 - a message anymail could build but not serialise
        return message.as_string().encode("utf-8", errors="replace")


@receiver(inbound, dispatch_uid="channels.email.inbound")
def handle_inbound(sender, event, esp_name, **kwargs) -> None:
    """File a message a provider posted; anymail has already checked its signature and parsed
    it, and its ``AnymailInboundMessage`` is handed to ``receive`` as it is.

    A database error propagates: the provider gets a 5xx and delivers again later (and the
    retry is harmless, being idempotent on Message-ID). A message refused for good is logged
    and acknowledged, since a provider retrying it would change nothing.

    This is the email entrance, as ``channels.twilio`` is Twilio's: the envelope the provider
    posted beside the message (``sender``, ``recipient``) is cleaned and bounded here, once
    (``services.inbound``); the message itself is read once by ``channels.email.parsing``,
    which cleans every header it takes.
    """
    message = event.message
    sender = getattr(message, "envelope_sender", None)
    try:
        outcome = receive(
            message,
            raw=raw_from_event(event),
            envelope_sender=clean.line(sender, clean.MAX_ADDRESS) if sender is not None else None,
            envelope_recipient=clean.line(
                getattr(message, "envelope_recipient", None), clean.MAX_ADDRESS
            ),
            source=f"anymail:{clean.line(esp_name, 40)}",
        )
    except Rejected as error:
        logger.warning("Inbound email from %s refused: %s", esp_name, error)
        return
    logger.info(
        "Inbound email from %s: %s (message %s)", esp_name, outcome.status, outcome.message.pk
    )


@receiver(post_save, sender=Message, dispatch_uid="channels.email.html_body")
def add_html_body(sender, instance: Message, created: bool, raw: bool = False, **kwargs) -> None:
    """Give every newly queued outbound email an HTML alternative rendered from its text."""
    if raw or not created:
        return
    if instance.channel != Channel.EMAIL or instance.direction != Direction.OUT:
        return
    if instance.html_body or instance.status != MessageStatus.QUEUED:
        return
    set_html_body(instance, render_html(instance))
