from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailChannelConfig(AppConfig):
    """Inbound email (MTA pipe and provider webhooks), fax through an email gateway, and the
    HTML part of outbound email."""

    name = "channels.email"
    label = "email_channel"
    verbose_name = _("Email channel")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from channels.email import signals  # noqa: F401  (connects the receivers)
