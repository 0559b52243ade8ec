"""Forms for the desk's actions. They validate what staff typed; the actions decide what is
allowed (permission, transitions) and the views turn refusals into form errors.

Choice lists are built for the case and the user in hand, so a form never offers a team
member, a status or a channel the action would refuse.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from services import attachments as attachment_policy
from services import reference, workflow
from services.composition import address_for
from services.models import (
    Case,
    Channel,
    Council,
    Office,
    ReferralBody,
    Resident,
    Status,
    Team,
)

MAX_ATTACHMENTS = 5


class _TextAreaField(forms.CharField):
    widget = forms.Textarea

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("strip", True)
        super().__init__(*args, **kwargs)


class DeskForm(forms.Form):
    """Several of these share the case page: each gets its own id prefix (no duplicate ids)."""

    id_prefix = "desk"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class NoteForm(DeskForm):
    id_prefix = "note"
    text = _TextAreaField(
        label=_("Internal note"),
        help_text=_("Only staff see notes. The resident is not told."),
        max_length=10_000,
        error_messages={"required": _("Enter the note")},
    )


def staff_members_for(case: Case):
    """People a case can be assigned to: members of its team and staff of its council."""
    condition = Q(staff_profile__teams=case.team_id) if case.team_id else Q(pk__in=[])
    if case.delivering_council_id:
        condition |= Q(staff_profile__council_id=case.delivering_council_id)
        # Joint working: staff of an office that serves the council (the joint contact centre).
        condition |= Q(staff_profile__office__serves=case.delivering_council_id)
    return (
        get_user_model()
        .objects.filter(condition, is_active=True, is_staff=True)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(DeskForm):
    id_prefix = "assign"

    assignee = StaffChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label=_("Person"),
        empty_label=_("Nobody (unassign)"),
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("council"),
        required=False,
        label=_("Team"),
        empty_label=_("Keep the current team"),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_members_for(case)
        self.fields["assignee"].initial = case.assignee_id


class TransferForm(DeskForm):
    id_prefix = "transfer"

    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("council"),
        required=False,
        label=_("To a team"),
        empty_label=_("No change"),
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.all(),
        required=False,
        label=_("To an office"),
        empty_label=_("No change"),
    )
    council = forms.ModelChoiceField(
        queryset=Council.objects.all(),
        required=False,
        label=_("To a council"),
        empty_label=_("No change"),
    )
    note = _TextAreaField(label=_("Why (internal)"), required=False, max_length=2000)

    def clean(self):
        data = super().clean()
        if not (data.get("team") or data.get("office") or data.get("council")):
            raise forms.ValidationError(_("Choose a team, an office or a council"))
        return data


class StatusForm(DeskForm):
    id_prefix = "status"

    status = forms.ChoiceField(label=_("New status"), choices=())
    note = _TextAreaField(
        label=_("Message for the resident (optional)"),
        help_text=_("Added to the update the resident is sent, when they are told."),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        # The one transition table decides what is offered.
        self.fields["status"].choices = [
            (value, Status(value).label)
            for value in workflow.next_statuses(case.status)
            if value != Status.MERGED  # merging has its own form: it needs the other case
        ]
        self.fields["status"].error_messages["invalid_choice"] = _(
            "A case cannot move to that status from here"
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def possible_channels(resident: Resident) -> list[tuple[str, str]]:
    """The channels a reply can go out on: an address we hold and the resident's consent."""
    channels = []
    if address_for(resident, Channel.EMAIL) and resident.consent_email:
        channels.append(
            (Channel.EMAIL.value, _("Email to %(address)s") % {"address": resident.email})
        )
    if address_for(resident, Channel.SMS) and resident.consent_sms:
        channels.append(
            (Channel.SMS.value, _("Text message to %(address)s") % {"address": resident.phone})
        )
    return channels


class ReplyForm(DeskForm):
    id_prefix = "reply"

    body = _TextAreaField(
        label=_("Message to the resident"),
        max_length=5000,
        error_messages={"required": _("Enter the message")},
    )
    channel = forms.ChoiceField(label=_("Send by"), choices=(), widget=forms.RadioSelect)
    request_information = forms.BooleanField(
        label=_("This asks the resident for information (pauses the target time)"),
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_("Up to 5 files, 10 MB each: PDF, images, text or documents."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        choices = possible_channels(case.resident)
        self.fields["channel"].choices = choices
        preferred = case.resident.preferred_channel
        self.fields["channel"].initial = (
            preferred if preferred in dict(choices) else (choices[0][0] if choices else None)
        )
        self.fields["channel"].error_messages["required"] = _("Choose how to send the message")

    @property
    def has_channels(self) -> bool:
        return bool(self.fields["channel"].choices)

    def clean_body(self):
        # The SMS segment count is of the text we send: normalise line endings first.
        return self.cleaned_data["body"].replace("\r\n", "\n")

    def clean_attachments(self) -> list[attachment_policy.Accepted]:
        """Each file judged by its content (``services.attachments``, the one policy for every
        channel); what is accepted is handed to ``services.actions.reply`` as it is."""
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Attach at most 5 files"))
        accepted = []
        for upload in files:
            try:
                accepted.append(attachment_policy.check_upload(upload))
            except attachment_policy.Refused as refused:
                if refused.code == "too_big":
                    raise forms.ValidationError(
                        _("%(name)s is larger than %(limit)s")
                        % {
                            "name": upload.name,
                            "limit": filesizeformat(attachment_policy.max_bytes()),
                        }
                    ) from None
                raise forms.ValidationError(
                    _("%(name)s is not a file type we can send") % {"name": upload.name}
                ) from None
        return accepted


class ReferenceField(forms.CharField):
    """A case reference, check digit verified before any lookup."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return reference.normalise(value)
        except reference.InvalidReference as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class MergeForm(DeskForm):
    id_prefix = "merge"

    into = ReferenceField(
        label=_("Reference of the case to keep"),
        help_text=_("This case is closed as a duplicate; its messages move to that case."),
        error_messages={"required": _("Enter the reference of the case to keep")},
    )
    note = _TextAreaField(label=_("Why (optional)"), required=False, max_length=2000)


class ReferForm(DeskForm):
    id_prefix = "refer"

    body = forms.ModelChoiceField(
        queryset=ReferralBody.objects.all(),
        label=_("Refer to"),
        empty_label=_("Choose an organisation"),
        error_messages={"required": _("Choose who to refer the case to")},
    )
    note = _TextAreaField(label=_("Note (the resident is told)"), required=False, max_length=2000)


class ResidentMergeForm(DeskForm):
    id_prefix = "resident-merge"

    into = forms.IntegerField(
        label=_("Number of the resident record to keep"),
        min_value=1,
        max_value=2**62,
        help_text=_("This record is folded into that one: cases and messages move. Audited."),
        error_messages={"required": _("Enter the number of the resident record to keep")},
    )
    reason = _TextAreaField(
        label=_("Why"),
        max_length=2000,
        error_messages={"required": _("Say why these are the same person")},
    )
