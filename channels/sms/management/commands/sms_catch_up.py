"""``manage.py sms_catch_up --since 2h``: take in texts Twilio received but we never did.

See ``channels.sms.catch_up``. Run it after an outage (``--since`` the time it began), or
every few minutes from a scheduler as a safety net (docker-compose's ``sms-catch-up``).
Exit status 0 when every text is in, 1 when Twilio could not be asked or a text failed.
"""

import datetime
import re

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from channels.sms.catch_up import CatchUpError, catch_up

MAX_DAYS = 31  # further back is a mistake more often than a plan: say so
_DURATION = re.compile(r"^\s*(\d{1,5})\s*([mhd])\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def moment(text: str, *, now: datetime.datetime, name: str) -> datetime.datetime:
    """'90m', '2h', '3d' before ``now``, or an ISO 8601 date and time (local if no offset)."""
    match = _DURATION.match(text or "")
    if match:
        return now - datetime.timedelta(**{_UNITS[match[2].lower()]: int(match[1])})
    try:
        parsed = parse_datetime((text or "").strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise CommandError(
            f"--{name} {text!r}: give a time like 2026-11-22T06:30 or a span like 90m, 2h, 3d."
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Take in inbound texts that Twilio holds in its message log and we never received."

    def add_arguments(self, parser):
        parser.add_argument(
            "--since",
            required=True,
            help="Start: a span back from now (90m, 2h, 3d) or an ISO time (2026-11-22T06:30).",
        )
        parser.add_argument("--until", default="", help="End (exclusive); default now.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what is missing; change nothing."
        )

    def handle(self, *args, since, until, dry_run, **options):
        now = timezone.now()
        start = moment(since, now=now, name="since")
        end = moment(until, now=now, name="until") if until else None
        if start > now:
            raise CommandError("--since is in the future.")
        if end is not None and end <= start:
            raise CommandError("--until must be after --since.")
        if now - start > datetime.timedelta(days=MAX_DAYS):
            raise CommandError(f"--since is more than {MAX_DAYS} days ago; give a later time.")
        try:
            report = catch_up(start, until=end, dry_run=dry_run)
        except CatchUpError as error:
            raise CommandError(str(error)) from error
        verb = "would take in" if dry_run else "took in"
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(report.taken_in.items()))
        self.stdout.write(
            f"sms_catch_up: {len(report.numbers)} numbers, {report.listed} inbound texts in "
            f"Twilio's log since {timezone.localtime(start):%Y-%m-%d %H:%M}; "
            f"{report.already_had} already here, {verb} {report.recovered}"
            + (f" ({kinds})" if kinds and not dry_run else "")
            + (
                f"; {report.replies_queued} late replies queued, "
                f"{report.replies_withheld} withheld (opted out or not a phone)"
                if not dry_run
                else ""
            )
        )
        for failure in report.failed:
            self.stderr.write(f"failed: {failure}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} texts could not be taken in (above).")
