"""``manage.py refresh_reports``: recompute recent and recently-changed months (for cron).

Suggested crontab: every 15 minutes ``refresh_reports`` and nightly ``rebuild_reports``. It
lives here, not in ``services``' ``tick``, because ``services`` must not import ``reports``.
"""

from django.core.management.base import BaseCommand

from reports import figures
from reports.management.progress import ProgressBar


class Command(BaseCommand):
    help = "Refresh the performance summary tables for recent and recently changed months."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=3, help="Always recompute this many recent months."
        )
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue it for db_worker instead."
        )

    def handle(self, *args, months, enqueue, **options):
        if enqueue:
            from reports.tasks import refresh_reports

            result = refresh_reports.enqueue(months)
            self.stdout.write(f"Queued refresh_reports ({result.id}) on the reports queue.")
            return
        run = figures.refresh(months, progress=ProgressBar(self.stdout))
        self.stdout.write(
            self.style.SUCCESS(f"Refreshed {len(run.months)} months from {run.cases_read:,} cases.")
        )
