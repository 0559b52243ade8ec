"""Supervisors' dashboards at /desk/dashboards/ (namespace ``dashboards``)."""

from django.urls import path

from desk.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboards, name="index"),
    path("<slug:table>.csv", views.dashboard_csv, name="csv"),
]
