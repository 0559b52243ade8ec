"""Background tasks on the "reports" queue (``manage.py db_worker --queue-name reports``)."""

from django.tasks import task

from reports import figures


@task(queue_name="reports")
def refresh_reports(recent_months: int = 3) -> int:
    """Recompute the recent and recently-changed months; returns how many cases were read."""
    return figures.refresh(recent_months).cases_read


@task(queue_name="reports")
def rebuild_reports() -> int:
    """Recompute every month from scratch (nightly, or after a rule change)."""
    return figures.rebuild().cases_read
