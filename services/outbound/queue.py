"""Queue a message to a resident, inside the caller's transaction."""

from django.conf import settings
from django.core.mail import make_msgid
from django.db import transaction
from django.utils import formats, timezone, translation

from services.models import Case, Channel, Direction, Message, MessageStatus, Resident
from services.outbound.render import render


def address_for(resident: Resident, channel: str) -> str:
    if channel == Channel.SMS:
        return resident.phone
    if channel == Channel.EMAIL:
        return "" if resident.email_bouncing else resident.email
    return ""


def _consents(resident: Resident, channel: str) -> bool:
    return {Channel.SMS: resident.consent_sms, Channel.EMAIL: resident.consent_email}.get(
        channel, False
    )


def choose_channel(resident: Resident, preferred: str | None = None) -> tuple[str | None, str]:
    """The channel to use and, when there is none, why (shown on the case)."""
    order = [preferred or resident.preferred_channel, Channel.EMAIL, Channel.SMS]
    reasons = []
    for channel in dict.fromkeys(order):
        if channel not in (Channel.SMS, Channel.EMAIL):
            continue
        if not address_for(resident, channel):
            reasons.append(f"no {channel} address")
        elif not _consents(resident, channel):
            reasons.append(f"no consent to {channel}")
        else:
            return channel, ""
    return None, "; ".join(reasons) or "no channel"


def message_context(case: Case, language: str, extra: dict | None = None) -> dict:
    with translation.override(language):
        due = (
            formats.date_format(timezone.localtime(case.due_at), "DATE_FORMAT")
            if case.due_at
            else ""
        )
        context = {
            "reference": case.display_reference,
            "service": case.service.name,
            "status": str(case.get_status_display()),
            "due_date": due,
            "track_url": f"{settings.PUBLIC_BASE_URL}/track/?reference={case.reference}",
            "council": str(case.delivering_council or case.responsible_council or ""),
            "name": case.resident.name,
        }
    context.update(extra or {})
    return context


def queue_message(
    case: Case,
    kind: str,
    *,
    channel: str | None = None,
    body: str = "",
    urgent: bool = False,
    created_by=None,
    now=None,
) -> Message:
    """Write a queued outbound message for ``case``'s resident and wake the sender on commit.

    When the resident cannot be reached on any channel (no address, no consent, STOP), the
    message is still written, with status ``suppressed`` and the reason, so staff see on the
    case that the resident was not told.
    """
    now = now or timezone.now()
    resident = case.resident
    chosen, reason = choose_channel(resident, channel)
    language = resident.language or case.language or "en"
    rendered = render(
        kind,
        chosen or Channel.EMAIL,
        language,
        lambda used: message_context(case, used, {"body": body}),  # dates in the text's language
    )
    headers = {}
    provider_id = None
    if chosen == Channel.EMAIL:
        # Our own Message-ID, known before sending, so a reply's In-Reply-To threads even if
        # the resident answers before the provider confirms.
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "localhost"
        headers["Message-ID"] = provider_id = make_msgid(domain=domain)
    message = Message.objects.create(
        channel=chosen or (channel or resident.preferred_channel),
        direction=Direction.OUT,
        provider_id=provider_id,
        case=case,
        resident=resident,
        kind=kind,
        sender=settings.TWILIO_SMS_FROM if chosen == Channel.SMS else settings.DEFAULT_FROM_EMAIL,
        recipient=address_for(resident, chosen) if chosen else "",
        subject=rendered.subject if chosen == Channel.EMAIL else "",
        body=rendered.body,
        language=rendered.language,
        headers=headers,
        metadata={"template_fell_back": rendered.fell_back, "requested_language": language},
        status=MessageStatus.QUEUED if chosen else MessageStatus.SUPPRESSED,
        last_error="" if chosen else reason,
        urgent=urgent,
        created_by=created_by,
        created_at=now,
        next_attempt_at=now,
        status_changed_at=now,
    )
    if chosen:
        _wake_sender_on_commit(message)
    return message


def queue_text(
    *,
    channel: str,
    recipient: str,
    body: str,
    kind: str,
    sender: str = "",
    resident: Resident | None = None,
    case: Case | None = None,
    language: str = "en",
    metadata: dict | None = None,
    now=None,
) -> Message:
    """Queue words already written (no template) to one address, and wake the sender on commit.

    For an answer that was owed but never given — the TwiML reply of a text the webhook missed
    (``channels.sms.catch_up``). The caller has checked consent; quiet hours, retries and
    per-resident order apply as for any queued message.
    """
    now = now or timezone.now()
    message = Message.objects.create(
        channel=channel,
        direction=Direction.OUT,
        kind=kind,
        case=case,
        resident=resident,
        sender=sender,
        recipient=recipient,
        body=body,
        language=language,
        metadata=metadata or {},
        status=MessageStatus.QUEUED,
        created_at=now,
        next_attempt_at=now,
        status_changed_at=now,
    )
    _wake_sender_on_commit(message)
    return message


def _wake_sender_on_commit(message: Message) -> None:
    from services.tasks import deliver_outbound

    transaction.on_commit(lambda: deliver_outbound.enqueue(message.pk))
