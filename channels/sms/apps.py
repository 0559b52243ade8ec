from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "channels.sms"
    label = "sms"
    verbose_name = "SMS (Twilio)"
    default_auto_field = "django.db.models.BigAutoField"
