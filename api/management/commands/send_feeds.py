"""``manage.py send_feeds``: send the partners' due feed events (once, or every N seconds).

The worker sends events as they are recorded and retries on its own; this is the sweep that
catches up after a worker was down (cron, or ``--every 30`` as a long-running process). Safe
to run on several hosts at once: events are claimed with SKIP LOCKED.
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from api.feeds import deliver_due


class Command(BaseCommand):
    help = "Send the partners' due event-feed events (once, or every N seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, every=0, **options):
        while True:
            run = deliver_due()
            if run.delivered or run.failed or not every:
                self.stdout.write(
                    f"send_feeds: {run.delivered} delivered, {run.failed} to retry later"
                )
            if not every:
                return
            close_old_connections()
            time.sleep(every)
