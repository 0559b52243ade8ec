"""Forms: the public figures filter and the voluntary equality questionnaire."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from reports.models import EqualityResponse
from reports.published import Filter
from services.models import Channel, Council, Service


class FigureFilterForm(forms.Form):
    """Which council, service, channel and year the public figures are for (all by default)."""

    council = forms.ChoiceField(label=_("Council"), required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    channel = forms.ChoiceField(label=_("How people contacted us"), required=False)
    to = forms.RegexField(
        label=_("Twelve months up to (YYYY-MM)"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": _("Enter a month as year and month, like 2026-03.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.councils = {c.code: c for c in Council.objects.order_by("name")}
        self.fields["council"].choices = [("", _("Both councils"))] + [
            (code, c.name) for code, c in self.councils.items()
        ]
        self.services = {s.slug: s for s in Service.objects.filter(active=True).order_by("name")}
        self.fields["service"].choices = [("", _("All services"))] + [
            (slug, s.name) for slug, s in self.services.items()
        ]
        self.fields["channel"].choices = [("", _("All channels"))] + list(Channel.choices)

    def to_filter(self) -> Filter:
        """The filter chosen; only call after ``is_valid()``."""
        data = self.cleaned_data
        to_month = None
        if data.get("to"):
            year, month = data["to"].split("-")
            to_month = datetime.date(int(year), int(month), 1)
        return Filter(
            council=self.councils.get(data.get("council") or ""),
            service=self.services.get(data.get("service") or ""),
            channel=data.get("channel") or None,
            to_month=to_month,
        )


class EqualityForm(forms.ModelForm):
    """Every question optional; nothing here identifies the person answering."""

    class Meta:
        model = EqualityResponse
        fields = [
            "satisfaction",
            "age_band",
            "sex",
            "gender_identity_same",
            "disability",
            "ethnicity",
            "religion",
            "sexual_orientation",
        ]
        labels = {
            "satisfaction": _("How satisfied are you with the service you received?"),
            "age_band": _("What is your age?"),
            "sex": _("What is your sex?"),
            "gender_identity_same": _(
                "Is the gender you identify with the same as your sex registered at birth?"
            ),
            "disability": _(
                "Do you have a physical or mental health condition or illness lasting or "
                "expected to last 12 months or more that reduces your ability to carry out "
                "day-to-day activities?"
            ),
            "ethnicity": _("What is your ethnic group?"),
            "religion": _("What is your religion?"),
            "sexual_orientation": _(
                "Which of the following best describes your sexual orientation?"
            ),
        }
        widgets = {name: forms.RadioSelect for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False
            # No blank "---------" radio: leaving a question unanswered is the blank choice.
            field.choices = [choice for choice in field.choices if choice[0] != ""]
