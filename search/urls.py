from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.desk_search, name="desk"),
    path("suggest/", views.suggest, name="suggest"),
]
