"""The channel simulator at /desk/simulator/ (namespace ``simulator``)."""

from django.urls import path

from desk.simulator import views

app_name = "simulator"

urlpatterns = [path("", views.simulator, name="index")]
