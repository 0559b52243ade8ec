from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Performance figures: summary tables, published pages, dashboards, equality monitoring."""

    name = "reports"
    label = "reports"
    verbose_name = _("Performance reports")
    default_auto_field = "django.db.models.BigAutoField"
