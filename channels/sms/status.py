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

from django.db import transaction
from django.utils import timezone

from services.actions.timeline import record
from services.models import Channel, Direction, EventKind, Message, MessageStatus

RANK = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
}
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


def apply_status(
    *,
    message_sid: str,
    status: str,
    error_code: str = "",
    message_id: str = "",
    now: datetime.datetime | None = None,
) -> Message | None:
    """Apply one callback. Returns the message, or None if it is not one of ours."""
    now = now or timezone.now()
    new = APPLIED.get((status or "").strip().lower())
    with transaction.atomic():
        candidates = Message.objects.select_for_update().filter(
            channel=Channel.SMS, direction=Direction.OUT
        )
        message = None
        if message_id.isdigit():
            message = candidates.filter(pk=int(message_id)).first()
            if message and message.provider_id and message.provider_id != message_sid:
                message = None  # a signed URL replayed for another message: ignore it
        if message is None and message_sid:
            message = candidates.filter(provider_id=message_sid).first()
        if message is None or new is None:
            return message
        if RANK[new] <= RANK.get(message.status, -1):
            return message  # a late or repeated callback: nothing moves backwards
        if message.status not in RANK:  # suppressed / ignored: not ours to change
            return message
        message.status = new
        message.status_changed_at = now
        fields = ["status", "status_changed_at"]
        if not message.provider_id:
            message.provider_id = message_sid
            fields.append("provider_id")
        if new in (MessageStatus.UNDELIVERED, MessageStatus.FAILED):
            reason = ERRORS.get(error_code, "")
            message.last_error = f"Twilio {status}" + (
                f" (error {error_code})" if error_code else ""
            )
            if reason:
                message.last_error += f": {reason}"
            fields.append("last_error")
        message.save(update_fields=fields)
        if new in (MessageStatus.UNDELIVERED, MessageStatus.FAILED) and message.case_id:
            record(
                message.case,
                EventKind.DELIVERY,
                actor_label="Twilio",
                channel=Channel.SMS,
                message=message,
                body=f"The text message to the resident was not delivered: {message.last_error}",
                data={"status": new, "error_code": error_code},
                at=now,
            )
    return message
