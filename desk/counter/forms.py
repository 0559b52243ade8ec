"""Forms of the counter's staff screens. Every choice is limited to the office's own rows, so a
tampered POST cannot pick another office's desk, reason or resident. (The kiosk's form and the
reasons an office offers are the counter channel's own: ``channels.counter.forms``.)"""

import re
import unicodedata

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channels.counter.forms import reasons_for
from channels.counter.models import Desk, TicketPriority
from services import reference
from services.actions.residents import InvalidPhoneNumber, normalise_phone
from services.attachments import RESIDENT_FORM_TYPES, check_upload
from services.models import Case, Office, Resident, ServiceGroup
from services.permissions import visible_cases

SEARCH_LIMIT = 20
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


def find_residents(user, query: str) -> list[Resident]:
    """Residents matching a name, phone number, postcode or case reference.

    A reference finds its resident only through a case the user may see
    (``visible_cases``), so the lookup cannot reveal a restricted case's resident.
    """
    # Control and format characters (NUL, bidi overrides) mean nothing in a name, and
    # PostgreSQL refuses NUL outright.
    query = "".join(
        ch for ch in (query or "")[:200] if unicodedata.category(ch) not in ("Cc", "Cf")
    )
    query = query.strip()[:100]
    if len(query) < 2:
        return []
    live = Resident.objects.filter(merged_into__isnull=True)
    if reference.looks_like_reference(query):
        try:
            digits = reference.normalise(query)
        except reference.InvalidReference:
            return []
        case = visible_cases(user).filter(reference=digits).select_related("resident").first()
        return [case.resident] if case else []
    compact = query.upper().replace(" ", "")
    if _POSTCODE.match(query.upper()) or (
        4 < len(compact) <= 7 and _POSTCODE.match(compact[:-3] + " " + compact[-3:])
    ):
        normalised = compact[:-3] + " " + compact[-3:]
        return list(live.filter(postcode__iexact=normalised).order_by("name", "pk")[:SEARCH_LIMIT])
    if sum(ch.isdigit() for ch in query) >= 7:
        try:
            phone = normalise_phone(query)
        except InvalidPhoneNumber:
            return []
        return list(live.filter(phone=phone).order_by("name", "pk")[:SEARCH_LIMIT])
    return list(live.filter(name__icontains=query).order_by("name", "pk")[:SEARCH_LIMIT])


class ResidentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the visitor (optional)"),
        help_text=_("Name, phone number, postcode or a case reference."),
        required=False,
        max_length=100,
    )


class IssueTicketForm(forms.Form):
    reason = forms.ModelChoiceField(
        queryset=ServiceGroup.objects.none(),
        label=_("What is the visit about?"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Select what the visit is about")},
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=[
            (TicketPriority.NORMAL, TicketPriority.NORMAL.label),
            (TicketPriority.ACCESSIBILITY, TicketPriority.ACCESSIBILITY.label),
            (TicketPriority.APPOINTMENT, TicketPriority.APPOINTMENT.label),
        ],
        coerce=int,
        initial=TicketPriority.NORMAL,
        widget=forms.RadioSelect,
    )
    resident = forms.ModelChoiceField(
        queryset=Resident.objects.none(),
        label=_("Visitor"),
        required=False,
        widget=forms.RadioSelect,
        empty_label=_("Not linked to a resident"),
    )
    q = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, office: Office, user, query: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = reasons_for(office)
        # The visitor can only be one of the residents the search on this form found.
        found = find_residents(user, query)
        self.fields["resident"].queryset = Resident.objects.filter(pk__in=[r.pk for r in found])
        self.fields["resident"].label_from_instance = lambda r: " · ".join(
            part for part in (str(r.display_name), r.postcode, r.phone) if part
        )
        self.fields["q"].initial = query
        self.found = found


class DeskForm(forms.Form):
    desk = forms.ModelChoiceField(
        queryset=Desk.objects.none(),
        label=_("Your desk"),
        empty_label=None,
        error_messages={"required": _("Select your desk")},
    )

    def __init__(self, *args, office: Office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = Desk.objects.filter(office=office, active=True)


class TransferForm(forms.Form):
    desk = forms.ModelChoiceField(
        queryset=Desk.objects.none(), label=_("To desk"), required=False, empty_label=_("Any desk")
    )
    to_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        label=_("Or to a specialist"),
        required=False,
        empty_label=_("Nobody in particular"),
    )

    def __init__(self, *args, office: Office, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desk"].queryset = Desk.objects.filter(office=office, active=True)
        self.fields["to_user"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, staff_profile__office=office)
            .order_by("first_name", "last_name", "pk")
        )
        self.fields["to_user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def clean(self):
        data = super().clean()
        if not data.get("desk") and not data.get("to_user"):
            raise forms.ValidationError(
                _("Choose a desk or a member of staff to transfer to"), code="empty"
            )
        return data


class CaseChoiceForm(forms.Form):
    """Pick one of the visitor's cases the user may see."""

    case = forms.ModelChoiceField(
        queryset=Case.objects.none(),
        label=_("Case"),
        empty_label=None,
        to_field_name="reference",
        error_messages={"required": _("Select a case")},
    )

    def __init__(self, *args, user, resident: Resident | None, **kwargs):
        super().__init__(*args, **kwargs)
        cases = visible_cases(user).filter(resident=resident) if resident else Case.objects.none()
        self.fields["case"].queryset = cases.order_by("-created_at")
        self.fields["case"].label_from_instance = lambda c: f"{c.display_reference} — {c.summary}"


class NoteForm(CaseChoiceForm):
    note = forms.CharField(
        label=_("What the visitor told you"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        error_messages={"required": _("Enter a note")},
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Enter a note"), code="required")
        return note


class DocumentForm(CaseChoiceForm):
    document = forms.FileField(
        label=_("Scanned document"),
        help_text=_("PDF, JPG, PNG, HEIC or WEBP."),
        error_messages={"required": _("Select a file")},
    )

    def clean_document(self):
        """The one attachment policy, narrowed to what the help text names (as a resident's
        upload is); raises ``services.attachments.Refused``, a ``ValidationError``."""
        accepted = check_upload(self.cleaned_data["document"], accept=RESIDENT_FORM_TYPES)
        return accepted.content, accepted.content_type, accepted.filename


class SimpleCaseForm(forms.Form):
    """Fallback when a service has no apply-online page: a summary and a description."""

    summary = forms.CharField(label=_("Summary"), max_length=200)
    description = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )


class VisitorDetailsForm(forms.Form):
    """Who the case is for, when the ticket is not linked to a resident yet."""

    name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), required=False)
    phone = forms.CharField(label=_("UK phone number"), required=False, max_length=30)
    postcode = forms.CharField(label=_("Postcode"), required=False, max_length=10)

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            return normalise_phone(raw)
        except InvalidPhoneNumber:
            raise forms.ValidationError(_("Enter a UK phone number"), code="invalid") from None


class ReceiptForm(CaseChoiceForm):
    channel = forms.ChoiceField(
        label=_("Send the receipt by"),
        choices=[("sms", _("Text message")), ("email", _("Email"))],
        widget=forms.RadioSelect,
    )
