"""Call routing, the reading half: queue names, who may serve which line, who is coming.

One Twilio queue per council line and language — ``cc-<council code>-<language>``
(``cc-ncc-pl``; a call to a number that is no council's line waits in ``cc-any-<language>``).
An agent asking for the next caller is given one *call* by ``actions.offer_next`` (row locks in
our database decide who gets whom) and dials that call's queue with ``<Dial><Queue>``; Twilio
hands over the first caller in that queue, which is the one we chose unless two agents'
dequeues of the same queue crossed — the queue's whisper URL then tells us who really took
whom (``DequeingCallSid``) and ``actions.dequeued`` puts the record right.

Why not the Queue Members API (dequeue one chosen CallSid)? It is a REST request to Twilio made
from inside the webhook, and this project never makes a provider call from a web request
(a slow Twilio would hold a worker; REST calls go through background tasks and backends).
Queues per line and language need only TwiML. See docs/voice.md, "Routing".

The changes (offer, dequeue, end of an agent's leg) are ``channels.voice.actions``; this module
only reads.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from channels.voice import ivr
from channels.voice.models import Call
from services import permissions
from services.models import ContactPoint, Council
from services.models.cases import ACTIVE_STATUSES

QUEUE_PREFIX = "cc"
ANY_LINE = "any"
DEFAULT_MAX_WAIT = 600  # seconds


def queue_name(council: Council | None, language: str) -> str:
    """The Twilio queue a caller on this line, in this language, waits in (≤ 64 characters)."""
    code = (council.code if council is not None else ANY_LINE).lower()
    language = language if language in ivr.BY_CODE else "en"
    return f"{QUEUE_PREFIX}-{code}-{language}"[:64]


def max_wait() -> int:
    """Seconds in the queue after which a caller is taken out and offered a voicemail."""
    return max(int(getattr(settings, "PORTAL_VOICE_MAX_WAIT", DEFAULT_MAX_WAIT)), 30)


def councils_served(user) -> set[int]:
    """The councils whose lines this agent answers: the ones whose cases they work.

    ``services.permissions.councils_served`` (joint working: the profile's council plus every
    council the agent's office serves) when it exists; else the profile's council alone.
    The one place to change who answers which line.
    """
    served = getattr(permissions, "councils_served", None)
    if served is not None:
        return set(served(user))
    if permissions.sees_everything(user):
        return set(Council.objects.values_list("pk", flat=True))
    profile = permissions.staff_profile(user)
    return {profile.council_id} if profile is not None else set()


def lines_q(user) -> Q:
    """The condition on ``Call`` for calls this agent may be offered (their councils' lines;
    calls to a number that is no council's line are anybody's)."""
    return Q(council__isnull=True) | Q(council_id__in=sorted(councils_served(user)))


def council_voice_number(council: Council | None) -> str:
    """The council's contact-centre line (its voice contact point), for caller id."""
    points = ContactPoint.objects.filter(channel="voice").order_by("pk")
    point = points.filter(council=council).first() if council is not None else None
    return point.address if point is not None else ""


def open_cases(user, call: Call) -> int:
    if call.resident_id is None:
        return 0
    return (
        permissions.visible_cases(user)
        .filter(resident_id=call.resident_id, status__in=ACTIVE_STATUSES)
        .count()
    )


def who_is_coming(user, call: Call) -> str:
    """What the agent hears before the caller is put through, in English (the desk's language):
    "Polish speaker, Northamptonshire line, one open case"."""
    with translation.override("en"):
        parts = [
            _("%(language)s speaker") % {"language": call.language_name},
        ]
        if ivr.spoken(call.language).fallback:
            parts.append(_("interpreter needed"))
        parts.append(
            _("%(council)s line") % {"council": call.council.short_name}
            if call.council is not None
            else _("general line")
        )
        if call.resident_id is None:
            parts.append(_("caller not recognised"))
        else:
            count = open_cases(user, call)
            parts.append(
                _("no open cases")
                if count == 0
                else ngettext("one open case", "%(count)s open cases", count) % {"count": count}
            )
        return ", ".join(parts) + "."
