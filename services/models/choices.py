"""Vocabulary shared by several models: channels and message directions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    VOICE = "voice", _("Telephone")
    COUNTER = "counter", _("Counter")
    FAX = "fax", _("Fax")
    POST = "post", _("Post")
    # Another public body's system reporting for a resident (FixMyStreet over Open311): the
    # case's origin is the partner, named on its timeline and in the message's metadata.
    OPEN311 = "open311", _("Partner (Open311)")


class Direction(models.TextChoices):
    IN = "in", _("From the resident")
    OUT = "out", _("To the resident")


# Channels on which the councils can send a resident something.
OUTBOUND_CHANNELS = (Channel.SMS, Channel.EMAIL)
