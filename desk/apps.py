from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "desk"
    label = "desk"
    verbose_name = "Staff desk"
