"""The SMS webhooks without the site's middleware: a WSGI app for exactly two paths.

``portal.wsgi`` sends ``POST /channels/sms/twilio/`` and ``POST /channels/sms/twilio/status/``
here instead of through Django's full handler. Those two views need none of the site's
middleware — no session, user, language, CSRF (they are exempt: Twilio's signature is the
check), messages, CSP or redirects: the answer is an empty TwiML document or a 204 for a
machine — and the middleware stack was most of the CPU a webhook cost once the webhook only
writes one row (measured: README, "Performance").

What is kept of Django's handler, and why: the URL prefix (``set_script_prefix``), the
``request_started``/``request_finished`` signals (they open and close database connections
by ``CONN_MAX_AGE`` and health checks), ``ALLOWED_HOSTS`` (``request.get_host()``, as
``CommonMiddleware`` would), and ``convert_exception_to_response`` (an error is logged and
answered 500 exactly as Django would). The views themselves — signature check, the entrance's
field cleaning, the one insert or the spool — are the same classes the URLconf routes to, so
the ordinary path (tests, ``runserver``) and this one cannot differ in what they do.
"""

from django.core.exceptions import DisallowedHost
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.http import HttpResponseBadRequest
from django.urls import set_script_prefix

from channels.sms.views import InboundSmsView, SmsStatusView

VIEWS = {
    "/channels/sms/twilio/": InboundSmsView.as_view(),
    "/channels/sms/twilio/status/": SmsStatusView.as_view(),
}


def handles(environ: dict) -> bool:
    return environ.get("REQUEST_METHOD") == "POST" and environ.get("PATH_INFO") in VIEWS


def _respond(request: WSGIRequest):
    try:
        request.get_host()  # ALLOWED_HOSTS, as for every other request
    except DisallowedHost:
        return HttpResponseBadRequest("Bad host.", content_type="text/plain")
    return VIEWS[request.path_info](request)


_handle = convert_exception_to_response(_respond)


def application(environ: dict, start_response):
    set_script_prefix(get_script_name(environ))
    from django.core import signals

    signals.request_started.send(sender=WSGIHandler, environ=environ)
    request = WSGIRequest(environ)
    response = _handle(request)
    response._handler_class = WSGIHandler
    start_response(
        f"{response.status_code} {response.reason_phrase}",
        list(response.items()),
    )
    return response  # the server closes it: request_finished, connections tidied
