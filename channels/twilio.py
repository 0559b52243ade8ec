"""The one base for Twilio webhooks (SMS and voice): check the signature, clean the fields once,
then handle.

Twilio signs each webhook with the account's Auth Token over the *URL it called* plus the
POST parameters (``X-Twilio-Signature``). Behind a TLS-terminating proxy the URL Django sees
(``http://web:8000/…``) is not the one Twilio called (``https://portal.example.gov.uk/…``),
so the URL is rebuilt from ``settings.PUBLIC_BASE_URL`` and the request's path and query
string — never from the ``Host`` header, which a client controls.

The comparison is twilio's own ``RequestValidator`` (constant time, tries the URL with and
without the port as Twilio's back end is inconsistent about it). A missing or wrong signature
gets 403 and nothing is read or written. These views are the only CSRF-exempt ones: the
signature does the job a CSRF token does for a browser.

**The entrance.** A signature says who sent a request, not that its fields are sane: a caller
id can carry a NUL, a duration thirty digits, a transcript anything a recogniser heard. So,
after the signature check and before any handler runs, every field a view declares
(``post_fields`` for the form body, ``query_fields`` for the query string of the URL we gave
Twilio) is cleaned once through ``services.inbound`` — control characters and NULs removed,
lone surrogates replaced, lengths cut, integers kept only when in range, phone numbers to
E.164, provider ids kept only when they have the provider's shape — into ``self.fields`` and
``self.query``: read-only mappings that hold exactly the declared names. Handlers read those,
never ``request.POST``/``request.GET``; a name a view did not declare is a ``KeyError`` in
development rather than a raw value in production. ``self.payload`` is every posted field,
cleaned and bounded, for keeping as the provider's raw record.

Why not Django forms: a form *refuses* a value it does not like (a NUL is a validation error),
and a webhook must *keep* what the provider sent — a text with a NUL in it is still the
resident's text — answering 4xx only when the request cannot be used at all (no call id),
which each handler decides from the cleaned values.
"""

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, QueryDict
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml import TwiML

from services import inbound

logger = logging.getLogger(__name__)

TWIML_CONTENT_TYPE = "text/xml; charset=utf-8"
MAX_PAYLOAD_VALUE = 10_000  # any one posted value kept in ``payload`` (a text joins to 1,600)
MAX_PAYLOAD_NAME = 100


def public_url(request: HttpRequest) -> str:
    """The URL Twilio called: the public base plus the path and query string we received."""
    return settings.PUBLIC_BASE_URL + request.get_full_path()


def signature_is_valid(request: HttpRequest) -> bool:
    """Whether the request carries Twilio's signature over ``public_url`` and its POST body."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    token = settings.TWILIO_AUTH_TOKEN
    if not signature or not token:
        return False
    algorithm = get_signature_algorithm(request.headers.get(SIGNATURE_SETTINGS_HEADER, ""))
    return RequestValidator(token).validate(public_url(request), request.POST, signature, algorithm)


def twiml(response: TwiML | str) -> HttpResponse:
    return HttpResponse(str(response), content_type=TWIML_CONTENT_TYPE)


# --- How each field is cleaned -----------------------------------------------------------


class Field:
    """How one field is cleaned. ``clean(None)`` is the value of a field that was not sent."""

    def clean(self, value: str | None) -> Any:  # pragma: no cover
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Field):
    """Free text (a body, a transcript): line breaks kept, control characters gone, cut."""

    max_length: int

    def clean(self, value):
        return inbound.text(value, self.max_length)


@dataclass(frozen=True)
class Line(Field):
    """One line (a status, a digit string, a URL, a name): stripped and cut."""

    max_length: int
    lower: bool = False

    def clean(self, value):
        cleaned = inbound.line(value, self.max_length)
        return cleaned.lower() if self.lower else cleaned


@dataclass(frozen=True)
class Phone(Field):
    """A number from the network: E.164 where it is one, else the cleaned text (a short
    code, ``anonymous``, ``client:<identity>``) cut to ``max_length``."""

    max_length: int = inbound.MAX_PHONE

    def clean(self, value):
        return inbound.phone(value)[: self.max_length]


@dataclass(frozen=True)
class Integer(Field):
    """A whole number within [minimum, maximum], else ``default`` (thirty digits are not a
    duration; PostgreSQL's integer ends at 2³¹−1)."""

    minimum: int = 0
    maximum: int = inbound.MAX_INTEGER
    default: int | None = None

    def clean(self, value):
        return inbound.integer(
            value, minimum=self.minimum, maximum=self.maximum, default=self.default
        )


@dataclass(frozen=True)
class Sid(Field):
    """A Twilio id: two letters (one of ``prefixes``) and 32 hex digits, else ``""``."""

    prefixes: tuple[str, ...] = ()

    _SHAPE: ClassVar[re.Pattern] = re.compile(r"^[A-Za-z]{2}[0-9a-fA-F]{32}$")

    def clean(self, value):
        cleaned = inbound.line(value, inbound.MAX_IDENTIFIER)
        if not self._SHAPE.match(cleaned):
            return ""
        if self.prefixes and cleaned[:2] not in self.prefixes:
            return ""
        return cleaned


class Fields(Mapping):
    """The cleaned values of the declared fields; read-only, and only those names."""

    def __init__(self, values: dict[str, Any]):
        self._values = values

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Fields({self._values!r})"


def clean_fields(spec: Mapping[str, Field], data: QueryDict) -> Fields:
    """Every field of ``spec`` read from ``data`` (the last value of a repeated name, as
    ``QueryDict.get`` gives) and cleaned; absent fields are ``clean(None)``."""
    return Fields({name: field.clean(data.get(name)) for name, field in spec.items()})


def clean_payload(data: QueryDict) -> dict[str, str]:
    """Every posted field, names and values cleaned and bounded: the provider's record."""
    payload: dict[str, str] = {}
    for name in list(data.keys())[: settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or 1000]:
        key = inbound.line(name, MAX_PAYLOAD_NAME)
        if key:
            payload[key] = inbound.text(data.get(name), MAX_PAYLOAD_VALUE)
    return payload


@method_decorator(csrf_exempt, name="dispatch")
class TwilioWebhookView(View):
    """Base view: POST only, signature checked before anything else happens, then the
    declared fields cleaned once (``self.fields``, ``self.query``, ``self.payload``).

    Subclasses declare ``post_fields`` / ``query_fields`` and implement
    ``handle(request)``, returning a response (TwiML or empty 204). A repeated delivery must
    answer 2xx (so Twilio stops retrying) and change nothing.
    """

    http_method_names = ["post"]
    post_fields: ClassVar[Mapping[str, Field]] = {}
    query_fields: ClassVar[Mapping[str, Field]] = {}

    fields: Fields
    query: Fields
    payload: dict[str, str]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not signature_is_valid(request):
            logger.warning("Twilio webhook %s refused: missing or wrong signature", request.path)
            return HttpResponseForbidden("Invalid signature.", content_type="text/plain")
        self.fields = clean_fields(self.post_fields, request.POST)
        self.query = clean_fields(self.query_fields, request.GET)
        self.payload = clean_payload(request.POST)
        return self.handle(request, *args, **kwargs)

    def handle(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # pragma: no cover
        raise NotImplementedError
