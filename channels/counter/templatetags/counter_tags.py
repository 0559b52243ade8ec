"""Durations as people read them on the counter screens and figures."""

import datetime

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def minutes(value) -> str:
    """A ``timedelta`` or a number of seconds → "12 minutes"; "–" when there is none."""
    if value is None or value == "":
        return "–"
    seconds = value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)
    whole = max(round(seconds / 60), 0)
    if whole == 0 and seconds > 0:
        return _("under a minute")
    return ngettext("%(count)d minute", "%(count)d minutes", whole) % {"count": whole}
