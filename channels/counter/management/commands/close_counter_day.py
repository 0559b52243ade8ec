"""Close the counter queues of past days: tickets never served are marked "not served".

Run it after closing time (cron, or the platform's scheduler), e.g. at 23:00 every day::

    manage.py close_counter_day              # every office, every day before today
    manage.py close_counter_day --today      # also today (after the last office has closed)
    manage.py close_counter_day --office mk-civic-one-stop-shop --date 2026-11-20

Idempotent: a closed day is left alone, and its figures are kept on the day row.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from channels.counter import queue
from channels.counter.models import OfficeDay
from services.models import Office


class Command(BaseCommand):
    help = "Close past counter days: unserved tickets are marked and the day's figures kept."

    def add_arguments(self, parser):
        parser.add_argument("--office", help="Office slug (default: every office).")
        parser.add_argument("--date", help="Only this day (YYYY-MM-DD).")
        parser.add_argument(
            "--today", action="store_true", help="Include today (run after closing time)."
        )

    def handle(self, *args, office=None, date=None, today=False, **options):
        now_day = queue.local_now().date()
        days = OfficeDay.objects.filter(closed_at__isnull=True).select_related("office")
        if date:
            try:
                day = parse_date(date)
            except ValueError:
                day = None
            if day is None:
                raise CommandError(f"Not a date: {date!r} (use YYYY-MM-DD).")
            days = days.filter(date=day)
        else:
            last = now_day + datetime.timedelta(days=1) if today else now_day
            days = days.filter(date__lt=last)
        if office:
            if not Office.objects.filter(slug=office).exists():
                raise CommandError(f"No office {office!r}.")
            days = days.filter(office__slug=office)
        total = list(days.order_by("date", "office__name"))
        for index, office_day in enumerate(total, start=1):
            marked = queue.close_day(office_day.office, office_day.date)
            self.stdout.write(
                f"[{index}/{len(total)}] {office_day.office.slug} {office_day.date}: "
                f"{marked} ticket(s) marked not served"
            )
        self.stdout.write(self.style.SUCCESS(f"Closed {len(total)} day(s)."))
