"""Small presentation helpers for the desk templates: SLA and status tags, people's names."""

from django import template
from django.utils.translation import gettext_lazy as _

from services import sla
from services.sla import SlaState

register = template.Library()

# Target-time state → the tag's label and GOV.UK colour (the queue uses these directly).
SLA_TAGS = {
    SlaState.ON_TRACK: (_("On track"), "govuk-tag--green"),
    SlaState.AT_RISK: (_("At risk"), "govuk-tag--yellow"),
    SlaState.BREACHED: (_("Target missed"), "govuk-tag--red"),
    SlaState.PAUSED: (_("Paused"), "govuk-tag--grey"),
    SlaState.NONE: (_("No target"), "govuk-tag--grey"),
}


@register.inclusion_tag("desk/includes/sla_tag.html")
def sla_tag(case, now=None):
    """The case's target-time state as a GOV.UK tag (colour is never the only signal)."""
    label, css = SLA_TAGS[sla.state_of(case, now)]
    return {"label": label, "css": css}


@register.filter
def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def lookup(mapping: dict, key: str):
    """``row|lookup:"office__name"``: a value from an aggregate row by its computed key."""
    return mapping.get(key)
