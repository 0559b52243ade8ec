"""Contacts logged onto a case by someone other than the resident's own message: a telephone
call an agent wraps up, a caller who heard their case's status from the IVR.

A channel's own record of the contact (the voice channel's ``Call``) stays the channel's; what
the case needs — the resident, the case (an existing one, or one opened for the contact), the
contact's ``Message`` and its timeline event — is written here, in one transaction, the same way
for every such contact.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from services.actions.cases import open_case
from services.actions.messages import store_message, update_metadata
from services.actions.residents import resident_for_phone
from services.actions.timeline import record
from services.models import Case, Council, EventKind, Message, Resident, Service


def log_contact(
    user,
    *,
    channel: str,
    phone: str,
    direction: str,
    provider_id: str | None,
    sender: str,
    recipient: str,
    body: str,
    data: dict,
    resident: Resident | None = None,
    case: Case | None = None,
    service: Service | None = None,
    council: Council | None = None,
    summary: str = "",
    message: Message | None = None,
    message_metadata: dict | None = None,
    language: str = "en",
    event_body: str = "",
    actor_label: str = "",
    visible_to_resident: bool = False,
    started_at: datetime.datetime | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Case, Message, Resident]:
    """Put one contact on a case. Returns ``(case, message, resident)``.

    ``user`` is the member of staff logging it (None for an automated contact, which must name
    its ``case`` and ``actor_label``). The resident is ``resident``, else the one ``phone``
    identifies, else a new record for the number. Without a ``case`` one is opened for
    ``service`` on the staff member's behalf (``open_case``: routed, timed, acknowledged).
    ``message`` is the contact's message when it exists already (a voicemail taken in by
    intake); its metadata takes ``data``. Otherwise the message is stored under
    ``(channel, provider_id)`` — a retry finds it rather than writing another. The timeline
    event (``EventKind.CALL``) carries ``data``.
    """
    if case is None and (user is None or service is None):
        raise ValueError("A contact needs a case, or a member of staff and a service.")
    now = now or timezone.now()
    with transaction.atomic():
        resident = resident_for_phone(phone, resident=resident, channel=channel)
        if case is None:
            case = open_case(
                user,
                resident=resident,
                service=service,
                channel=channel,
                summary=summary.strip() or service.name,
                description=body,
                council=council,
            )
        if message is None:
            message, created = store_message(
                channel=channel,
                direction=direction,
                provider_id=provider_id,
                sender=sender,
                recipient=recipient,
                body=body,
                resident=resident,
                case=case,
                language=language,
                metadata={**data, **(message_metadata or {})},
                created_by=user,
                created_at=started_at or now,
                status_changed_at=now,
            )
            if not created:
                update_metadata(message, data)
        else:
            update_metadata(message, data)
        record(
            case,
            EventKind.CALL,
            actor=user,
            actor_label=actor_label,
            channel=channel,
            visible_to_resident=visible_to_resident,
            message=message,
            body=event_body or body,
            data=data,
            at=now,
        )
    return case, message, resident
