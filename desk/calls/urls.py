"""The contact-centre calls panel at /desk/calls/ (namespace ``calls``)."""

from django.urls import path

from desk.calls import ring, token, views, wallboard

app_name = "calls"

urlpatterns = [
    path("", views.panel, name="panel"),
    path("panel.json", views.panel_json, name="panel_json"),
    path("token/", token.token, name="token"),
    path("ring/", ring.ring_my_phone, name="ring"),
    path("log/", views.log_by_hand, name="log"),
    path("simulate/", views.simulate, name="simulate"),
    path("wallboard/", wallboard.wallboard, name="wallboard"),
    path("callbacks/", views.callbacks, name="callbacks"),
    path("callbacks/<int:pk>/attempt/", views.callback_attempt, name="callback_attempt"),
    path("<int:pk>/", views.call_detail, name="call"),
    path("<int:pk>/take/", views.take_call, name="take"),
    path("<int:pk>/wrap-up/", views.wrap_up, name="wrap_up"),
]
