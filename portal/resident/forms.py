"""Forms residents use to find, answer and manage their cases."""

import re
import unicodedata

import phonenumbers
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.apply.fields import UploadField
from services import reference as references
from services.actions.residents import InvalidPhoneNumber, normalise_phone
from services.models import Channel


class TrackForm(forms.Form):
    """A reference and the email or phone number given with it.

    The reference's check digit is checked here, before any lookup, so a mistyped digit is
    refused without touching the database. Whether the pair matches a case is for the view to
    say — in words that do not tell a stranger whether the reference exists.
    """

    use_required_attribute = False

    reference = forms.CharField(
        label=_("Case reference"),
        help_text=_("9 digits, for example 100 000 011. It is in the email or text we sent you."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": _("Enter your case reference")},
    )
    contact = forms.CharField(
        label=_("Email address or mobile number"),
        help_text=_("The one you gave us when you got in touch."),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": _("Enter the email address or mobile number you gave us")},
    )

    def clean_reference(self) -> str:
        try:
            return references.normalise(self.cleaned_data["reference"])
        except references.InvalidReference:
            raise forms.ValidationError(
                _("Enter your 9 digit case reference exactly as we sent it to you"),
                code="invalid",
            ) from None

    def clean_contact(self) -> dict:
        text = self.cleaned_data["contact"].strip()
        if "@" in text:
            return {"email": text.lower()}
        try:
            return {"phone": normalise_phone(text)}
        except InvalidPhoneNumber:
            raise forms.ValidationError(
                _("Enter an email address or a UK mobile number"), code="invalid"
            ) from None


class ReplyForm(forms.Form):
    use_required_attribute = False

    body = forms.CharField(
        label=_("Your reply"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter your reply")},
    )
    document = UploadField(
        label=_("Upload a document (optional)"),
        help_text=_("A PDF, JPG, PNG, HEIC or WEBP file."),
        required=False,
    )


class PreferencesForm(forms.Form):
    use_required_attribute = False

    preferred_channel = forms.ChoiceField(
        label=_("How would you like us to send you updates?"),
        choices=[(Channel.EMAIL, _("By email")), (Channel.SMS, _("By text message"))],
        widget=forms.RadioSelect,
    )
    consent_email = forms.BooleanField(label=_("You can send me emails"), required=False)
    consent_sms = forms.BooleanField(label=_("You can send me text messages"), required=False)
    phone = forms.CharField(
        label=_("UK mobile number"),
        help_text=_(
            "For example, 07400 123456. We will text it a code to confirm it is yours. "
            "Leave it empty to remove your number."
        ),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("Which language should we write to you in?"), choices=settings.LANGUAGES
    )

    def clean_phone(self) -> str:
        text = self.cleaned_data["phone"].strip()
        if not text:
            return ""
        try:
            phone = normalise_phone(text)
        except InvalidPhoneNumber:
            raise forms.ValidationError(
                _("Enter a UK mobile number, like 07400 123456"), code="invalid"
            ) from None
        # A code can only be texted to a mobile: a landline would wait for a text forever.
        kind = phonenumbers.number_type(phonenumbers.parse(phone))
        if kind not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            raise forms.ValidationError(
                _("Enter a mobile number, like 07400 123456. We cannot text a landline."),
                code="not_mobile",
            )
        return phone

    def clean(self):
        data = super().clean()
        wants_sms = data.get("preferred_channel") == Channel.SMS
        if wants_sms and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Enter your mobile number to get text messages"))
        return data


class ConfirmPhoneForm(forms.Form):
    """The code we texted, typed back. Spaces and dashes are dropped (people copy "123 456"),
    and digits of other scripts read as the digits they are."""

    use_required_attribute = False

    code = forms.CharField(
        label=_("Code from the text message"),
        help_text=_("6 digits, for example 123456."),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
        error_messages={"required": _("Enter the code from the text message")},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        # Digits typed on another script's keyboard (Urdu, fullwidth) are the same digits.
        code = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in code)
        if not re.fullmatch(r"[0-9]{6}", code, flags=re.ASCII):
            raise forms.ValidationError(
                _("Enter the 6 digits from the text message"), code="invalid"
            )
        return code


def national(phone: str) -> str:
    """An E.164 number as a resident writes it ('+447400123456' → '07400 123456')."""
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(phone), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        return phone
