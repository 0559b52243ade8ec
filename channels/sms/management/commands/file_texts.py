"""``manage.py file_texts``: the filing worker of the SMS inbox (``channels.sms.filing``).

Runs until stopped. Each round moves the disk spool into the inbox and files every due row;
when nothing is due it waits for the webhook's ``pg_notify('sms_inbox')`` (LISTEN on its own
connection) or ``--poll`` seconds, whichever comes first — the poll also picks up retries
whose backoff has passed and spooled files. On SQLite (the embedded demo) it polls.

SIGTERM / SIGINT finish the row being filed and exit 0 (a row is filed in one transaction, so
even SIGKILL leaves nothing half-filed: the row stays pending for the next worker). While the
database is unreachable it logs once per outage and tries again with a growing pause (1 s up
to 10 s). Run as many as you like: rows of one sender are filed in order whichever worker takes
them, different senders in parallel. ``--once`` files what is due and exits (cron, tests).
Every minute it logs the backlog (pending, parked, oldest) and the spool (files, oldest).
"""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connection

from channels.sms import filing, inbox

logger = logging.getLogger("channels.sms.file_texts")

REPORT_EVERY = 60.0


class Command(BaseCommand):
    help = "File the SMS inbox: every accepted text and status callback, in order per sender."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="File what is due, then exit.")
        parser.add_argument(
            "--poll", type=float, default=2.0, help="Seconds between looks when not woken."
        )
        parser.add_argument("--batch", type=int, default=100, help="Rows claimed per round.")

    def handle(self, *args, once, poll, batch, **options):
        self.stopping = False
        if once:
            report = filing.file_all(limit=batch)
            self.stdout.write(self._summary(report))
            return
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        listener, pause, down_since, last_report = None, 1.0, None, 0.0
        totals = {"filed": 0, "retried": 0, "parked": 0, "spool_moved": 0}
        self.stdout.write("file_texts: filing the SMS inbox (Ctrl-C or SIGTERM stops)")
        while not self.stopping:
            try:
                report = filing.file_due(limit=batch)
                for name in totals:
                    totals[name] += getattr(report, name)
                if down_since is not None:
                    logger.warning(
                        "file_texts: database back after %.0f s", time.monotonic() - down_since
                    )
                    down_since, pause = None, 1.0
                if time.monotonic() - last_report >= REPORT_EVERY:
                    last_report = time.monotonic()
                    self._report(totals)
                if report.touched or report.spool_moved:
                    continue  # more may be due: no waiting while there is a backlog
                listener = listener or self._listen()
                self._wait(listener, poll)
            except (OperationalError, InterfaceError) as error:
                if down_since is None:
                    down_since = time.monotonic()
                    logger.error("file_texts: database unreachable (%s); waiting", error)
                connection.close()
                listener = self._close(listener)
                time.sleep(pause)
                pause = min(pause * 2, 10.0)
        self._close(listener)
        self.stdout.write(
            "file_texts: stopped; "
            + ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in totals.items())
        )

    def _stop(self, signum, frame):
        self.stopping = True

    def _listen(self):
        """A separate autocommit connection that LISTENs (None on SQLite: poll only)."""
        if connection.vendor != "postgresql":
            return None
        import psycopg

        connection.ensure_connection()
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        listener = psycopg.connect(**params, autocommit=True)
        listener.execute(f"LISTEN {inbox.NOTIFY_CHANNEL}")
        return listener

    def _wait(self, listener, poll: float) -> None:
        if listener is None:
            time.sleep(poll)
            return
        try:
            for _ in listener.notifies(timeout=poll, stop_after=1):
                pass
        except Exception as error:
            raise OperationalError(f"LISTEN connection lost: {error}") from error

    def _close(self, listener):
        if listener is not None:
            try:
                listener.close()
            except Exception:  # noqa: BLE001 - closing a broken connection; nothing to keep
                logger.debug("file_texts: closing the LISTEN connection failed", exc_info=True)
        return None

    def _report(self, totals: dict) -> None:
        backlog = filing.backlog()
        spool = inbox.spool_stats()
        logger.info(
            "file_texts: filed %s, retried %s, parked %s so far; backlog %s pending (oldest "
            "%s s), %s parked; spool %s files (oldest %s s)",
            totals["filed"],
            totals["retried"],
            totals["parked"],
            backlog["pending"],
            backlog["oldest_pending_seconds"],
            backlog["parked"],
            spool["spooled"],
            spool["oldest_seconds"],
        )

    def _summary(self, report) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(report.outcomes.items()))
        return (
            f"file_texts: filed {report.filed}"
            + (f" ({kinds})" if kinds else "")
            + f", retried {report.retried}, parked {report.parked}, "
            f"moved {report.spool_moved} from the spool"
        )
