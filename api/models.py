"""The event feeds' outbox: one row per event per subscribed partner.

Written in the transaction of the change it describes (``api.feeds.record_event``, a
``services.signals.case_changed`` receiver), so an event exists exactly when its change
committed and never otherwise. The worker sends rows in ``id`` order within each lane — one
partner, one case — so a partner sees a case's events in the order they happened; a row stays
``pending`` (with backoff) until the partner answered 2xx, however long it is down.
"""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.models import Case, Feed, Partner


class FeedEvent(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")

    event_id = models.UUIDField(
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Sent with the event: a partner that sees it twice can tell."),
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="feed_events")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=40, choices=Feed.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="feedevent_due",
                condition=models.Q(state="pending"),
            ),
            models.Index(fields=["partner", "case", "id"], name="feedevent_lane"),
        ]

    def __str__(self):
        return f"{self.kind} {self.case_id} → {self.partner_id} ({self.state})"
