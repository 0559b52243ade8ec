from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "channels.simulator"
    label = "simulator"
    verbose_name = "Channel simulator"
