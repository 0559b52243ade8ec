"""Settings for the worker processes the fault tests start and kill (``test_worker_killed``).

The test settings, with what a production worker has instead of the in-process test doubles:
tasks in the database (``db_worker`` runs them), texts through the real Twilio backend (pointed
by ``TWILIO_API_BASE_URL`` at the test's local fake Twilio), email through the real mail
backend into files (Django's file-based mail backend, so the test can count what left a process
it killed). ``PORTAL_FAULT_PAUSE`` (a directory) makes the worker stop between the provider call
and the commit that records it (``services.outbound.dispatch.fault_point``).
"""

import os

from portal.settings.test import *  # noqa: F403
from portal.settings.test import PORTAL_CHANNEL_BACKENDS, TASKS

TASKS = {"default": {**TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}
PORTAL_CHANNEL_BACKENDS = {
    **PORTAL_CHANNEL_BACKENDS,
    "sms": "channels.sms.backends.twilio.TwilioBackend",
    "email": "services.outbound.backends.mail.MailBackend",
}
TWILIO_API_BASE_URL = os.environ["FAULT_TWILIO_URL"]
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["FAULT_MAIL_DIR"]},
    }
}
PORTAL_FAULT_PAUSE = os.environ.get("FAULT_PAUSE_DIR", "")
PORTAL_FAULT_PAUSE_SECONDS = 300
