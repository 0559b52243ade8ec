"""Background tasks (Django's tasks framework; ``manage.py db_worker`` runs them)."""

from django.tasks import task

from services.outbound.dispatch import dispatch, dispatch_due


@task(queue_name="outbound")
def deliver_outbound(message_id: int) -> str | None:
    """Send one queued message now; the outbox keeps it if this cannot."""
    return dispatch(message_id)


def deliver_when_queued(sender, message_id: int, **kwargs) -> None:
    """``message_queued`` receiver (connected in ``services.apps``): send it in the background."""
    deliver_outbound.enqueue(message_id)


@task(queue_name="outbound")
def deliver_due() -> int:
    """Send everything due: retries whose backoff has passed, texts held overnight."""
    return dispatch_due()


@task()
def mark_breaches() -> int:
    from services.actions.sla import mark_breaches as run

    return run()
