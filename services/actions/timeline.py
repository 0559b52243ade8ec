"""Writing to a case's timeline (append-only)."""

from django.utils import timezone

from services.models import Case, TimelineEvent


def record(
    case: Case,
    kind: str,
    *,
    actor=None,
    actor_label: str = "",
    channel: str = "",
    visible_to_resident: bool = False,
    message=None,
    body: str = "",
    data: dict | None = None,
    at=None,
) -> TimelineEvent:
    if actor is None and not actor_label:
        actor_label = "System"
    return TimelineEvent.objects.create(
        case=case,
        kind=kind,
        created_at=at or timezone.now(),
        actor=actor,
        actor_label=actor_label,
        channel=channel,
        visible_to_resident=visible_to_resident,
        message=message,
        body=body,
        data=data or {},
    )
