"""The SMS inbox: what Twilio posted, kept durably before anything is done with it.

**Accept first, file after.** The inbound-text webhook and the delivery-status callback each
write one row here in one statement (``channels.sms.inbox.accept``) and answer Twilio at once;
``manage.py file_texts`` (``channels.sms.filing``) files the rows behind them through the
intake the webhook used to run in the request. A row is the request as Twilio signed it (the
form-encoded body and the query string), so filing reads exactly what a synchronous webhook
would have read, cleaned by the same code.

``key`` is unique: for a text it is the MessageSid, so Twilio's retry (or ten at once) is a
no-op ``ON CONFLICT DO NOTHING``; for a status callback it is MessageSid, status and our
message id, since Twilio posts several callbacks per MessageSid (sent, then delivered).

``lane`` is what must be filed in order: a text's sender (a STOP must take effect before the
sender's next text is answered), a status callback's MessageSid. Rows of one lane are filed one
at a time in ``received_at`` order (then ``id``: spooled rows come in later with their original
time); different lanes are filed in parallel by any number of workers.

A row that keeps failing is retried with backoff and then **parked** (``state = parked``): it
stays here, is shown to staff on the desk (``/desk/sms-inbox/``), and no longer holds up its
lane. Nothing is ever deleted by the application; filed rows are kept as the audit of what
arrived and when (prune them with SQL after the retention period if the table grows).
"""

from django.db import models
from django.db.models import Q


class InboxEntry(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Inbound text"
        STATUS = "status", "Delivery status"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be filed"
        FILED = "filed", "Filed"
        PARKED = "parked", "Parked (kept failing)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    lane = models.CharField(max_length=80)
    body = models.TextField(help_text="The form-encoded POST body Twilio signed.")
    query = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField()
    source = models.CharField(max_length=20, default="webhook")  # webhook / spool
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, blank=True)

    class Meta:
        db_table = "sms_inbox"
        verbose_name = "SMS inbox entry"
        verbose_name_plural = "SMS inbox"
        indexes = [
            # The filing worker's two questions, both on pending rows only (so they stay the
            # size of the backlog, not of the history): what is due, oldest first; and is
            # there an older pending row in this lane.
            models.Index(
                fields=["received_at", "id"],
                condition=Q(state="pending"),
                name="sms_inbox_pending_due",
            ),
            models.Index(
                fields=["lane", "received_at", "id"],
                condition=Q(state="pending"),
                name="sms_inbox_pending_lane",
            ),
            models.Index(
                fields=["received_at"],
                condition=Q(state="parked"),
                name="sms_inbox_parked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"
