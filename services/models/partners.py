"""Other public bodies and systems that talk to the portal: FixMyStreet over Open311, the
district councils, the NHS, council back-office systems over the case API.

A partner is catalogue data (edited in the admin, or added from the shell with
``manage.py add_partner``). It holds an API key of which only a SHA-256 digest is stored: keys
are long random strings, so a fast digest is enough (a password hash would only slow every
call) and the key itself is shown once, when it is made. The ``prefix`` (the key's first
characters, not secret) finds the row without scanning; the digest is then compared in
constant time.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.catalogue import Service
from services.models.councils import Council


class Feed(models.TextChoices):
    """Events a partner can subscribe to (a signed JSON POST for each)."""

    CASE_CREATED = "case.created", _("Case created")
    CASE_STATUS_CHANGED = "case.status_changed", _("Case status changed")
    CASE_TRANSFERRED = "case.transferred", _("Case transferred")


class Partner(models.Model):
    name = models.CharField(
        max_length=120, unique=True, help_text=_("Shown as the origin of cases, e.g. FixMyStreet.")
    )
    slug = models.SlugField(max_length=120, unique=True)
    councils = models.ManyToManyField(
        Council,
        related_name="partners",
        help_text=_("Jurisdictions it may send to and read from."),
    )
    services = models.ManyToManyField(
        Service,
        related_name="partners",
        blank=True,
        help_text=_("Services it may send. Empty: every public service of its councils."),
    )
    key_prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_digest = models.CharField(max_length=64, editable=False)
    key_created_at = models.DateTimeField(null=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner",
        help_text=_(
            "The staff account the partner acts as in the case API: it sees and changes exactly "
            "what a member of staff with that account's role and council would."
        ),
    )
    feeds = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Events sent to the feed address, e.g. ["case.created", "case.transferred"].'),
    )
    feed_url = models.URLField(blank=True, help_text=_("HTTPS address that receives events."))
    feed_secret = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Signs each event (HMAC-SHA256); shown once with the key."),
    )
    rate_limit = models.PositiveIntegerField(
        default=120, help_text=_("Requests allowed per minute.")
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class PartnerCall(models.Model):
    """One request from a partner (or one that tried to be): who, when, what, and the answer."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="calls"
    )
    at = models.DateTimeField(auto_now_add=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status_code = models.PositiveSmallIntegerField()
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["partner", "at"], name="partnercall_partner_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.partner or '-'} {self.method} {self.path} {self.status_code}"
