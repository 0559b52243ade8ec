"""Place a call with Twilio's Calls API: one request, with connect and read timeouts."""

from django.conf import settings
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels.voice.backends import CallBackend, PlacedCall

TIMEOUT = 10.0  # seconds


class TwilioCallBackend(CallBackend):
    def place(self, *, to, from_, url, status_callback) -> PlacedCall:
        client = Client(
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_AUTH_TOKEN,
            http_client=TwilioHttpClient(timeout=TIMEOUT),
        )
        base_url = getattr(settings, "TWILIO_API_BASE_URL", "")
        if base_url:
            client.api.base_url = base_url.rstrip("/")
        created = client.calls.create(
            to=to,
            from_=from_,
            url=url,
            method="POST",
            status_callback=status_callback,
            status_callback_method="POST",
            status_callback_event=["completed"],
        )
        return PlacedCall(to, from_, url, status_callback, created.sid or "")
