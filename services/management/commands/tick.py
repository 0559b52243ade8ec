"""``manage.py tick``: the periodic housekeeping, from cron or as a long-running loop.

Puts back task rows a killed worker left RUNNING (``services.tasks.recover_lost_tasks``),
marks SLA breaches on case timelines, sends outbound messages whose retry time has come
(or that waited out the night, or that a killed worker left "sending" and did not send), and prunes rate-limit rows older than every window
(``services.actions.ratelimit.prune``). Safe to run from several hosts at once: the first two
steps lock rows with SKIP LOCKED, and pruning deletes only rows no window still counts. ``--every N`` repeats every N seconds (the docker-compose ``scheduler``).
"""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from services.actions.ratelimit import prune as prune_rate_limits
from services.actions.sla import mark_breaches
from services.outbound.dispatch import dispatch_due
from services.tasks import recover_lost_tasks


class Command(BaseCommand):
    help = "Mark SLA breaches and send due outbound messages (once, or every N seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds.")

    def handle(self, *args, every=0, **options):
        while True:
            recover_lost_tasks()  # task rows a killed worker left RUNNING
            breaches = mark_breaches()
            sent = dispatch_due()
            prune_rate_limits()
            if breaches or sent or not every:
                self.stdout.write(f"tick: {breaches} breaches marked, {sent} messages sent")
            if not every:
                return
            close_old_connections()
            time.sleep(every)
