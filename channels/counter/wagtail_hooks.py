"""Desks in the Wagtail admin: an office adds, relabels, limits (reasons) or retires desks
without a release. Access follows Django's model permissions (``counter.change_desk`` …)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from channels.counter.models import Desk


class DeskViewSet(ModelViewSet):
    model = Desk
    icon = "desktop"
    menu_label = _("Counter desks")
    add_to_admin_menu = True
    search_backend_name = None
    copy_view_enabled = False
    list_display = ["__str__", "office", "number", "active"]
    list_filter = ["office", "active"]
    form_fields = ["office", "number", "label", "groups", "active"]


@hooks.register("register_admin_viewset")
def register_desks() -> DeskViewSet:
    return DeskViewSet("counter_desks")
