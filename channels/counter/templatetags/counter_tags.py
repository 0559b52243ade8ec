"""Durations as people read them on the counter screens and figures."""

import datetime

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


def _whole_minutes(value) -> tuple[float, int]:
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)
    return seconds, max(round(seconds / 60), 0)


@register.filter
def minutes(value) -> str:
    """A ``timedelta`` or a number of seconds → "12 minutes"; "–" when there is none.

    For a figure on its own (a table cell). In a sentence use ``expected_wait`` or
    ``new_visitor_wait``: "about" + "under a minute" cannot be put together in every language.
    """
    if value is None or value == "":
        return "–"
    seconds, whole = _whole_minutes(value)
    if whole == 0 and seconds > 0:
        return _("under a minute")
    return ngettext("%(count)d minute", "%(count)d minutes", whole) % {"count": whole}


@register.simple_tag
def expected_wait(value) -> str:
    """The sentence on a ticket: "Expected wait: about 12 minutes." as one message."""
    seconds, whole = _whole_minutes(value)
    if whole == 0:
        return _("Expected wait: under a minute.")
    return ngettext(
        "Expected wait: about %(count)d minute.", "Expected wait: about %(count)d minutes.", whole
    ) % {"count": whole}


@register.simple_tag
def new_visitor_wait(value) -> str:
    """The sentence on the office page: "A new visitor would wait about 12 minutes."."""
    seconds, whole = _whole_minutes(value)
    if whole == 0:
        return _("A new visitor would wait under a minute.")
    return ngettext(
        "A new visitor would wait about %(count)d minute.",
        "A new visitor would wait about %(count)d minutes.",
        whole,
    ) % {"count": whole}
