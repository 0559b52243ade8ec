"""The desk's search at /desk/search/ (namespace ``search``)."""

from django.urls import path

from desk.search import views

app_name = "search"

urlpatterns = [
    path("", views.desk_search, name="desk"),
    path("suggest/", views.suggest, name="suggest"),
]
