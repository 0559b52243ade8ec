"""The test suite: PostgreSQL when DATABASE_URL is set (CI always sets it), else SQLite.

Outbound providers are replaced by the ``locmem`` backends, which record what would have been
sent; nothing in a test reaches a real provider.
"""

from portal.settings import env
from portal.settings.base import *  # noqa: F403
from portal.settings.base import BASE_DIR, PORTAL_CHANNEL_BACKENDS, TASKS

DEBUG = False
(BASE_DIR / "var").mkdir(exist_ok=True)
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PUBLIC_BASE_URL = "https://portal.example.test"
WAGTAILADMIN_BASE_URL = PUBLIC_BASE_URL
DATABASES = {
    "default": env.database(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'test.sqlite3'}"
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PORTAL_CHANNEL_BACKENDS = {
    key: "services.outbound.backends.locmem.LocmemBackend" for key in PORTAL_CHANNEL_BACKENDS
}
TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
TWILIO_AUTH_TOKEN = "test-twilio-auth-token"  # noqa: S105
TWILIO_SMS_FROM = "+447400000001"
# The softphone's token signing (tests decode the JWT with this secret; nothing reaches Twilio).
TWILIO_API_KEY = "SK" + "0" * 32
TWILIO_API_SECRET = "test-twilio-api-secret-32-chars!"  # noqa: S105
TWILIO_TWIML_APP_SID = "AP" + "0" * 32
# Tasks run in the test's own thread and transaction unless a test asks for the worker.
TASKS = {
    "default": TASKS["default"] | {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}
}
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BASE_DIR / "var" / "test-private", "base_url": None},
    },
}
# Sign-in limits as in production (base): ours in PostgreSQL, allauth's cache counters off for
# them. (An empty dict here would give allauth's full defaults, not none.)
PORTAL_CHANNEL_SIMULATOR = True
# Feed events are recorded, not POSTed (api.transport.LocmemTransport); a test that runs a real
# local server switches back to the requests transport.
PORTAL_FEED_TRANSPORT = "api.transport.LocmemTransport"

# Quieter test output: Wagtail logs every page it creates and django.tasks every task it runs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
