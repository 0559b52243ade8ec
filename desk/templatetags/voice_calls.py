"""Template helpers for showing calls on the desk (the case timeline's call events)."""

from django import template

from channels.voice.models import CallbackAttempt, Outcome

register = template.Library()


@register.filter
def call_outcome(code: str) -> str:
    """The words for an outcome code stored in a timeline event's data."""
    labels = {**dict(Outcome.choices), **dict(CallbackAttempt.Result.choices)}
    return str(labels.get(code or "", code or ""))


@register.filter
def minutes_seconds(seconds) -> str:
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"
