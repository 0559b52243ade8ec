"""The service catalogue: what residents can ask for, who answers, and how fast.

A service has a responsible council (whose duty it is) and a delivering council and team (who
does the work): the "lead authority" arrangement lets one council deliver a service on the
other's behalf. A service another body is responsible for — a district council's bins in
two-tier Northamptonshire — is a referral: residents are sent there instead of opening a case
nobody here can work.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.message_templates import template_problems
from services.models.choices import Channel
from services.models.councils import Council, Team


class ServiceGroup(models.Model):
    """A topic residents recognise ("Bins and recycling"), used on the site, IVR and counter."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ReferralBody(models.Model):
    """Another organisation responsible for some services in some postcode districts."""

    name = models.CharField(max_length=160, unique=True)
    slug = models.SlugField(max_length=160, unique=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    postcode_districts = models.JSONField(
        default=list, blank=True, help_text=_('Outward codes it covers, e.g. ["NN1", "NN2"].')
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def with_contacts(self) -> str:
        """Its name with how to reach it, for a resident's message: "Corby Borough Council
        (01632 960 105, https://corby.example.org)"."""
        contacts = [c for c in (self.phone, self.website or self.email) if c]
        return f"{self.name} ({', '.join(contacts)})" if contacts else self.name

    def covers(self, district: str) -> bool:
        return district.upper() in {d.upper() for d in self.postcode_districts}


def default_channels():
    return [c.value for c in Channel]


class Service(models.Model):
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=160, unique=True)
    group = models.ForeignKey(ServiceGroup, on_delete=models.PROTECT, related_name="services")
    summary = models.CharField(max_length=300, blank=True)
    responsible_council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_services",
        help_text=_("Empty when another body is responsible (a referral)."),
    )
    delivering_council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="delivered_services",
        help_text=_("Lead authority delivering it, when not the responsible council."),
    )
    delivering_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="services"
    )
    joint = models.BooleanField(
        default=False,
        help_text=_("Offered to residents of both councils; staff of either may work it."),
    )
    restricted = models.BooleanField(
        default=False,
        help_text=_("Sensitive (e.g. social care): only the delivering team sees its cases."),
    )
    sla_days = models.PositiveSmallIntegerField(
        default=10, help_text=_("Target in working days from receipt to resolution.")
    )
    channels = models.JSONField(default=default_channels, blank=True)
    referral_bodies = models.ManyToManyField(
        ReferralBody, blank=True, related_name="services", help_text=_("For referrals.")
    )
    counterparts = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text=_(
            "The same service where the other council (or another body) answers for it, e.g. "
            "missed bins in Milton Keynes and bin collections in Northamptonshire: a resident "
            "who starts here from there is moved to it, keeping their answers."
        ),
    )
    keywords = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_referral(self) -> bool:
        return self.responsible_council_id is None

    @property
    def lead_council(self) -> Council | None:
        """The council whose staff do the work."""
        return self.delivering_council or self.responsible_council

    def accepts(self, channel: str) -> bool:
        return channel in self.channels


class MessageTemplate(models.Model):
    """What we say to residents, per kind of message, channel and language; editors manage it.

    Bodies are Django template text with the variables listed in ``services.composition``
    (``reference``, ``status``, ``service``, ``due_date``, ``track_url``, ``body`` …).
    """

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
        STATUS_UPDATE = "status_update", _("Status update")
        INFORMATION_REQUEST = "information_request", _("Request for information")
        REPLY = "reply", _("Reply from staff")
        REFERRAL = "referral", _("Referral to another body")
        RECEIPT = "receipt", _("Counter receipt")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(
        max_length=10, choices=[(Channel.SMS, _("SMS")), (Channel.EMAIL, _("Email"))]
    )
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=200, blank=True, help_text=_("Email only."))
    body = models.TextField()

    class Meta:
        ordering = ["kind", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "language"], name="unique_message_template"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_channel_display()} · {self.language}"

    def clean(self):
        """The same checks as the shipped files: it compiles, and uses only known variables.

        A misspelt variable would otherwise send residents a blank where their reference
        should be.
        """
        errors = {}
        for field in ("subject", "body"):
            problems = template_problems(getattr(self, field) or "")
            if problems:
                errors[field] = "; ".join(problems)
        if errors:
            raise ValidationError(errors)
