"""Production: everything secret or site-specific must come from the environment.

The process refuses to start without SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL, and the
settings here make ``manage.py check --deploy`` clean. TLS ends at a proxy in front of us that
sets ``X-Forwarded-Proto``.
"""

from django.core.exceptions import ImproperlyConfigured

from portal.settings import env
from portal.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env.required("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters.")
ALLOWED_HOSTS = env.csv("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to this deployment's host names (never '*').")
env.required("DATABASE_URL")
DATABASES = {"default": env.database("DATABASE_URL")}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Sending the preload directive only makes the domain eligible; submitting it is a separate,
# deliberate step. Councils that cannot commit every subdomain to HTTPS set this false.
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
PORTAL_STAFF_MFA_REQUIRED = env.boolean("PORTAL_STAFF_MFA_REQUIRED", default=True)
PORTAL_CHANNEL_SIMULATOR = env.boolean("PORTAL_CHANNEL_SIMULATOR", default=False)
# The softphone is optional (voice may be unused), but half a configuration is a mistake:
# an API key needs its secret, the TwiML App its agents call through, and the account.
_softphone = {
    "TWILIO_API_KEY": TWILIO_API_KEY,  # noqa: F405
    "TWILIO_API_SECRET": TWILIO_API_SECRET,  # noqa: F405
    "TWILIO_TWIML_APP_SID": TWILIO_TWIML_APP_SID,  # noqa: F405
    "TWILIO_ACCOUNT_SID": TWILIO_ACCOUNT_SID,  # noqa: F405
}
if _softphone["TWILIO_API_KEY"] and not all(_softphone.values()):
    _missing = ", ".join(name for name, value in _softphone.items() if not value)
    raise ImproperlyConfigured(f"TWILIO_API_KEY is set for the softphone: also set {_missing}.")

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

_email_backend = env.string("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": (
            {
                "host": env.string("EMAIL_HOST", default="localhost"),
                "port": env.integer("EMAIL_PORT", default=25),
                "username": env.string("EMAIL_HOST_USER", default=""),
                "password": env.string("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.boolean("EMAIL_USE_TLS", default=False),
                "timeout": 10,
            }
            if _email_backend.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}

# Rate limits no longer count in the cache (services.actions.ratelimit keeps them in
# PostgreSQL), so nothing here is a security counter: what the cache holds (allauth's
# signed-in limits and cool-downs, Wagtail's caches) can be culled without harm. The database
# cache needs nothing else running (`manage.py createcachetable`, run by the compose "migrate"
# service); councils with Redis can point CACHES at it instead. Room for 20,000 entries (the
# default, 300, culled a third of the table every few hundred requests); when full it first
# drops expired entries, then a quarter of the rest.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
        "OPTIONS": {
            "MAX_ENTRIES": env.integer("PORTAL_CACHE_MAX_ENTRIES", default=20_000),
            "CULL_FREQUENCY": 4,
        },
    },
    "catalogue": CATALOGUE_CACHE,  # noqa: F405 - per process; see services.lookups
}
