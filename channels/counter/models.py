"""The walk-in queue of a one-stop shop.

* ``OfficeDay`` — one row per office and service day. Its ``last_number`` is the ticket counter
  (locked with ``SELECT … FOR UPDATE`` while a ticket is issued, so numbers never repeat), and
  once the day is closed it keeps the day's figures even if tickets are later purged.
* ``Desk`` — a numbered counter position; ``staffed_by`` says who is signed on at it now, which
  is what "current staffing" means for the expected wait.
* ``Ticket`` — one visitor waiting: a short number for the day ("A012"), the reason (a service
  group), an optional resident, a priority, and the times that give the figures.
* ``TicketEvent`` — append-only service events (issued, called, started, transferred, …).

Nothing here stores a visitor's name on the public side: the display shows numbers and desks.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from services.models import Case, Office, Resident, ServiceGroup

# A ticket's letter changes every 999 numbers: A001 … A999, B001 …
NUMBERS_PER_LETTER = 999
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0 on a screen


def ticket_code(number: int) -> str:
    """The short code shown and announced for the ``number``-th ticket of the day."""
    if number < 1:
        raise ValueError("Ticket numbers start at 1.")
    block, rest = divmod(number - 1, NUMBERS_PER_LETTER)
    letter = LETTERS[block % len(LETTERS)]
    return f"{letter}{rest + 1:03d}"


class OfficeDay(models.Model):
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="counter_days")
    date = models.DateField()
    last_number = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True, help_text=_("Kept when the day closes."))

    class Meta:
        ordering = ["-date", "office__name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "date"], name="counter_unique_office_day")
        ]

    def __str__(self):
        return f"{self.office} {self.date:%Y-%m-%d}"


class Desk(models.Model):
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="counter_desks")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=60, blank=True, help_text=_("E.g. 'Specialist desk'."))
    groups = models.ManyToManyField(
        ServiceGroup,
        blank=True,
        related_name="+",
        help_text=_("Reasons this desk serves; empty: every reason."),
    )
    staffed_by = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="counter_desk",
    )
    staffed_since = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["office__name", "number"]
        constraints = [
            models.UniqueConstraint(fields=["office", "number"], name="counter_unique_desk")
        ]

    def __str__(self):
        return self.label or str(_("Desk %(number)s") % {"number": self.number})


class TicketPriority(models.IntegerChoices):
    """Who goes first. A normal ticket that has waited long enough is treated as a priority
    one (see ``channels.counter.queue.AGEING``), so priorities cannot starve anybody."""

    NORMAL = 0, _("No priority")
    ACCESSIBILITY = 1, _("Accessibility need")
    APPOINTMENT = 2, _("Appointment")
    TRANSFERRED = 3, pgettext_lazy("counter ticket priority", "Transferred")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", pgettext_lazy("counter ticket status", "Did not come")
    UNSERVED = "unserved", _("Not served (office closed)")


OPEN_TICKET_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING)


class Ticket(models.Model):
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="counter_tickets")
    date = models.DateField()
    number = models.PositiveIntegerField()
    code = models.CharField(max_length=8)
    reason = models.ForeignKey(
        ServiceGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(
        choices=TicketPriority.choices, default=TicketPriority.NORMAL
    )
    resident = models.ForeignKey(
        Resident, on_delete=models.SET_NULL, null=True, blank=True, related_name="counter_tickets"
    )
    status = models.CharField(
        max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    from_kiosk = models.BooleanField(default=False)
    # Set by a transfer: only this desk (or this member of staff) may call it next.
    for_desk = models.ForeignKey(
        Desk, on_delete=models.SET_NULL, null=True, blank=True, related_name="transferred_in"
    )
    for_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    desk = models.ForeignKey(
        Desk, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets"
    )
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    called_at = models.DateTimeField(null=True, blank=True)
    first_called_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cases = models.ManyToManyField(Case, blank=True, related_name="counter_tickets")

    class Meta:
        ordering = ["date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "date", "number"], name="counter_unique_ticket_number"
            )
        ]
        indexes = [
            models.Index(fields=["office", "date", "status", "issued_at"], name="counter_queue"),
        ]

    def __str__(self):
        return f"{self.code} {self.office} {self.date:%Y-%m-%d}"


class TicketEvent(models.Model):
    class Kind(models.TextChoices):
        ISSUED = "issued", _("Ticket issued")
        CALLED = "called", _("Called to a desk")
        STARTED = "started", _("Service started")
        TRANSFERRED = "transferred", pgettext_lazy("counter ticket event", "Transferred")
        SERVED = "served", _("Served")
        NO_SHOW = "no_show", pgettext_lazy("counter ticket status", "Did not come")
        UNSERVED = "unserved", _("Not served: day closed")
        CASE = "case", _("Case raised or updated")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    desk = models.ForeignKey(
        Desk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.ticket_id} {self.at:%H:%M}"
