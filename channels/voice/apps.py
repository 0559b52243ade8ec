from django.apps import AppConfig, apps


class VoiceConfig(AppConfig):
    name = "channels.voice"
    label = "voice"
    verbose_name = "Telephone (Twilio Voice)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The shared simulator page lists every registered channel simulator: add the call.
        if apps.is_installed("channels.simulator"):
            from channels.simulator.simulators import SIMULATORS
            from channels.voice.simulator import simulator_entry

            if not any(sim.slug == "voice" for sim in SIMULATORS):
                SIMULATORS.append(simulator_entry())
