"""The channel backend registry: ``PORTAL_CHANNEL_BACKENDS`` maps a channel to a class path."""

from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from services.outbound.backends.base import OutboundBackend


@cache
def get_backend(channel: str) -> OutboundBackend:
    try:
        path = settings.PORTAL_CHANNEL_BACKENDS[channel]
    except KeyError:
        raise LookupError(f"No outbound backend is configured for the {channel} channel.") from None
    return import_string(path)(channel=channel)


@receiver(setting_changed)
def _reset(setting, **kwargs):
    if setting == "PORTAL_CHANNEL_BACKENDS":
        get_backend.cache_clear()
