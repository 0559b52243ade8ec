"""The contact-centre calls panel at /desk/calls/ (mounted before the desk's own URLs)."""

from django.urls import path

from channels.voice import desk

app_name = "calls"

urlpatterns = [
    path("", desk.panel, name="panel"),
    path("panel.json", desk.panel_json, name="panel_json"),
    path("log/", desk.log_by_hand, name="log"),
    path("simulate/", desk.simulate, name="simulate"),
    path("callbacks/", desk.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/attempt/", desk.callback_attempt, name="callback_attempt"),
    path("<int:pk>/", desk.call_detail, name="call"),
    path("<int:pk>/take/", desk.take_call, name="take"),
    path("<int:pk>/wrap-up/", desk.wrap_up, name="wrap_up"),
]
