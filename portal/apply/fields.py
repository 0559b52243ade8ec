"""The questions editors can put on an apply-online page, as Django form fields.

Builds on Wagtail's form builder (``wagtail.contrib.forms``): each field type an editor picks
is a ``create_<type>_field`` method. The project's GOV.UK form renderer (``portal.forms``) lays
every field out in GOV.UK markup; the date field adds the three-input date pattern.

Answers are kept between steps in the session as JSON, so every cleaned value has a JSON form
(``to_json``) and goes back into its field as the initial value (``decompress`` for dates).
"""

import datetime
import decimal

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import BaseForm, FormBuilder

from portal.apply import uploads
from services import postcodes
from services.actions.residents import InvalidPhoneNumber, normalise_phone

FIELD_TYPES = [
    ("singleline", _("Text")),
    ("multiline", _("Long text")),
    ("number", _("Number")),
    ("date", _("Date (day, month, year)")),
    ("radio", _("Choice: radio buttons")),
    ("dropdown", _("Choice: drop-down list")),
    ("yesno", _("Yes or no")),
    ("email", _("Email address")),
    ("phone", _("UK telephone number")),
    ("postcode", _("Postcode")),
    ("address", _("Address")),
    ("file", _("File upload")),
]
TEXT_MAX_LENGTH = 255
LONG_TEXT_MAX_LENGTH = 5000


class DateInputsWidget(forms.MultiWidget):
    """GOV.UK's date input: day, month and year boxes in one fieldset."""

    template_name = "apply/widgets/date.html"

    def __init__(self, attrs=None):
        def box(width: int) -> forms.TextInput:
            return forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                    "inputmode": "numeric",
                }
            )

        super().__init__([box(2), box(2), box(4)], attrs)

    def id_for_label(self, id_):
        # The error summary links to the day box (Django's MultiWidget returns "").
        return f"{id_}_0" if id_ else ""

    def decompress(self, value):
        if isinstance(value, str) and value:
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        invalid = (attrs or {}).get("aria-invalid") or self.attrs.get("aria-invalid")
        labels = [_("Day"), _("Month"), _("Year")]
        for subwidget, label in zip(context["widget"]["subwidgets"], labels, strict=True):
            subwidget["label"] = label
            subwidget["attrs"].pop("aria-invalid", None)
            subwidget["attrs"].pop("aria-describedby", None)
            if invalid:
                subwidget["attrs"]["class"] += " govuk-input--error"
        return context


class GovukDateField(forms.Field):
    """A date typed into three boxes, with GOV.UK's error messages for each way it goes wrong."""

    widget = DateInputsWidget

    def to_python(self, value):
        if isinstance(value, datetime.date):
            return value
        parts = [str(v or "").strip() for v in (value or ["", "", ""])][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            return None
        day, month, year = parts
        # Whole messages, one per missing part: "must include" + "a month" cannot be put
        # together in languages where the noun's form depends on the verb.
        messages = {
            0: _("%(label)s must include a day"),
            1: _("%(label)s must include a month"),
            2: _("%(label)s must include a year"),
        }
        missing = [i for i, part in enumerate(parts) if not part]
        if missing:
            raise forms.ValidationError(
                messages[missing[0]], code="incomplete", params={"label": self.label}
            )
        try:
            value = datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise forms.ValidationError(
                _("%(label)s must be a real date"), code="invalid", params={"label": self.label}
            ) from None
        if not 1900 <= value.year <= 2200:
            raise forms.ValidationError(
                _("%(label)s must be a real date"), code="invalid", params={"label": self.label}
            )
        return value


class UkPhoneField(forms.CharField):
    """Any way people write a UK number; cleaned to E.164 as the rest of the system keeps it."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}
            ),
        )
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_phone(value)
        except InvalidPhoneNumber:
            raise forms.ValidationError(
                _("Enter a telephone number, like 01908 123456 or 07400 123456"),
                code="invalid",
            ) from None


class PostcodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}
            ),
        )
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return postcodes.normalise(value)
        except postcodes.InvalidPostcode:
            raise forms.ValidationError(
                _("Enter a real postcode, like MK9 3EJ"), code="invalid"
            ) from None


class UploadField(forms.FileField):
    """A file, accepted only for what its content is (see ``portal.apply.uploads``)."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if value and hasattr(value, "read"):
            uploads.check_upload(value)
            value.seek(0)
        return value


class ApplyFormBuilder(FormBuilder):
    """Wagtail's form builder with the field types residents' applications need."""

    def get_field_options(self, field):
        options = super().get_field_options(field)
        options["initial"] = field.default_value or None
        if field.field_type in ("radio", "dropdown", "yesno"):
            required = _("Select an answer for “%(label)s”")
        elif field.field_type == "file":
            required = _("Select a file for “%(label)s”")
        else:
            required = _("Answer “%(label)s”")
        options["error_messages"] = {"required": required % {"label": field.label}}
        return options

    def create_singleline_field(self, field, options):
        return forms.CharField(max_length=TEXT_MAX_LENGTH, **options)

    def create_multiline_field(self, field, options):
        return forms.CharField(
            max_length=LONG_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}), **options
        )

    def create_number_field(self, field, options):
        return forms.DecimalField(
            max_digits=15,
            decimal_places=4,
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}
            ),
            **options,
        )

    def create_date_field(self, field, options):
        return GovukDateField(**options)

    def create_radio_field(self, field, options):
        options["choices"] = self.get_formatted_field_choices(field)
        return forms.ChoiceField(widget=forms.RadioSelect, **options)

    def create_dropdown_field(self, field, options):
        options["choices"] = [("", _("Choose an option")), *self.get_formatted_field_choices(field)]
        return forms.ChoiceField(**options)

    def create_yesno_field(self, field, options):
        options["choices"] = [("yes", _("Yes")), ("no", _("No"))]
        return forms.ChoiceField(widget=forms.RadioSelect, **options)

    def create_email_field(self, field, options):
        return forms.EmailField(
            max_length=254,
            widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
            **options,
        )

    def create_phone_field(self, field, options):
        return UkPhoneField(**options)

    def create_postcode_field(self, field, options):
        return PostcodeField(**options)

    def create_address_field(self, field, options):
        return forms.CharField(
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
            **options,
        )

    def create_file_field(self, field, options):
        options.pop("initial", None)
        return UploadField(**options)

    def get_form_class(self):
        return type("ApplyStepForm", (StepForm,), self.formfields)


class StepForm(BaseForm):
    """One step of an application. Browsers' own validation is off: GOV.UK errors instead."""

    use_required_attribute = False


def to_json(value):
    """The session form of a cleaned answer."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    return value


def display(field_type: str, value) -> str:
    """An answer as the resident reads it back on 'check your answers' and staff see it."""
    if value in (None, ""):
        return ""
    if field_type == "date":
        try:
            return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
        except (TypeError, ValueError):
            return str(value)
    if field_type == "yesno":
        return str(_("Yes")) if value == "yes" else str(_("No"))
    if field_type == "file":
        return value.get("filename", "") if isinstance(value, dict) else ""
    return str(value)
