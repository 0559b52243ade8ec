"""The feeds' background task (Django's tasks framework; ``manage.py db_worker`` runs it)."""

from django.tasks import default_task_backend, task

from api import feeds


@task(queue_name="outbound")
def deliver_feeds(partner_id: int | None = None) -> dict:
    """Send ``partner_id``'s due events; after a failure, come back when the next one is due.

    Queued after the commit that recorded an event. A backend that can defer (the database
    backend) runs it again at the retry time; ``manage.py send_feeds`` sweeps as well, for a
    worker that died or a backend that cannot defer.
    """
    run = feeds.deliver_due(partner_id)
    if run.failed and default_task_backend.supports_defer:
        at = feeds.next_attempt(partner_id)
        if at is not None:
            deliver_feeds.using(run_after=at).enqueue(partner_id)
    return {"delivered": run.delivered, "failed": run.failed}
