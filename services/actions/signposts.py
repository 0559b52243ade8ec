"""Recording a resident sent elsewhere before any case was opened (``Signpost``).

The apply-online journey calls ``record_signpost`` when ``services.routing.where`` sends the
resident to another body, to the other council's own contacts or out of the area. A resident
*moved* to the other council's same service is not a signpost: their case will count there. It is keyed on the
application, so a reload, the back button or a changed postcode leaves one row with the
latest outcome: the published figures count residents, not page views.
"""

import datetime

from django.utils import timezone

from services.models import Channel, Signpost
from services.routing import Outcome, Where

OUTCOMES = {
    Outcome.REFER: Signpost.Outcome.REFERRED,
    Outcome.ELSEWHERE: Signpost.Outcome.OTHER_COUNCIL,
    Outcome.OUTSIDE: Signpost.Outcome.OUTSIDE,
}


def record_signpost(
    key: str,
    where: Where,
    *,
    channel: str = Channel.WEB,
    now: datetime.datetime | None = None,
) -> Signpost | None:
    """Record (once per ``key``) that ``where`` sent the resident away; None if it did not.

    The latest answer counts: a resident who changes the postcode, or chooses the other
    council for a boundary postcode, and carries on here, was not sent away, and the row
    recorded for their first answer goes. Only the postcode district is kept, never the
    postcode: the row is for counting.
    """
    outcome = OUTCOMES.get(where.outcome)
    if outcome is None:
        Signpost.objects.filter(key=key[:120]).delete()
        return None
    now = now or timezone.now()
    service = where.service
    signpost, _created = Signpost.objects.update_or_create(
        key=key[:120],
        defaults={
            "channel": channel,
            "service": service,
            "council": service.responsible_council,
            "outcome": outcome,
            "referral_body": where.body,
            "target_service": where.target,
            "district": where.district[:8],
        },
        create_defaults={
            "channel": channel,
            "service": service,
            "council": service.responsible_council,
            "outcome": outcome,
            "referral_body": where.body,
            "target_service": where.target,
            "district": where.district[:8],
            "created_at": now,
        },
    )
    return signpost
