"""What the case API reads and writes. Catalogue rows are named by their stable codes
(council ``code``, team/office/service ``slug``), cases by their reference."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from desk.queue import SLA_CHOICES, STATUS_CHOICES, STATUS_OPEN, CursorField
from services import sla
from services.models import (
    Case,
    Channel,
    Council,
    EventKind,
    Office,
    Service,
    Status,
    Team,
    TimelineEvent,
)

MAX_PAGE = 100
DEFAULT_PAGE = 50
# Choice sets the schema names (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
NEW_STATUSES = [value for value in Status.values if value != Status.MERGED]
OUTCOME_STATUSES = [Status.RESOLVED.value, Status.CLOSED.value]
STATUS_FILTERS = [value for value, _label in STATUS_CHOICES]
SLA_FILTERS = [value for value, _label in SLA_CHOICES if value]


def _code(obj, attr="slug"):
    return getattr(obj, attr) if obj is not None else None


class Error(serializers.Serializer):
    """Every error answer."""

    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class CaseSummary(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    display_reference = serializers.CharField(read_only=True)
    service = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    responsible_council = serializers.SerializerMethodField()
    delivering_council = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    office = serializers.SerializerMethodField()
    assigned = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "reference",
            "display_reference",
            "url",
            "summary",
            "service",
            "service_name",
            "status",
            "priority",
            "origin_channel",
            "responsible_council",
            "delivering_council",
            "team",
            "office",
            "assigned",
            "created_at",
            "updated_at",
            "due_at",
            "resolved_at",
            "closed_at",
            "sla",
        ]
        read_only_fields = fields

    def get_url(self, case) -> str:
        path = reverse("api:case-detail", args=[case.reference])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_responsible_council(self, case) -> str | None:
        return _code(case.responsible_council, "code")

    def get_delivering_council(self, case) -> str | None:
        return _code(case.delivering_council, "code")

    def get_team(self, case) -> str | None:
        return _code(case.team)

    def get_office(self, case) -> str | None:
        return _code(case.office)

    def get_assigned(self, case) -> bool:
        return case.assignee_id is not None

    def get_sla(self, case) -> str:
        """on_track, at_risk, breached, paused or none (no target: closed, referred)."""
        return str(sla.state_of(case, self.context.get("now") or timezone.now()))


class Resident(serializers.Serializer):
    """The resident, as the desk shows them to the same staff account."""

    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    postcode = serializers.CharField()
    language = serializers.CharField()
    preferred_channel = serializers.CharField()


class CaseDetail(CaseSummary):
    resident = Resident(read_only=True)
    referral_body = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    timeline_url = serializers.SerializerMethodField()

    class Meta(CaseSummary.Meta):
        fields = [
            *CaseSummary.Meta.fields,
            "description",
            "answers",
            "location",
            "postcode",
            "language",
            "referral_body",
            "merged_into",
            "resident",
            "timeline_url",
        ]
        read_only_fields = fields

    def get_referral_body(self, case) -> str | None:
        return case.referral_body.name if case.referral_body_id else None

    def get_merged_into(self, case) -> str | None:
        return case.merged_into.reference if case.merged_into_id else None

    def get_timeline_url(self, case) -> str:
        path = reverse("api:case-timeline", args=[case.reference])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class CasePage(serializers.Serializer):
    results = CaseSummary(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class PublicEvent(serializers.ModelSerializer):
    """One entry of the case's public timeline: what the resident sees on their case page."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = TimelineEvent
        fields = ["id", "kind", "kind_label", "created_at", "channel", "body", "status"]
        read_only_fields = fields

    def get_status(self, event) -> str | None:
        """The status the case moved to, for a status change."""
        if event.kind == EventKind.STATUS and isinstance(event.data, dict):
            value = event.data.get("to")
            return value if isinstance(value, str) else None
        return None


class TimelinePage(serializers.Serializer):
    results = PublicEvent(many=True)
    next_cursor = serializers.CharField(allow_null=True)


