"""Supervisors' dashboards, mounted at /desk/dashboards/ (before the desk's own URLs)."""

from django.urls import path

from reports import dashboards

app_name = "dashboards"

urlpatterns = [
    path("", dashboards.dashboards, name="index"),
    path("<slug:table>.csv", dashboards.dashboard_csv, name="csv"),
]
