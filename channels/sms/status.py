"""Delivery status callbacks: move an outbound text's status forward, never backwards.

Twilio posts ``queued → sending → sent → delivered`` (or ``undelivered`` / ``failed``), but
callbacks can arrive out of order or twice: a late "sent" after "delivered" must not undo it.
Only statuses that say the message left us are applied (``sent``, ``delivered``,
``undelivered``, ``failed``): our own ``queued``/``sending`` mean "the dispatcher owns this
message", and setting them from outside would make the dispatcher send it again.

A failure (``undelivered``, ``failed``) is shown on the case timeline as a DELIVERY event, with
Twilio's error code, so staff know the resident was not told.

The callback URL carries our message id (``?message=<pk>``, covered by the signature) so a
callback that overtakes the dispatcher recording the MessageSid still finds its message —
and so does one for a text whose API call timed out on our side although Twilio accepted it:
the message is queued for a retry, the callback records that it went, and it is not sent
twice.
"""

import datetime

from services.actions.messages import apply_delivery_status
from services.models import Channel, Message, MessageStatus

# Twilio's MessageStatus values we act on, and what they mean for us.
APPLIED = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
}
# Twilio error codes worth explaining to staff in plain words.
ERRORS = {
    "30003": "the phone is switched off or unreachable",
    "30004": "the message was blocked",
    "30005": "the number is unknown or no longer in use",
    "30006": "the number cannot receive texts (a landline?)",
    "30007": "the network filtered the message",
    "30008": "unknown error from the network",
    "21610": "the resident has texted STOP",
    "21211": "the number is not valid",
}


def error_text(status: str, error_code: str) -> str:
    """What went wrong, for the message and the case: Twilio's status, code and plain words."""
    text = f"Twilio {status}" + (f" (error {error_code})" if error_code else "")
    reason = ERRORS.get(error_code, "")
    return f"{text}: {reason}" if reason else text


def apply_status(
    *,
    message_sid: str,
    status: str,
    error_code: str = "",
    message_id: str = "",
    now: datetime.datetime | None = None,
) -> Message | None:
    """Apply one callback. Returns the message, or None if it is not one of ours.

    The rules (forward only, ours to find by id or MessageSid, a failure on the case) are the
    message actions' (``services.actions.messages.apply_delivery_status``); this reads Twilio.
    """
    status = (status or "").strip().lower()
    new = APPLIED.get(status)
    error = (
        error_text(status, error_code)
        if new in (MessageStatus.UNDELIVERED, MessageStatus.FAILED)
        else ""
    )
    return apply_delivery_status(
        Channel.SMS,
        provider_id=message_sid,
        status=new or "",
        message_id=int(message_id) if message_id.isascii() and message_id.isdigit() else None,
        error=error,
        reported_by="Twilio",
        explanation=f"The text message to the resident was not delivered: {error}",
        data={"status": new, "error_code": error_code},
        now=now,
    )
