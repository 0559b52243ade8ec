"""``manage.py rebuild_reports``: recompute every summary row from the cases, with progress.

Run it after deploying a change to the figures' rules, or nightly from cron to catch the rare
change ``refresh_reports`` does not look for. ``--enqueue`` hands the work to the worker.
"""

from django.core.management.base import BaseCommand

from reports import figures
from reports.management.progress import ProgressBar


class Command(BaseCommand):
    help = "Rebuild the performance summary tables from every case (with a progress bar)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=50_000, help="Cases read per query.")
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue it for db_worker instead."
        )

    def handle(self, *args, chunk, enqueue, **options):
        if enqueue:
            from reports.tasks import rebuild_reports

            result = rebuild_reports.enqueue()
            self.stdout.write(f"Queued rebuild_reports ({result.id}) on the reports queue.")
            return
        run = figures.rebuild(progress=ProgressBar(self.stdout), chunk_size=chunk)
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt the summary tables from {run.cases_read:,} cases in {seconds:,.1f}s."
            )
        )
