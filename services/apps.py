from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "services"
    verbose_name = _("Services and cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from services import lookups, signals, tasks

        lookups.connect_signals()
        signals.message_queued.connect(tasks.deliver_when_queued, dispatch_uid="deliver_queued")
