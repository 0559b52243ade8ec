"""The calls panel's forms: wrap-up, logging a desk-phone call, call-back attempts, simulator."""

from django import forms
from django.utils.translation import gettext_lazy as _

from channels.voice.models import WRAP_UP_OUTCOMES, CallbackAttempt
from services.actions.residents import InvalidPhoneNumber, normalise_phone
from services.models import ContactPoint, Service

NEW_CASE = "new"


def _phone_field(label):
    return forms.CharField(
        label=label,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )


def _clean_phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except InvalidPhoneNumber as error:
        raise forms.ValidationError(_("Enter a telephone number, like 07400 123456.")) from error


class WrapUpForm(forms.Form):
    """Log the call: onto one of the caller's cases, or a new case for a chosen service."""

    case = forms.ChoiceField(label=_("Which case is the call about?"), widget=forms.RadioSelect)
    service = forms.ModelChoiceField(
        label=_("Service, for a new case"),
        queryset=Service.objects.filter(active=True).order_by("name"),
        required=False,
    )
    summary = forms.CharField(label=_("Summary, for a new case"), max_length=200, required=False)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[(o.value, o.label) for o in WRAP_UP_OUTCOMES]
    )
    note = forms.CharField(
        label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = {case.reference: case for case in cases}
        choices = [
            (case.reference, f"{case.display_reference} – {case.service.name}: {case.summary}")
            for case in cases
        ]
        choices.append((NEW_CASE, _("A new case")))
        self.fields["case"].choices = choices
        if len(choices) == 1:
            self.fields["case"].initial = NEW_CASE

    def clean(self):
        data = super().clean()
        if data.get("case") == NEW_CASE and not data.get("service"):
            self.add_error("service", _("Choose the service the new case is for."))
        return data

    def chosen_case(self):
        return self.cases.get(self.cleaned_data["case"])


class DeskCallForm(forms.Form):
    phone = _phone_field(_("Caller's telephone number"))
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("in", _("They called us")), ("out", _("We called them"))],
        widget=forms.RadioSelect,
        initial="in",
    )
    minutes = forms.IntegerField(
        label=_("Length of the call in minutes"), min_value=0, max_value=600, required=False
    )

    def clean_phone(self):
        return _clean_phone(self.cleaned_data["phone"])


class CallbackAttemptForm(forms.Form):
    result = forms.ChoiceField(
        label=_("What happened?"), choices=CallbackAttempt.Result.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False)


class SimulatedCallForm(forms.Form):
    """A fake call through the IVR, signed as Twilio would sign it."""

    PATHS = [
        ("agent", _("Ask for an adviser (joins the queue, or leaves a message when closed)")),
        ("voicemail", _("Leave a message for a call back")),
        ("status", _("Check a case by its reference")),
    ]

    caller = _phone_field(_("Caller's number"))
    dialled = forms.ChoiceField(label=_("Number dialled"))
    language = forms.ChoiceField(
        label=_("Language chosen"),
        choices=[
            ("1", _("English")),
            ("2", _("Polish")),
            ("3", _("Romanian")),
            ("4", _("Portuguese")),
            ("5", _("Urdu")),
        ],
    )
    path = forms.ChoiceField(
        label=_("What the caller does"), choices=PATHS, widget=forms.RadioSelect
    )
    reference = forms.CharField(label=_("Reference to key, to check a case"), required=False)
    group = forms.IntegerField(label=_("Topic key pressed"), min_value=1, max_value=9, initial=1)
    message = forms.CharField(
        label=_("What the caller says in their message (the transcript)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = [
            (p.address, f"{p.address} – {p.label or p.council.name}")
            for p in ContactPoint.objects.filter(channel="voice").select_related("council")
        ]
        numbers.append(("+441632960999", _("A number we do not know")))
        self.fields["dialled"].choices = numbers

    def clean_caller(self):
        return _clean_phone(self.cleaned_data["caller"])
