from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplyConfig(AppConfig):
    """Apply-online pages: forms editors build in Wagtail that file web cases through intake."""

    name = "portal.apply"
    label = "apply"
    verbose_name = _("Apply online")
    default_auto_field = "django.db.models.BigAutoField"
