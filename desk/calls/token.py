"""The softphone's access token (``GET /desk/calls/token/``) and what a softphone page needs.

The browser's Twilio Voice SDK authenticates to Twilio with a short-lived JWT that we mint
with the twilio library: signed with an API key and secret (never the account's auth token),
carrying the agent's opaque identity (``channels.voice.agents``) and a Voice grant that lets it
receive calls and place calls through the TwiML App (``TWILIO_TWIML_APP_SID``), whose Voice URL
decides where each call may go. The token alone cannot dial anything the routing refuses.

Answers, always JSON and never cached:

- 200 ``{"token", "identity", "expires_at"}`` for staff whose role takes calls;
- 403 ``{"error"}`` for staff whose role does not (the desk gate already refused non-staff,
  and sent anonymous users to sign in);
- 503 ``{"error"}`` when the softphone is not configured here, which the softphone shows as
  "cannot reach Twilio" and offers "log a call from a desk phone" instead.
"""

import datetime
import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from channels.voice import agents
from desk.gate import staff_required

MAX_TTL = 3600  # seconds: a stolen token is worth an hour at most
MIN_TTL = 60

# The Content Security Policy of a desk page that holds the softphone: the site's strict one
# plus exactly the Twilio hosts the SDK talks to (settings.PORTAL_SOFTPHONE_HOSTS). Every other
# page keeps SECURE_CSP.
softphone_page = csp_override(settings.PORTAL_SOFTPHONE_CSP)


def configured() -> bool:
    return all(
        (
            settings.TWILIO_ACCOUNT_SID,
            settings.TWILIO_API_KEY,
            settings.TWILIO_API_SECRET,
            settings.TWILIO_TWIML_APP_SID,
        )
    )


def token_ttl() -> int:
    return min(max(int(settings.PORTAL_VOICE_TOKEN_TTL), MIN_TTL), MAX_TTL)


def softphone_context(request: HttpRequest) -> dict:
    """What ``desk/calls/includes/softphone.html`` needs, as ``softphone`` in the context."""
    return {
        "enabled": agents.takes_calls(request.user),
        "token_url": reverse("calls:token"),
        "sdk_url": static("twilio/twilio.min.js"),
        "edge": settings.PORTAL_VOICE_EDGE,
    }


@require_GET
@never_cache
@staff_required
def token(request: HttpRequest) -> JsonResponse:
    if not agents.takes_calls(request.user):
        return JsonResponse({"error": _("Your role does not take calls.")}, status=403)
    if not configured():
        return JsonResponse(
            {"error": _("The softphone is not set up here: log calls from a desk phone.")},
            status=503,
        )
    agent = agents.agent_for(request.user)
    issued = int(time.time())
    expires = issued + token_ttl()
    access = AccessToken(
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_API_KEY,
        settings.TWILIO_API_SECRET,
        identity=agent.identity,
        nbf=issued,
        valid_until=expires,
    )
    access.add_grant(
        VoiceGrant(incoming_allow=True, outgoing_application_sid=settings.TWILIO_TWIML_APP_SID)
    )
    return JsonResponse(
        {
            "token": access.to_jwt(),
            "identity": agent.identity,
            "expires_at": datetime.datetime.fromtimestamp(expires, tz=datetime.UTC).isoformat(),
        }
    )
