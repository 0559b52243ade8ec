"""Updates staff write for the public: what FixMyStreet (and any Open311 reader) shows under a
report, word for word.

A case's timeline holds much that is private — notes, replies that name the resident, a status
change's note meant for the resident alone. Open311's ``servicerequestupdates`` only ever
repeats status changes as plain public wording (``channels.open311.public``) and the text of
events published here, marked ``data["public"]``. Publishing is a deliberate act, permission
checked like any other work on the case.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from services import permissions
from services.actions.timeline import record
from services.models import Case, EventKind, TimelineEvent

MAX_LENGTH = 2000


def publish(user, case: Case, text: str) -> TimelineEvent:
    """Record ``text`` on ``case`` as an update for the public (and the resident)."""
    if not permissions.can_work_case(user, case):
        raise PermissionDenied("You cannot work on this case.")
    text = (text or "").strip()
    if not text:
        raise ValueError("A public update cannot be empty.")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"A public update has at most {MAX_LENGTH} characters.")
    with transaction.atomic():
        return record(
            case,
            EventKind.NOTE,
            actor=user,
            visible_to_resident=True,
            body=text,
            data={"public": True},
        )
