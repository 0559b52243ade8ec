"""Channel webhooks: /channels/sms/…, /channels/voice/…, /channels/email/…"""

from django.urls import include, path

urlpatterns: list = [
    path("email/", include("channels.email.urls")),
    path("sms/", include("channels.sms.urls")),
    path("voice/", include("channels.voice.urls")),
]
