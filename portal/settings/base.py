"""Settings shared by every environment.

Everything that differs between deployments is read from the environment through
``portal.settings.env`` so that a value is parsed into its real type once, here. The
environment-specific modules (``dev``, ``test``, ``production``) only change defaults and
tighten what must be set.
"""

from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.settings import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PORTAL_DIR = BASE_DIR / "portal"

SECRET_KEY = env.string("SECRET_KEY", default="")
DEBUG = env.boolean("DEBUG", default=False)
ALLOWED_HOSTS = env.csv("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.csv("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of this deployment, as residents and providers reach it. Twilio signs
# webhooks against the URL it called, which behind a proxy is not the URL Django sees.
PUBLIC_BASE_URL = env.string("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Our apps first so that their templates override those of libraries.
    "portal",
    "portal.pages",
    "portal.apply",
    "portal.resident",
    "services",
    "channels",
    "channels.email",
    "channels.sms",
    "channels.counter",
    "channels.voice",
    "channels.open311",
    "search",
    "reports",
    "desk",
    "api",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The case API (api/): Django REST framework, its OpenAPI schema and Swagger UI's files
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Background work
    "django_tasks_db",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.forms",
]

FORM_RENDERER = "portal.forms.GovukFormRenderer"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store on every page with personal data (see its docstring).
    "portal.middleware.PersonalPagesNoStoreMiddleware",
    "portal.middleware.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # allauth's per-address limits (sign-in, sign-up, password reset) on our windows.
    "portal.account_limits.AccountRateLimitMiddleware",
    "portal.middleware.StaffMfaMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PORTAL_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

DATABASES = {
    "default": env.database("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# --- Languages ---------------------------------------------------------------------------------
# The languages the portal speaks to residents. Urdu is written right to left.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("pl", _("Polish")),
    ("ro", _("Romanian")),
    ("pt", _("Portuguese")),
    ("ur", _("Urdu")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates written the way each language writes them ("DATE_FORMAT" etc.): ours for English and
# Urdu, Django's own for Polish ("22 listopada"), Romanian and Portuguese.
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Caches --------------------------------------------------------------------------------------
# "catalogue" holds the catalogue rows every intake reads (services.lookups). It is cleared when a
# catalogue row is saved; other processes see a change within the timeout.
CATALOGUE_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "portal-catalogue",
    "TIMEOUT": env.integer("PORTAL_CATALOGUE_CACHE_SECONDS", default=60),
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "catalogue": CATALOGUE_CACHE,
}

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [PORTAL_DIR / "static", BASE_DIR / "build" / "static"]
MEDIA_URL = "/media/"
# Public CMS media (images, documents editors publish).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Files residents and staff attach to cases. Kept outside the web root and only ever served by
# a view that checks permission.
PRIVATE_FILES_ROOT = env.path("PRIVATE_FILES_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Files residents send with an application or a reply (checked by content: portal.apply.uploads).
PORTAL_UPLOAD_MAX_BYTES = env.integer("PORTAL_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- Security ----------------------------------------------------------------------------------
# A strict Content Security Policy: nothing inline, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
# The Wagtail admin (editors only) needs inline styles for its rich text editor and previews;
# scripts stay restricted to our own origin there too.
PORTAL_ADMIN_CSP = SECURE_CSP | {
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "frame-ancestors": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Accounts (django-allauth) ----------------------------------------------------------------
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/my/cases/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PUBLIC_BASE_URL.startswith("https") else "http"
# Signing in, signing up and password resets are limited in PostgreSQL, not in allauth's
# cache-based limiter (a full cache culls its counters): portal.account_limits counts them on
# services.actions.ratelimit's windows (rates: PORTAL_RATE_LIMITS, scopes login_*, signup_ip,
# reset_password_*, mfa_failed_user), so allauth's own counters for those actions are off.
ACCOUNT_ADAPTER = "portal.account_limits.AccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": None,
    "login_failed": None,  # also allauth's authenticator-code limit: see MFA_FORMS
    "signup": None,
    "reset_password": None,
    "reset_password_from_key": None,
    "confirm_email": "1/3m/key",
}
MFA_FORMS = {
    "authenticate": "portal.account_limits.AuthenticateForm",
    "reauthenticate": "portal.account_limits.ReauthenticateForm",
    "activate_totp": "portal.account_limits.ActivateTOTPForm",
}
# The CMS's own sign-in page (used where it is not routed through allauth) counts the same way.
WAGTAILADMIN_USER_LOGIN_FORM = "portal.account_limits.WagtailLoginForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MK & Northamptonshire public access"
# Staff must enrol in TOTP before they can use the desk or the CMS. Production turns it on.
PORTAL_STAFF_MFA_REQUIRED = env.boolean("PORTAL_STAFF_MFA_REQUIRED", default=False)

# --- Email ---------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.string(
    "DEFAULT_FROM_EMAIL", default="MK and Northamptonshire councils <noreply@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAILERS = {
    "default": {
        "BACKEND": env.string(
            "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
        )
    },
}
ANYMAIL = {
    key: value
    for key, value in {
        "MAILGUN_API_KEY": env.string("MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env.string("MAILGUN_SENDER_DOMAIN", default=""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env.string("MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
        "WEBHOOK_SECRET": env.string("ANYMAIL_WEBHOOK_SECRET", default=""),
    }.items()
    if value
}
# Inbound email (channels.email; see docs/email.md). Fax gateways: sender addresses or domains
# whose messages are faxes (the attachment is the document).
PORTAL_FAX_GATEWAYS = env.csv("PORTAL_FAX_GATEWAYS", default=[])
# Open311 (channels/open311): hosts whose https media_url pictures the worker fetches, e.g.
# "www.fixmystreet.com". Empty: no picture is fetched. Redirects never leave the host.
OPEN311_MEDIA_HOSTS = env.csv("OPEN311_MEDIA_HOSTS", default=[])
PORTAL_EMAIL_MAX_MESSAGE_BYTES = env.integer("PORTAL_EMAIL_MAX_MESSAGE_BYTES", default=40_000_000)
PORTAL_EMAIL_MAX_ATTACHMENT_BYTES = env.integer(
    "PORTAL_EMAIL_MAX_ATTACHMENT_BYTES", default=10_000_000
)
PORTAL_EMAIL_ACKNOWLEDGEMENTS_PER_HOUR = env.integer(
    "PORTAL_EMAIL_ACKNOWLEDGEMENTS_PER_HOUR", default=3
)

# --- Background tasks (Django's tasks framework, database backend) -----------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "outbound", "search", "reports"],
    }
}

# --- Channels ------------------------------------------------------------------------------------
TWILIO_ACCOUNT_SID = env.string("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.string("TWILIO_AUTH_TOKEN", default="")
TWILIO_SMS_FROM = env.string("TWILIO_SMS_FROM", default="")
# The desk's softphone (Twilio Voice JS SDK; docs/voice.md, "Softphone"). An API key and secret
# sign the agents' short-lived access tokens; calls they place go to the TwiML App's Voice URL.
# All three unset: no softphone (agents log calls from desk phones); production refuses a
# partial set.
TWILIO_API_KEY = env.string("TWILIO_API_KEY", default="")
TWILIO_API_SECRET = env.string("TWILIO_API_SECRET", default="")
TWILIO_TWIML_APP_SID = env.string("TWILIO_TWIML_APP_SID", default="")
# Access-token lifetime in seconds, at most an hour (Twilio's own limit for Voice is 24 hours;
# ours is shorter, and the softphone renews the token before it runs out).
PORTAL_VOICE_TOKEN_TTL = min(max(env.integer("PORTAL_VOICE_TOKEN_TTL", default=3600), 60), 3600)
# After a call an agent is in Wrap-up for at most this long, then counts as Available again.
PORTAL_VOICE_WRAP_UP_SECONDS = env.integer("PORTAL_VOICE_WRAP_UP_SECONDS", default=120)
# Seconds a caller waits in the queue before they are taken out of it and offered a voicemail.
PORTAL_VOICE_MAX_WAIT = env.integer("PORTAL_VOICE_MAX_WAIT", default=600)
# The Twilio edge the softphone connects through: "dublin" is the nearest public edge to the
# UK; "roaming" lets Twilio choose (then the CSP must allow every public edge it may pick).
PORTAL_VOICE_EDGE = env.string("PORTAL_VOICE_EDGE", default="dublin")
# Exactly what the Voice JS SDK 2.x reaches, and only on the desk pages that hold the softphone
# (``desk.calls.token.softphone_page``): its signalling WebSocket (wss://voice-js.<edge>.twilio.com), Voice
# Insights (eventgw, then eventgw.<home region> once connected) and the ringtone and keypad
# sounds it loads from sdk.twilio.com (fetched, or played by an <audio> element). Call audio is
# WebRTC, which CSP does not govern.
_VOICE_PUBLIC_EDGES = (
    ["sydney", "sao-paulo", "dublin", "frankfurt", "tokyo", "singapore", "ashburn", "umatilla"]
    if PORTAL_VOICE_EDGE == "roaming"
    else []
)
PORTAL_SOFTPHONE_HOSTS = {
    "connect-src": [
        *(
            f"wss://voice-js.{edge}.twilio.com"
            for edge in [PORTAL_VOICE_EDGE, *_VOICE_PUBLIC_EDGES]
        ),
        "https://eventgw.twilio.com",
        *(f"https://eventgw.{region}.twilio.com" for region in ("us1", "ie1", "au1")),
        "https://sdk.twilio.com",
    ],
    "media-src": ["https://sdk.twilio.com"],
}
PORTAL_SOFTPHONE_CSP = SECURE_CSP | {
    directive: [*SECURE_CSP[directive], *hosts]
    for directive, hosts in PORTAL_SOFTPHONE_HOSTS.items()
}
# Which backend delivers each channel's outbound messages. Code asks the registry in
# ``services.outbound`` for a backend; it never tests which provider is configured.
PORTAL_CHANNEL_BACKENDS = {
    "sms": env.string(
        "SMS_BACKEND",
        default="channels.sms.backends.twilio.TwilioBackend"
        if TWILIO_AUTH_TOKEN
        else "services.outbound.backends.console.ConsoleBackend",
    ),
    "email": env.string(
        "EMAIL_CHANNEL_BACKEND", default="services.outbound.backends.mail.MailBackend"
    ),
}
# "Ring my phone": how calls are placed with the REST API (channels.voice.backends).
PORTAL_VOICE_CALL_BACKEND = env.string(
    "VOICE_CALL_BACKEND",
    default="channels.voice.backends.twilio.TwilioCallBackend"
    if TWILIO_AUTH_TOKEN
    else "channels.voice.backends.locmem.LocmemCallBackend",
)
# Show the staff-only channel simulator (fake signed SMS and calls) on the desk.
PORTAL_CHANNEL_SIMULATOR = env.boolean("PORTAL_CHANNEL_SIMULATOR", default=False)
# Inbound texts and status callbacks wait here when the database cannot be reached (one fsync'd
# file per request; the filing worker, manage.py file_texts, moves them into the inbox). Each
# web container needs it on a volume the filing worker also mounts (README, "SMS inbox").
PORTAL_SMS_SPOOL_DIR = env.path("PORTAL_SMS_SPOOL_DIR", default=BASE_DIR / "var" / "sms-spool")

# --- Case API and event feeds (api/; docs/api.md) ---------------------------------------------
# The API's views set their own authentication (partner keys), permission, throttle, parser,
# renderer and error handling (api.views.PartnerView); these are DRF's defaults for anything
# else, kept closed.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Case API — MK and Northamptonshire public access",
    "DESCRIPTION": (
        "Cases for council back-office systems: list, read, change status, add a note or an "
        "outcome, transfer — as a member of staff in the system's role would. docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "PREPROCESSING_HOOKS": ["api.schema.only_case_api"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": False},
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "services.models.cases.Status",
        "ChannelEnum": "services.models.choices.Channel",
        "NewStatusEnum": "api.serializers.NEW_STATUSES",
        "OutcomeStatusEnum": "api.serializers.OUTCOME_STATUSES",
        "StatusFilterEnum": "api.serializers.STATUS_FILTERS",
        "SlaFilterEnum": "api.serializers.SLA_FILTERS",
    },
}
# How feed events are POSTed to partners (api.transport): requests, or locmem in tests.
PORTAL_FEED_TRANSPORT = env.string(
    "PORTAL_FEED_TRANSPORT", default="api.transport.RequestsTransport"
)

# --- Search --------------------------------------------------------------------------------------
ELASTICSEARCH_URL = env.string("ELASTICSEARCH_URL", default="")
PORTAL_SEARCH_BACKEND = (
    "search.backends.elasticsearch.ElasticsearchBackend"
    if ELASTICSEARCH_URL
    else "search.backends.database.DatabaseBackend"
)
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.elasticsearch8",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX": env.string("WAGTAILSEARCH_INDEX", default="portal_pages"),
            "TIMEOUT": 5,
        }
    }

# --- Wagtail -------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Milton Keynes and Northamptonshire public access"
WAGTAILADMIN_BASE_URL = PUBLIC_BASE_URL
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True

# --- Logging -------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
