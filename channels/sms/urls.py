from django.urls import path

from channels.sms import status, views

app_name = "sms"

urlpatterns = [
    path("twilio/", views.InboundSmsView.as_view(), name="twilio_inbound"),
    path("twilio/status/", status.StatusCallbackView.as_view(), name="twilio_status"),
]
