"""How an event reaches a partner: one signed JSON POST, through a configured transport.

``PORTAL_FEED_TRANSPORT`` names the class, as ``PORTAL_CHANNEL_BACKENDS`` does for the
channels: ``api.transport.RequestsTransport`` (the default: requests, with a timeout, no
redirects followed) or ``api.transport.LocmemTransport`` (tests: records every POST in
``outbox`` and answers what the test told it to). A transport never raises for a partner's
failure: it reports it, and ``api.feeds`` decides about retrying.
"""

from dataclasses import dataclass, field
from functools import cache

import requests
from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT = "api.transport.RequestsTransport"
TIMEOUT = (5, 10)  # seconds to connect, to read the answer


@dataclass(frozen=True)
class Answer:
    """What came back: the HTTP status, or ``None`` and why nothing did."""

    status_code: int | None
    error: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(min(int(value.strip()), 24 * 3600))
    return None


class RequestsTransport:
    """POST with requests: a connect and a read timeout, redirects not followed (a 3xx is a
    failure, so a moved endpoint cannot quietly send signed events elsewhere)."""

    def __init__(self):
        self.session = requests.Session()

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        try:
            response = self.session.post(
                url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
            )
        except requests.RequestException as error:
            return Answer(None, f"{type(error).__name__}: {error}"[:500])
        with response:
            text = "" if response.ok else response.text[:300]
            return Answer(
                response.status_code,
                text,
                _retry_after(response.headers.get("Retry-After")),
            )


@dataclass
class Posted:
    url: str
    body: bytes
    headers: dict[str, str]
    answered: int | None = 200  # the status the transport answered (None: refused)


@dataclass
class LocmemTransport:
    """Records instead of sending. ``answers`` (status codes or ``None`` for "connection
    refused"), when set, are used one per POST, then 200 again."""

    outbox: list[Posted] = field(default_factory=list)
    answers: list[int | None] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Answer:
        status = self.answers.pop(0) if self.answers else 200
        self.outbox.append(Posted(url, body, dict(headers), status))
        if status is None:
            return Answer(None, "ConnectionError: refused (locmem)")
        return Answer(status, "" if 200 <= status < 300 else f"HTTP {status} (locmem)")

    def reset(self) -> None:
        self.outbox.clear()
        self.answers.clear()


@cache
def _load(path: str):
    return import_string(path)()


def get_transport():
    """The configured transport (one instance per process and class path)."""
    return _load(getattr(settings, "PORTAL_FEED_TRANSPORT", DEFAULT))
