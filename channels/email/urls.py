"""/channels/email/anymail/…: django-anymail's inbound webhooks (e.g. ``mailgun/inbound_mime/``).

Anymail verifies each provider's signature (and HTTP basic auth when ``ANYMAIL_WEBHOOK_SECRET``
is set) and sends its ``inbound`` signal; ``channels.email.signals`` hands the message to the
same path as ``manage.py receive_email``.
"""

from django.urls import include, path

urlpatterns = [
    path("anymail/", include("anymail.urls")),
]
