"""Residents: one person across every channel.

A contact is matched to a resident only by a verified identifier (or one the resident gave on
an earlier contact on the same channel); two records of the same person are merged by staff,
and the merge is audited.
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from services.models.choices import Channel


class Resident(models.Model):
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    email_verified = models.BooleanField(default=False)
    email_bouncing = models.BooleanField(default=False)
    phone = models.CharField(max_length=20, blank=True, help_text=_("E.164, e.g. +447400123456."))
    phone_verified = models.BooleanField(default=False)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True, help_text=_("Normalised: MK9 3EJ."))
    preferred_channel = models.CharField(
        max_length=10,
        choices=[
            (Channel.EMAIL, _("Email")),
            (Channel.SMS, _("Text message")),
            (Channel.POST, _("Letter")),
        ],
        default=Channel.EMAIL,
    )
    language = models.CharField(max_length=8, default="en", choices=settings.LANGUAGES)
    consent_sms = models.BooleanField(default=True)
    consent_email = models.BooleanField(default=True)
    accessibility_needs = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["phone"], name="resident_phone"),
            models.Index(Lower("email"), name="resident_email_lower"),
            models.Index(fields=["postcode"], name="resident_postcode"),
        ]

    def __str__(self):
        return self.name or self.email or self.phone or f"Resident {self.pk}"

    @property
    def display_name(self) -> str:
        return self.name or _("Unnamed resident")


class PhoneProof(models.Model):
    """A code texted to a number a signed-in resident says is theirs, waiting to be typed back.

    One at a time per account (a new code replaces the last). Only a keyed hash of the code is
    kept (``services.actions.phones.phone_code_digest``: HMAC with the secret key, so the
    table alone does not give the six digits away). The row goes once the number is proven;
    an expired code, or one tried too often, is voided (empty digest) and the row kept so the
    resident can ask for a new code to the same number. The number becomes the account's
    (``Resident.phone`` with ``phone_verified``) only when the code comes back.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_proof"
    )
    phone = models.CharField(max_length=20, help_text=_("E.164, the number the code went to."))
    code_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"Phone proof for user {self.user_id} ({self.phone})"

    def is_live(self, now) -> bool:
        """Whether the code can still be typed back (not expired, not spent on wrong tries)."""
        return bool(self.code_digest) and now < self.expires_at
