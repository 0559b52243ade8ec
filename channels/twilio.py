"""The one base for Twilio webhooks (SMS now, voice later): check the signature, then handle.

Twilio signs each webhook with the account's Auth Token over the *URL it called* plus the
POST parameters (``X-Twilio-Signature``). Behind a TLS-terminating proxy the URL Django sees
(``http://web:8000/…``) is not the one Twilio called (``https://portal.example.gov.uk/…``),
so the URL is rebuilt from ``settings.PUBLIC_BASE_URL`` and the request's path and query
string — never from the ``Host`` header, which a client controls.

The comparison is twilio's own ``RequestValidator`` (constant time, tries the URL with and
without the port as Twilio's back end is inconsistent about it). A missing or wrong signature
gets 403 and nothing is read or written. These views are the only CSRF-exempt ones: the
signature does the job a CSRF token does for a browser.
"""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
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

logger = logging.getLogger(__name__)

TWIML_CONTENT_TYPE = "text/xml; charset=utf-8"


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


@method_decorator(csrf_exempt, name="dispatch")
class TwilioWebhookView(View):
    """Base view: POST only, signature checked before anything else happens.

    Subclasses implement ``handle(request)`` and return a response (TwiML or empty 204).
    A repeated delivery must answer 2xx (so Twilio stops retrying) and change nothing.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not signature_is_valid(request):
            logger.warning("Twilio webhook %s refused: missing or wrong signature", request.path)
            return HttpResponseForbidden("Invalid signature.", content_type="text/plain")
        return self.handle(request, *args, **kwargs)

    def handle(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:  # pragma: no cover
        raise NotImplementedError
