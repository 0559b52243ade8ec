"""The public section, mounted at /how-we-are-doing/."""

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("data.csv", views.download, {"fmt": "csv"}, name="csv"),
    path("data.json", views.download, {"fmt": "json"}, name="json"),
    path("equality/", views.equality_form, name="equality"),
    path("equality/thanks/", views.equality_thanks, name="equality_thanks"),
    path("equality/results/", views.equality_results, name="equality_results"),
]
