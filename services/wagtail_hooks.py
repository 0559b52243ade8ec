"""The catalogue in the Wagtail admin: editors and administrators change councils, offices,
teams, services, referral bodies, contact points and staff profiles without a release.

Each model gets a Wagtail ``ModelViewSet`` (listing with search and filters, create, edit,
delete), grouped under one "Catalogue" menu. Access follows Django's model permissions
(``services.add_service`` and so on), which administrators grant to Wagtail groups.
``MessageTemplate`` is registered by the SMS channel (it has its own segment preview); the
"Message template coverage" report (under Reports) shows editors which kind × channel ×
language has no template and which messages went out in English because of it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.fields.json import KT
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from services.models import (
    Channel,
    Closure,
    ContactPoint,
    Council,
    Direction,
    Message,
    MessageTemplate,
    Office,
    OpeningHours,
    ReferralBody,
    Service,
    ServiceGroup,
    StaffProfile,
    Team,
)


class _CatalogueViewSet(ModelViewSet):
    # The catalogue is small: plain ORM search is enough and needs no index.
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True


class CouncilViewSet(_CatalogueViewSet):
    model = Council
    icon = "site"
    menu_label = _("Councils")
    list_display = ["name", "code", "phone", "email"]
    search_fields = ["name", "code"]
    form_fields = [
        "code",
        "name",
        "short_name",
        "website",
        "phone",
        "email",
        "working_day_start",
        "working_day_end",
    ]


class OfficeViewSet(_CatalogueViewSet):
    model = Office
    icon = "home"
    menu_label = _("Offices")
    list_display = ["name", "council", "kind", "postcode"]
    list_filter = ["council", "kind"]
    search_fields = ["name", "postcode"]
    form_fields = [
        "council",
        "name",
        "slug",
        "kind",
        "address",
        "postcode",
        "phone",
        "accessibility",
        "services",
        "serves",
    ]


class OpeningHoursViewSet(_CatalogueViewSet):
    # Office is not a ClusterableModel, so its hours cannot be an InlinePanel; they get their
    # own listing, filtered by office.
    model = OpeningHours
    icon = "time"
    menu_label = _("Opening hours")
    list_display = ["office", "weekday", "opens", "closes"]
    list_filter = ["office", "weekday"]
    form_fields = ["office", "weekday", "opens", "closes"]


class ClosureViewSet(_CatalogueViewSet):
    model = Closure
    icon = "date"
    menu_label = _("Closures")
    list_display = ["date", "council", "office", "reason"]
    list_filter = ["council", "office"]
    search_fields = ["reason"]
    form_fields = ["council", "office", "date", "reason"]


class TeamViewSet(_CatalogueViewSet):
    model = Team
    icon = "group"
    menu_label = _("Teams")
    list_display = ["name", "council", "office"]
    list_filter = ["council"]
    search_fields = ["name", "slug"]
    form_fields = ["council", "office", "name", "slug"]


class ServiceGroupViewSet(_CatalogueViewSet):
    model = ServiceGroup
    icon = "folder-open-inverse"
    menu_label = _("Service groups")
    list_display = ["name", "slug", "order"]
    search_fields = ["name"]
    form_fields = ["name", "slug", "order"]


class ServiceViewSet(_CatalogueViewSet):
    model = Service
    icon = "list-ul"
    menu_label = _("Services")
    list_display = ["name", "group", "responsible_council", "delivering_team", "sla_days"]
    list_filter = ["group", "responsible_council", "restricted", "joint", "active"]
    search_fields = ["name", "slug", "keywords"]
    form_fields = [
        "name",
        "slug",
        "group",
        "summary",
        "responsible_council",
        "delivering_council",
        "delivering_team",
        "joint",
        "restricted",
        "sla_days",
        "channels",
        "referral_bodies",
        "counterparts",
        "keywords",
        "active",
    ]


class ReferralBodyViewSet(_CatalogueViewSet):
    model = ReferralBody
    icon = "link-external"
    menu_label = _("Referral bodies")
    list_display = ["name", "website", "phone"]
    search_fields = ["name"]
    form_fields = ["name", "slug", "website", "phone", "email", "postcode_districts"]


class ContactPointViewSet(_CatalogueViewSet):
    model = ContactPoint
    icon = "mail"
    menu_label = _("Contact points")
    list_display = ["address", "channel", "council", "service", "label"]
    list_filter = ["channel", "council"]
    search_fields = ["address", "label"]
    form_fields = ["channel", "address", "council", "service", "label"]


class StaffProfileViewSet(_CatalogueViewSet):
    model = StaffProfile
    icon = "user"
    menu_label = _("Staff profiles")
    list_display = ["user", "council", "office", "role"]
    list_filter = ["council", "role"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    form_fields = ["user", "council", "office", "teams", "role"]


class CatalogueViewSetGroup(ModelViewSetGroup):
    menu_label = _("Catalogue")
    menu_icon = "list-ul"
    menu_order = 250
    items = (
        CouncilViewSet("councils"),
        OfficeViewSet("offices"),
        OpeningHoursViewSet("opening_hours"),
        ClosureViewSet("closures"),
        TeamViewSet("teams"),
        ServiceGroupViewSet("service_groups"),
        ServiceViewSet("catalogue_services"),
        ReferralBodyViewSet("referral_bodies"),
        ContactPointViewSet("contact_points"),
        StaffProfileViewSet("staff_profiles"),
    )


@hooks.register("register_admin_viewset")
def register_catalogue() -> CatalogueViewSetGroup:
    return CatalogueViewSetGroup()


# --- Message template coverage --------------------------------------------------------------
COVERAGE_PERMISSIONS = (
    "services.view_messagetemplate",
    "services.change_messagetemplate",
    "services.add_messagetemplate",
)
FALLBACK_WINDOW = datetime.timedelta(days=30)


def can_see_coverage(user) -> bool:
    return any(user.has_perm(permission) for permission in COVERAGE_PERMISSIONS)


class MessageTemplateCoverageView(WagtailAdminTemplateMixin, TemplateView):
    """Which message templates exist in which language, and what fell back to English.

    Rows are every kind × channel; columns every language in ``settings.LANGUAGES``. Below,
    messages queued in the last 30 days that were sent in English because the resident's
    language had no template (``Message.metadata["template_fell_back"]``).
    """

    template_name = "services/admin/message_template_coverage.html"
    page_title = _("Message template coverage")
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_coverage(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        languages = list(settings.LANGUAGES)
        existing = {
            (kind, channel, language): pk
            for kind, channel, language, pk in MessageTemplate.objects.values_list(
                "kind", "channel", "language", "pk"
            )
        }
        channels = [(Channel.SMS, _("SMS")), (Channel.EMAIL, _("Email"))]
        rows = []
        missing = 0
        for kind, kind_label in MessageTemplate.Kind.choices:
            for channel, channel_label in channels:
                cells = []
                for code, name in languages:
                    pk = existing.get((kind, channel, code))
                    missing += pk is None
                    cells.append({"language": code, "name": name, "pk": pk})
                rows.append({"kind": kind_label, "channel": channel_label, "cells": cells})
        since = timezone.now() - FALLBACK_WINDOW
        names = dict(languages)
        kinds = dict(MessageTemplate.Kind.choices)
        fell_back = [
            {
                "kind": kinds.get(row["kind"], row["kind"]),
                "channel": dict(channels).get(row["channel"], row["channel"]),
                "language": names.get(row["requested"], row["requested"]),
                "count": row["count"],
            }
            for row in Message.objects.filter(
                direction=Direction.OUT,
                created_at__gte=since,
                metadata__template_fell_back=True,
            )
            .values("kind", "channel", requested=KT("metadata__requested_language"))
            .annotate(count=Count("pk"))
            .order_by("-count", "kind", "channel", "requested")
        ]
        context.update(
            languages=languages,
            rows=rows,
            missing=missing,
            fell_back=fell_back,
            days=FALLBACK_WINDOW.days,
        )
        return context


class CoverageMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_coverage(request.user)


@hooks.register("register_admin_urls")
def register_coverage_url():
    return [
        path(
            "reports/message-template-coverage/",
            MessageTemplateCoverageView.as_view(),
            name="message_template_coverage",
        )
    ]


@hooks.register("register_reports_menu_item")
def register_coverage_menu_item() -> MenuItem:
    return CoverageMenuItem(
        _("Message template coverage"),
        reverse("message_template_coverage"),
        name="message-template-coverage",
        icon_name="mail",
        order=1100,
    )
