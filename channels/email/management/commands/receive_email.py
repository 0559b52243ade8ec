"""``manage.py receive_email < message.eml`` — one RFC 5322 message from an MTA pipe.

Exit status is the MTA's contract (sysexits.h): 0 accepted (filed, a duplicate, or an
automatic message deliberately ignored); 65 (EX_DATAERR) refused for good, reason on stderr —
the MTA bounces it; 75 (EX_TEMPFAIL) try again later — the MTA keeps the message queued (the
database is down, or anything we did not expect). Nothing else, whatever arrives on stdin.

The envelope comes from options or, under Postfix's local(8) delivery to a ``|command`` alias,
from the ``SENDER`` and ``ORIGINAL_RECIPIENT`` environment variables it sets. An empty envelope
sender is a bounce.
"""

import logging
import os
import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from channels.email.receive import Rejected, receive
from services import inbound as clean

logger = logging.getLogger(__name__)

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75


def run(raw: bytes, *, sender: str | None, recipient: str, stderr) -> int:
    """File ``raw`` and return the exit status. Never raises (bar KeyboardInterrupt)."""
    # The envelope comes from the MTA's command line: cleaned like every provider field.
    sender = clean.line(sender, clean.MAX_ADDRESS) if sender else sender
    recipient = clean.line(recipient, clean.MAX_ADDRESS)
    try:
        outcome = receive(raw, envelope_sender=sender, envelope_recipient=recipient)
    except Rejected as error:
        stderr.write(f"receive_email: rejected: {error}\n")
        return EX_DATAERR
    except DatabaseError as error:
        stderr.write(f"receive_email: database unavailable, try again later: {error}\n")
        return EX_TEMPFAIL
    except Exception as error:  # noqa: BLE001 - the MTA must get 75, never a traceback
        logger.exception("receive_email failed")
        stderr.write(f"receive_email: temporary failure: {type(error).__name__}: {error}\n")
        return EX_TEMPFAIL
    logger.info(
        "receive_email: %s message %s%s",
        outcome.status,
        outcome.message.pk,
        f" on case {outcome.case.reference}" if outcome.case else "",
    )
    return EX_OK


class Command(BaseCommand):
    help = "Read one email message (RFC 5322) on standard input and file it (for an MTA pipe)."
    requires_system_checks: list = []  # start fast and never fail a delivery on a check
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--sender",
            default=None,
            help="Envelope sender (default: $SENDER). Empty means a bounce.",
        )
        parser.add_argument(
            "--recipient",
            default=None,
            help="Envelope recipient, the mailbox written to (default: $ORIGINAL_RECIPIENT).",
        )

    def handle(self, *args, **options):
        stream = options.get("stdin") or sys.stdin.buffer
        try:
            raw = stream.read()
        except OSError as error:
            self.stderr.write(f"receive_email: could not read standard input: {error}")
            sys.exit(EX_TEMPFAIL)
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        sender = options["sender"] if options["sender"] is not None else os.environ.get("SENDER")
        recipient = options["recipient"] or os.environ.get("ORIGINAL_RECIPIENT", "")
        code = run(raw, sender=sender, recipient=recipient, stderr=self.stderr)
        if code:
            sys.exit(code)
