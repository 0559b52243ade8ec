from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CounterConfig(AppConfig):
    name = "channels.counter"
    label = "counter"
    verbose_name = _("Counter (walk-in queue)")
    default_auto_field = "django.db.models.BigAutoField"
