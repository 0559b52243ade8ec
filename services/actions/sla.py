"""The periodic SLA sweep: record each breach on its case's timeline, once."""

from django.db import transaction
from django.utils import timezone

from services.actions.timeline import record
from services.models import Case, EventKind
from services.models.cases import ACTIVE_STATUSES


def mark_breaches(now=None, batch: int = 1000) -> int:
    """Mark every active case past its due time as breached. Safe to run from many workers."""
    now = now or timezone.now()
    marked = 0
    while True:
        with transaction.atomic():
            cases = list(
                Case.objects.select_for_update(skip_locked=True)
                .filter(
                    status__in=ACTIVE_STATUSES,
                    paused_at__isnull=True,
                    breached_at__isnull=True,
                    due_at__lte=now,
                )
                .order_by("due_at")[:batch]
            )
            for case in cases:
                case.breached_at = now
                case.save(update_fields=["breached_at"])
                record(
                    case,
                    EventKind.SLA_BREACH,
                    at=now,
                    body=f"Target time {timezone.localtime(case.due_at):%d %b %Y %H:%M} missed",
                )
            marked += len(cases)
        if len(cases) < batch:
            return marked
