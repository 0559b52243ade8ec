"""Send texts through Twilio's Messages API.

The dispatcher (``services.outbound.dispatch``) owns retries, backoff, ordering and quiet
hours; this backend only makes one bounded API call and says how it went:

* success → ``SendResult(provider_id=MessageSid)``; Twilio's status callbacks then move the
  message on to delivered / undelivered / failed (``channels.sms.status``);
* network errors, timeouts, HTTP 429 and 5xx → ``TemporaryFailure`` (with ``Retry-After``
  when Twilio sends one): the message waits in the outbox and is tried again;
* HTTP 401/403 (wrong credentials, suspended account) → also temporary: a configuration
  mistake must not throw away every resident's message; they go once it is fixed;
* any other 4xx — invalid number (21211), the resident texted STOP (21610), not a mobile
  (21614) … → ``PermanentFailure``, recorded on the case.

``find_sent`` answers "did this text leave?" for a message a dead worker left "sending": it
lists Twilio's message log (``messages.list(to=…, from_=…, date_sent_after=…)``) and returns
the outbound records with our words sent since the claim, so the dispatcher marks the message
sent instead of texting the resident twice.

``TWILIO_API_BASE_URL`` (empty in production) points the client at another address; the
fault tests use it to drive this very code against a local fake Twilio server.
"""

import datetime
import threading

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from services.outbound.backends.base import (
    OutboundBackend,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
    same_words,
)

CONNECT_AND_READ_TIMEOUT = 10.0  # seconds, per request
LOOKUP_LIMIT = 50  # log records read when asking whether a text left (newest first)
STATUS_CALLBACK_PATH = "/channels/sms/twilio/status/"


class _HttpClient(TwilioHttpClient):
    """Twilio's own client, remembering the last response's headers (for ``Retry-After``)."""

    def request(self, *args, **kwargs):
        self.last_headers = {}
        response = super().request(*args, **kwargs)
        self.last_headers = dict(response.headers or {})
        return response


def rest_client(http: TwilioHttpClient | None = None) -> Client:
    """Twilio's REST client for our account, with timeouts, at ``TWILIO_API_BASE_URL`` if set."""
    http = http or TwilioHttpClient(timeout=CONNECT_AND_READ_TIMEOUT)
    client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http)
    base_url = getattr(settings, "TWILIO_API_BASE_URL", "")
    if base_url:
        client.api.base_url = base_url.rstrip("/")
    return client


def _retry_after(headers: dict) -> float | None:
    value = {k.lower(): v for k, v in (headers or {}).items()}.get("retry-after")
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None  # an HTTP date: the dispatcher's own backoff applies


class TwilioBackend(OutboundBackend):
    respects_quiet_hours = True

    def __init__(self, channel: str):
        super().__init__(channel)
        self._local = threading.local()  # a client (and its connection pool) per thread

    def _client(self) -> tuple[Client, _HttpClient]:
        if getattr(self._local, "client", None) is None:
            http = _HttpClient(timeout=CONNECT_AND_READ_TIMEOUT)
            self._local.client, self._local.http = rest_client(http), http
        return self._local.client, self._local.http

    def send(self, message) -> SendResult:
        client, http = self._client()
        sender = message.sender or settings.TWILIO_SMS_FROM
        if not message.recipient:
            raise PermanentFailure("No phone number to text.")
        callback = f"{settings.PUBLIC_BASE_URL}{STATUS_CALLBACK_PATH}?message={message.pk}"
        try:
            sent = client.messages.create(
                to=message.recipient,
                from_=sender,
                body=message.body,
                status_callback=callback,
            )
        except requests.RequestException as error:
            raise TemporaryFailure(f"Twilio unreachable: {type(error).__name__}") from error
        except TwilioRestException as error:
            raise _failure(error.status, error.code, error.msg, http) from error
        except TwilioException as error:
            status = getattr(error, "status", None)
            if isinstance(status, int):
                code = getattr(error, "code", None)
                raise _failure(status, code, getattr(error, "title", ""), http) from error
            raise TemporaryFailure(f"Twilio client error: {type(error).__name__}") from error
        return SendResult(provider_id=sent.sid or "")

    def find_sent(self, message, *, since: datetime.datetime) -> list[SendResult]:
        client, http = self._client()
        sender = message.sender or settings.TWILIO_SMS_FROM
        if not message.recipient:
            return []
        try:
            records = client.messages.list(
                to=message.recipient,
                from_=sender,
                date_sent_after=since,
                limit=LOOKUP_LIMIT,
            )
        except requests.RequestException as error:
            raise TemporaryFailure(f"Twilio unreachable: {type(error).__name__}") from error
        except TwilioException as error:
            # Whatever Twilio answered, we cannot tell whether the text left: ask again later.
            raise TemporaryFailure(f"Twilio message log: {type(error).__name__}") from error
        found = []
        for record in records:
            when = record.date_sent or record.date_created
            if not str(record.direction or "").startswith("outbound"):
                continue
            if when is not None and when < since:
                continue
            if same_words(message.body, record.body):
                delivered = str(record.status or "") in ("delivered", "read")
                found.append(SendResult(provider_id=record.sid or "", delivered=delivered))
        return found


def _failure(status: int, code, text: str, http: _HttpClient) -> Exception:
    reason = (f"Twilio HTTP {status}" + (f" error {code}" if code else "") + f": {text}")[:500]
    if status == 429 or status >= 500 or status in (401, 403):
        return TemporaryFailure(reason, retry_after=_retry_after(getattr(http, "last_headers", {})))
    return PermanentFailure(reason)
