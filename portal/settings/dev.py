"""Development and the embedded demo: SQLite, console backends, debug pages."""

from portal.settings import env
from portal.settings.base import *  # noqa: F403

DEBUG = env.boolean("DEBUG", default=True)
SECRET_KEY = env.string("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env.csv("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
PORTAL_CHANNEL_SIMULATOR = env.boolean("PORTAL_CHANNEL_SIMULATOR", default=True)
# The simulator signs its fake Twilio requests with this token, so the demo's webhooks check
# real signatures. Outbound SMS still goes to the console: the backend was chosen in base.
TWILIO_AUTH_TOKEN = env.string("TWILIO_AUTH_TOKEN", default="dev-only-simulator-token")  # noqa: S105