# --- Input -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.STR)
class SlugLookup(serializers.Field):
    """A catalogue row by its slug (or a council by its code), in any case."""

    default_error_messages = {
        "invalid": _("Give a code: letters, digits and hyphens."),
        "missing": _("There is no %(thing)s %(value)s."),
    }

    def __init__(self, model, field="slug", **kwargs):
        self.model, self.lookup = model, field
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or len(data) > 120 or "\x00" in data:
            self.fail("invalid")
        value = data.strip()
        if not value:
            return None
        found = self.model.objects.filter(**{f"{self.lookup}__iexact": value}).first()
        if found is None:
            self.fail("missing", thing=self.model._meta.verbose_name, value=value)
        return found

    def to_representation(self, value):
        return getattr(value, self.lookup, None)


class CaseFilter(serializers.Serializer):
    """The desk queue's filters (``desk.queue``), by code instead of database id."""

    council = SlugLookup(Council, "code", help_text=_("Delivering council code, e.g. MKC."))
    office = SlugLookup(Office, help_text=_("Office slug."))
    team = SlugLookup(Team, help_text=_("Team slug."))
    service = SlugLookup(Service, help_text=_("Service slug."))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    status = serializers.ChoiceField(
        choices=STATUS_FILTERS,
        required=False,
        help_text=_(
            "A status, open_all (received, open, in progress, waiting: the default) or any."
        ),
    )
    sla = serializers.ChoiceField(choices=SLA_FILTERS, required=False)
    assigned = serializers.ChoiceField(choices=["me", "unassigned"], required=False)
    after = serializers.CharField(
        required=False,
        max_length=80,
        help_text=_("The next_cursor of the previous page."),
    )
    limit = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=DEFAULT_PAGE)

    def validate_after(self, value):
        try:
            return CursorField(required=False).clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def validate_status(self, value):
        return value or STATUS_OPEN


class TimelineFilter(serializers.Serializer):
    after = serializers.IntegerField(
        required=False, min_value=0, max_value=2**62, help_text=_("Last event id seen.")
    )
    limit = serializers.IntegerField(min_value=1, max_value=200, default=100)


class StatusChange(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=NEW_STATUSES,
        help_text=_("The new status; the workflow decides which moves are allowed (409 if not)."),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        default="",
        help_text=_("Added to the update the resident is sent, when they are told."),
    )
    notify = serializers.BooleanField(
        required=False, default=True, help_text=_("Tell the resident, where the change is one.")
    )


class Outcome(serializers.Serializer):
    outcome = serializers.CharField(
        max_length=1000, help_text=_("What was done, in words the resident is sent.")
    )
    status = serializers.ChoiceField(
        choices=OUTCOME_STATUSES, required=False, default=Status.RESOLVED.value
    )


class Note(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text=_("An internal note (staff only)."))


class NoteCreated(serializers.Serializer):
    reference = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class Transfer(serializers.Serializer):
    team = SlugLookup(Team, help_text=_("Team slug."))
    office = SlugLookup(Office, help_text=_("Office slug."))
    council = SlugLookup(Council, "code", help_text=_("Council code."))
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs):
        if not (attrs.get("team") or attrs.get("office") or attrs.get("council")):
            raise serializers.ValidationError(_("Choose a team, an office or a council."))
        return attrs


class Transferred(serializers.Serializer):
    reference = serializers.CharField()
    delivering_council = serializers.CharField(allow_null=True)
    team = serializers.CharField(allow_null=True)
    office = serializers.CharField(allow_null=True)
    visible = serializers.BooleanField(
        help_text=_("Whether this system can still see the case where it went.")
    )


class Me(serializers.Serializer):
    partner = serializers.CharField()
    slug = serializers.CharField()
    council = serializers.CharField()
    role = serializers.CharField()
    teams = serializers.ListField(child=serializers.CharField())
    rate_limit = serializers.IntegerField(help_text=_("Requests allowed per minute."))
    feeds = serializers.ListField(child=serializers.CharField())
