from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    label = "api"
    verbose_name = _("Case API and event feeds")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from api import receivers, schema  # noqa: F401 - schema registers the key's description
        from services import signals
        from services.models import Partner

        signals.case_changed.connect(receivers.on_case_changed, dispatch_uid="api_feed_events")
        post_save.connect(receivers.on_partner_saved, sender=Partner, dispatch_uid="api_partner")
        post_delete.connect(receivers.on_partner_saved, sender=Partner, dispatch_uid="api_partner")
