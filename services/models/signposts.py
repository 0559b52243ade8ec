"""Residents sent to the right place before any case was opened.

A resident who starts "Report a missed bin" on the Milton Keynes site with a Northampton
postcode is told at once who collects their bins (``services.routing.where``). No case is
opened — nobody here can work it — but the published figures must still show how many
residents were passed to another organisation, so each one is a ``Signpost`` row, written by
``services.actions.signposts.record_signpost``.

It holds no personal data: the postcode *district* (``NN1``), never the full postcode, and no
name, address or session. ``key`` makes it once per application (the apply form's idempotency
key), so reloading the page or changing the postcode updates the row instead of adding one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from services.models.catalogue import ReferralBody, Service
from services.models.choices import Channel
from services.models.councils import Council


class Signpost(models.Model):
    class Outcome(models.TextChoices):
        REFERRED = "referred", _("Sent to another organisation")
        OTHER_COUNCIL = "other_council", _("Sent to the other council")
        OUTSIDE = "outside", _("Outside both councils")

    key = models.CharField(max_length=120, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("The service the resident started."),
    )
    council = models.ForeignKey(
        Council,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The council whose service the resident started."),
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    referral_body = models.ForeignKey(
        ReferralBody, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target_service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    district = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="services_signpost_created")]

    def __str__(self):
        return f"{self.service} → {self.referral_body or self.target_service or self.outcome}"
