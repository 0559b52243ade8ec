"""The fixed steps around an editor's questions: the council, contact details, save for later."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.apply.fields import UkPhoneField
from services.models import Channel

UPDATES_EMAIL, UPDATES_SMS, UPDATES_BOTH = "email", "sms", "both"


class CouncilForm(forms.Form):
    use_required_attribute = False

    council = forms.TypedChoiceField(
        label=_("Which council do you live in?"),
        help_text=_("Choose the council the address is in."),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select which council you live in")},
    )

    def __init__(self, *args, councils=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].choices = [(c.pk, c.name) for c in councils]


class ContactForm(forms.Form):
    """Who the resident is and how, and in which language, they want to hear from us."""

    use_required_attribute = False

    name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": _("Enter your full name")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "invalid": _("Enter an email address in the correct format, like name@example.com")
        },
    )
    phone = UkPhoneField(
        label=_("UK mobile number"),
        required=False,
        help_text=_("For text message updates, like 07400 123456."),
    )
    updates = forms.ChoiceField(
        label=_("How would you like us to send you updates?"),
        choices=[
            (UPDATES_EMAIL, _("By email")),
            (UPDATES_SMS, _("By text message")),
            (UPDATES_BOTH, _("By email and text message")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select how you would like us to send you updates")},
    )
    language = forms.ChoiceField(
        label=_("Which language should we write to you in?"), choices=settings.LANGUAGES
    )

    def clean(self):
        data = super().clean()
        updates = data.get("updates")
        wants_email = updates in (UPDATES_EMAIL, UPDATES_BOTH)
        wants_sms = updates in (UPDATES_SMS, UPDATES_BOTH)
        if wants_email and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Enter your email address to get updates by email"))
        if wants_sms and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Enter your mobile number to get updates by text message"))
        return data


def preferences(contact: dict) -> dict:
    """The resident's choice as the fields ``services`` keeps: channel and consents."""
    updates = contact.get("updates")
    return {
        "preferred_channel": Channel.SMS if updates == UPDATES_SMS else Channel.EMAIL,
        "consent_email": updates in (UPDATES_EMAIL, UPDATES_BOTH),
        "consent_sms": updates in (UPDATES_SMS, UPDATES_BOTH),
    }


class SaveForm(forms.Form):
    use_required_attribute = False

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We will send you a link to come back to your application."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        },
    )
