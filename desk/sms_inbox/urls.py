"""The SMS inbox page at /desk/sms-inbox/ (namespace ``sms_inbox``)."""

from django.urls import path

from desk.sms_inbox import views

app_name = "sms_inbox"

urlpatterns = [path("", views.index, name="index")]
