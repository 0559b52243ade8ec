"""The catalogue in the Wagtail admin: editors and administrators change councils, offices,
teams, services, referral bodies, contact points and staff profiles without a release.

Each model gets a Wagtail ``ModelViewSet`` (listing with search and filters, create, edit,
delete), grouped under one "Catalogue" menu. Access follows Django's model permissions
(``services.add_service`` and so on), which administrators grant to Wagtail groups.
``MessageTemplate`` is registered by the SMS channel (it has its own segment preview).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from services.models import (
    Closure,
    ContactPoint,
    Council,
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
