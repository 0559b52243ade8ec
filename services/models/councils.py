"""Councils, their offices and teams, and the staff who work in them.

Councils are data, not code: a third council, or a successor authority, is a new row plus its
postcode districts in ``services/data/postcode_districts.csv``.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.choices import Channel


class Council(models.Model):
    code = models.SlugField(
        max_length=12, unique=True, help_text=_("Short code used in data files, e.g. MKC.")
    )
    name = models.CharField(max_length=120, unique=True)
    short_name = models.CharField(max_length=40)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text=_("Public number, E.164."))
    email = models.EmailField(blank=True)
    working_day_start = models.TimeField(default=datetime.time(9, 0))
    working_day_end = models.TimeField(default=datetime.time(17, 0))

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Office(models.Model):
    class Kind(models.TextChoices):
        ONE_STOP_SHOP = "one_stop_shop", _("One-stop shop")
        CONTACT_CENTRE = "contact_centre", _("Contact centre")
        BACK_OFFICE = "back_office", _("Back office")

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="offices")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    accessibility = models.TextField(
        blank=True, help_text=_("Step-free access, hearing loop, parking and so on.")
    )
    services = models.ManyToManyField(
        "services.Service", blank=True, related_name="offices", help_text=_("Served here.")
    )
    # Joint working: an office may work for both councils (the joint contact centre does; a
    # one-stop shop may). Its staff then see and work the non-restricted cases of every council
    # it serves (``services.permissions.councils_served``); the office's own council always
    # counts, listed here or not.
    serves = models.ManyToManyField(
        Council,
        blank=True,
        related_name="served_by_offices",
        verbose_name=_("councils served"),
        help_text=_(
            "Other councils this office works for. Its staff see and work those councils' "
            "cases, except restricted services. The office's own council always counts."
        ),
    )

    class Meta:
        ordering = ["council__name", "name"]

    def __str__(self):
        return self.name

    @property
    def is_public(self) -> bool:
        return self.kind == self.Kind.ONE_STOP_SHOP


class OpeningHours(models.Model):
    """One opening period of an office on a weekday (0 is Monday). Several per day allowed."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ]
    )
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="opening_hours_order"
            )
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """A day a whole council (office empty) or one office is closed, beyond bank holidays."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="closures")
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, null=True, blank=True, related_name="closures"
    )
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["council", "office", "date"], name="unique_closure")
        ]

    def __str__(self):
        return f"{self.office or self.council} closed {self.date:%d %b %Y}"


class Team(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="teams")
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="teams"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["council__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.council.short_name})"


class Role(models.TextChoices):
    COUNTER = "counter", _("Counter staff")
    AGENT = "agent", _("Contact-centre agent")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


class StaffProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="staff")
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    role = models.CharField(max_length=20, choices=Role.choices)

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.council.short_name}"

    @property
    def is_supervisor(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


class ContactPoint(models.Model):
    """A number or address residents contact us on, and where what arrives there belongs.

    The number dialled or texted, or the mailbox written to, tells intake which council (and
    sometimes which service) a new contact is for.
    """

    channel = models.CharField(max_length=10, choices=Channel.choices)
    address = models.CharField(
        max_length=254, help_text=_("E.164 number or email address, lower case.")
    )
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="contact_points")
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_points",
    )
    label = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="unique_contact_point")
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.address} → {self.council.short_name}"

    def save(self, *args, **kwargs):
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)
