from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "channels.voice"
    label = "voice"
    verbose_name = "Telephone (Twilio Voice)"
    default_auto_field = "django.db.models.BigAutoField"
