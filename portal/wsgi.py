"""WSGI entry point: ``portal.wsgi:application`` (gunicorn).

The two SMS webhooks (``POST /channels/sms/twilio/`` and ``…/status/``) skip the site's
middleware (``channels.sms.lean``: the same views, without session, language, CSRF, CSP and
the rest, which cost more than the one insert those webhooks now make); everything else goes
through Django's handler as usual.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

django_application = get_wsgi_application()

from channels.sms import lean  # noqa: E402 - after Django is set up


def application(environ, start_response):
    if lean.handles(environ):
        return lean.application(environ, start_response)
    return django_application(environ, start_response)
