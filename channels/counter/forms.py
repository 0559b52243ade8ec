"""The counter channel's own forms: the kiosk's ticket form, and the reasons an office offers
(also used by the staff screens' forms in ``desk.counter.forms``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Office, ServiceGroup


def reasons_for(office: Office):
    """Service groups of the services this office offers (all active ones when none listed)."""
    groups = ServiceGroup.objects.filter(services__active=True)
    if office.services.exists():
        groups = groups.filter(services__offices=office)
    return groups.distinct().order_by("order", "name")


class KioskForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=ServiceGroup.objects.none(),
        label=_("What is your visit about?"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Select what your visit is about")},
    )
    needs = forms.BooleanField(
        label=_("I need help with access (for example, I cannot stand for long)"),
        required=False,
    )

    def __init__(self, *args, office: Office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons_for(office)
