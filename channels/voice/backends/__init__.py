"""Placing calls with Twilio's REST API ("ring my phone"): a backend registry, as for texts.

``PORTAL_VOICE_CALL_BACKEND`` names the class; code asks ``get_backend()`` and never tests
which provider is configured. Backends are used from background tasks only, never from a web
request (``channels.voice.tasks``). ``locmem`` records what would have been placed (tests, and
development without a Twilio account); ``twilio`` makes one bounded ``calls.create``.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PlacedCall:
    to: str
    from_: str
    url: str
    status_callback: str
    sid: str


class CallBackend:
    def place(self, *, to: str, from_: str, url: str, status_callback: str) -> PlacedCall:
        raise NotImplementedError


@cache
def get_backend() -> CallBackend:
    return import_string(settings.PORTAL_VOICE_CALL_BACKEND)()


@receiver(setting_changed)
def _reset(setting, **kwargs):
    if setting == "PORTAL_VOICE_CALL_BACKEND":
        get_backend.cache_clear()
