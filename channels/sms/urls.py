from django.urls import path

from channels.sms import views

app_name = "sms"

urlpatterns = [
    path("twilio/", views.InboundSmsView.as_view(), name="twilio_inbound"),
    path("twilio/status/", views.SmsStatusView.as_view(), name="twilio_status"),
]
