from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentConfig(AppConfig):
    """What a resident does with their cases: track one, reply, see all of them, their data."""

    name = "portal.resident"
    label = "resident"
    verbose_name = _("Residents' pages")
    default_auto_field = "django.db.models.BigAutoField"
