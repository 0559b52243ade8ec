from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services and cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from services import lookups

        lookups.connect_signals()
