"""Which office answers the telephone line, and whether it is answering now.

The joint contact centre is an ``Office`` (kind "contact centre", slug from the setting
``PORTAL_VOICE_OFFICE``, default "joint-contact-centre"). Whether it is open is the shared
working-day calendar's answer (``services.calendar.is_open``: its opening hours, less England's
bank holidays and closures of the office or of its whole council). With no contact-centre office
configured the line counts as closed: a caller is offered a message rather than a queue nobody
may be watching.
"""

import datetime

from django.conf import settings

from services import calendar
from services.models import Office

DEFAULT_OFFICE = "joint-contact-centre"


def contact_centre() -> Office | None:
    slug = getattr(settings, "PORTAL_VOICE_OFFICE", DEFAULT_OFFICE)
    office = Office.objects.select_related("council").filter(slug=slug).first()
    if office is None:
        office = (
            Office.objects.select_related("council")
            .filter(kind=Office.Kind.CONTACT_CENTRE)
            .order_by("pk")
            .first()
        )
    return office


def is_open(office: Office | None, now: datetime.datetime | None = None) -> bool:
    """Whether the line is answering: ``services.calendar.is_open`` of its office."""
    return calendar.is_open(office, now)
