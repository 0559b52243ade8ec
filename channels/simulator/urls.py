from django.urls import path

from channels.simulator import views

app_name = "simulator"

urlpatterns = [path("", views.simulator, name="index")]
