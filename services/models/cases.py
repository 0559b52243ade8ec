"""Cases, their append-only timeline, the messages exchanged on every channel, attachments.

A case keeps its reference wherever it moves: between offices, teams and councils. Statuses
and which changes between them are allowed live in ``services.workflow`` and nowhere else.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from services.models.catalogue import ReferralBody, Service
from services.models.choices import Channel, Direction
from services.models.councils import Council, Office, Team
from services.models.residents import Resident

__all__ = [
    "Attachment",
    "Case",
    "Channel",
    "Direction",
    "EventKind",
    "Message",
    "MessageStatus",
    "Priority",
    "Status",
    "TimelineEvent",
]


class Status(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("case status", "Received")
    OPEN = "open", pgettext_lazy("case status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for you")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REFERRED = "referred", _("Referred to another organisation")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    MERGED = "merged", _("Merged with another case")


OPEN_STATUSES = (Status.RECEIVED, Status.OPEN, Status.IN_PROGRESS, Status.WAITING)
# Statuses in which staff are expected to act (the SLA clock runs).
ACTIVE_STATUSES = (Status.RECEIVED, Status.OPEN, Status.IN_PROGRESS)


class Priority(models.IntegerChoices):
    LOW = 0, _("Low")
    NORMAL = 1, _("Normal")
    HIGH = 2, _("High")
    URGENT = 3, _("Urgent")


class Case(models.Model):
    reference = models.CharField(max_length=12, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="cases")
    responsible_council = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivering_council = models.ForeignKey(
        Council, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="cases")
    origin_channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    summary = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True, help_text=_("Form answers, by field."))
    location = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    language = models.CharField(max_length=8, default="en")
    referral_body = models.ForeignKey(
        ReferralBody, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_cases"
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # SLA clock. ``due_at`` moves later by the working time spent waiting for the resident.
    due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    first_contact_resolution = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_at", "id"], name="case_queue"),
            models.Index(
                fields=["delivering_council", "status", "due_at", "id"], name="case_queue_council"
            ),
            models.Index(fields=["team", "status", "due_at", "id"], name="case_queue_team"),
            models.Index(fields=["office", "status", "due_at", "id"], name="case_queue_office"),
            models.Index(fields=["assignee", "status", "due_at", "id"], name="case_queue_assignee"),
            models.Index(fields=["service", "status", "due_at", "id"], name="case_queue_service"),
            models.Index(fields=["resident", "status"], name="case_resident"),
            # The working queue (open cases, most urgent first). Partial, so it stays the size
            # of the open queue however many closed cases pile up; the trailing columns make
            # the queue's filters and counts an index-only scan (on a vacuumed table). Key
            # columns rather than INCLUDE, which SQLite (the demo database) does not know.
            models.Index(
                fields=[
                    "due_at",
                    "id",
                    "status",
                    "paused_at",
                    "assignee",
                    "service",
                    "responsible_council",
                    "delivering_council",
                    "team",
                    "office",
                    "origin_channel",
                ],
                name="case_open_queue",
                condition=models.Q(status__in=["received", "open", "in_progress", "waiting"]),
            ),
            # "Next case": the most urgent unassigned case, read in this order until one of the
            # user's teams' cases turns up, instead of sorting every candidate.
            models.Index(
                fields=["-priority", "due_at", "id", "team"],
                name="case_claim_next",
                condition=models.Q(assignee__isnull=True, status__in=["received", "open"]),
            ),
        ]
        permissions = [("view_all_cases", "Can see every case, restricted ones included")]

    def __str__(self):
        return f"{self.display_reference} {self.summary}"

    @property
    def display_reference(self) -> str:
        from services.reference import format_reference

        return format_reference(self.reference)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    CREATED = "created", _("Case opened")
    MESSAGE_IN = "message_in", _("Message from the resident")
    MESSAGE_OUT = "message_out", _("Message to the resident")
    NOTE = "note", _("Internal note")
    STATUS = "status", _("Status changed")
    ASSIGNMENT = "assignment", _("Assigned")
    TRANSFER = "transfer", pgettext_lazy("case timeline event", "Transferred")
    SLA_BREACH = "sla_breach", _("Target time missed")
    REFERRAL = "referral", _("Referred")
    MERGE = "merge", _("Merged")
    CALL = "call", _("Telephone call")
    VISIT = "visit", _("Visit to a one-stop shop")
    ATTACHMENT = "attachment", _("Document added")
    DELIVERY = "delivery", _("Delivery status")


class TimelineEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Timeline events are append-only.")

    def delete(self):
        raise TypeError("Timeline events are append-only.")


class TimelineEvent(models.Model):
    """Something that happened on a case. Never changed or deleted once written."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True, help_text=_("Who, if not staff."))
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    visible_to_resident = models.BooleanField(default=False)
    message = models.ForeignKey(
        "services.Message", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = TimelineEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="timeline_case")]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.case_id} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise TypeError("Timeline events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Timeline events are append-only.")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("message status", "Received")
    QUEUED = "queued", pgettext_lazy("message status", "Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")
    FAILED = "failed", pgettext_lazy("message status", "Failed")
    SUPPRESSED = "suppressed", _("Not sent")
    IGNORED = "ignored", _("Ignored (automatic message)")


class Message(models.Model):
    """One contact on one channel, in or out.

    ``(channel, provider_id)`` is unique, which is what makes a provider's retry harmless: the
    second delivery of the same MessageSid, CallSid or Message-ID finds the first.
    """

    channel = models.CharField(max_length=10, choices=Channel.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    provider_id = models.CharField(max_length=255, null=True, blank=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    kind = models.CharField(max_length=30, blank=True, help_text=_("Template kind, outbound."))
    sender = models.CharField(max_length=254, blank=True)
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="en")
    context = models.JSONField(default=dict, blank=True, help_text=_("Template variables."))
    headers = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    raw = models.TextField(blank=True, help_text=_("The provider's payload, as received."))
    status = models.CharField(max_length=12, choices=MessageStatus.choices)
    urgent = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "provider_id"],
                condition=models.Q(provider_id__isnull=False),
                name="unique_provider_message",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_outbox"),
            models.Index(fields=["resident", "created_at"], name="message_resident"),
            models.Index(fields=["case", "created_at"], name="message_case"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.get_channel_display()} {self.provider_id or self.pk}"


def _private_storage():
    return storages["private"]


class Attachment(models.Model):
    """A file on a case. Stored outside the web root; served only by a view that checks access."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(storage=_private_storage, upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    visible_to_resident = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.filename
