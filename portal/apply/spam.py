"""Spam defence that costs real residents nothing.

A honeypot field every step form carries: hidden from sight *and* from assistive technology
(``aria-hidden`` on its wrapper, ``tabindex="-1"``, no autocomplete), so only a robot filling
every input it finds fills it in. And a minimum time between starting an application and
submitting it, kept in the session (never in a field the sender controls): a person cannot
answer the questions in under a few seconds; a robot posting straight to the end can.
"""

import time

from django.conf import settings
from django.http import HttpRequest

HONEYPOT_FIELD = "portal_website"
DEFAULT_MIN_FILL_SECONDS = 5


def honeypot_filled(request: HttpRequest) -> bool:
    return bool(request.POST.get(HONEYPOT_FIELD, "").strip())


def min_fill_seconds() -> float:
    return float(getattr(settings, "PORTAL_APPLY_MIN_FILL_SECONDS", DEFAULT_MIN_FILL_SECONDS))


def too_fast(started: float | None, now: float | None = None) -> bool:
    if not started:
        return True
    return ((now or time.time()) - started) < min_fill_seconds()
