"""Whether the contact centre is answering calls now.

The joint contact centre is an ``Office`` (kind "contact centre", slug from the setting
``PORTAL_VOICE_OFFICE``, default "joint-contact-centre"). It is open when one of its
``OpeningHours`` periods covers the local time, unless the day is an England bank holiday
(the ``holidays`` package, as ``services.sla`` uses) or a ``Closure`` of the office or of its
whole council. With no contact-centre office configured the line counts as closed: a caller is
offered a message rather than a queue nobody may be watching.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from services.models import Closure, Office
from services.sla import _bank_holidays

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
    if office is None:
        return False
    local = timezone.localtime(now or timezone.now())
    day = local.date()
    if day in _bank_holidays(day.year):
        return False
    closed = (
        Closure.objects.filter(council_id=office.council_id, date=day)
        .filter(office__isnull=True)
        .exists()
        or Closure.objects.filter(office=office, date=day).exists()
    )
    if closed:
        return False
    moment = local.time()
    return office.opening_hours.filter(
        weekday=day.weekday(), opens__lte=moment, closes__gt=moment
    ).exists()
