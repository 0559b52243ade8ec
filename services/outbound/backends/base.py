"""What a channel backend does, and the two ways it can fail."""

import datetime
import re
import unicodedata
from dataclasses import dataclass


class TemporaryFailure(Exception):
    """Try again later (network error, timeout, 429, 5xx). ``retry_after`` in seconds if known."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Trying again will not help (invalid number, rejected address). Recorded on the case."""


@dataclass
class SendResult:
    provider_id: str = ""
    # Whether the provider already confirmed delivery (a console or locmem backend does).
    delivered: bool = False


class OutboundBackend:
    """Deliver ``services.models.Message`` objects on one channel.

    ``send`` must not write to the database; the dispatcher records the outcome. It must
    finish within a bounded time (every network call has a timeout) and raise
    ``TemporaryFailure`` or ``PermanentFailure`` instead of returning on failure.
    """

    # Whether to hold non-urgent messages during quiet hours (texts at night).
    respects_quiet_hours = False

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, message) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError

    def find_sent(self, message, *, since: datetime.datetime) -> list[SendResult]:
        """Did ``message`` leave? Asked before sending again a message that a worker left
        "sending" when it died (between the provider call and recording its outcome).

        Returns the provider's records that could be this message (same recipient, sender and
        words, sent since ``since``), newest first; the dispatcher takes the first that is not
        already another message of ours. ``[]``: it did not leave, or the provider keeps no
        log to ask — then it is sent again. Email is sent again on purpose: its Message-ID is
        ours and stable, so a second copy is the same message to the recipient's mail system.
        Like ``send``, this must not write to the database and raises ``TemporaryFailure``
        when the provider cannot be asked now (the message then stays as it is, to be asked
        again at the next sweep).
        """
        return []


_SPACE = re.compile(r"\s+")


def same_words(ours: str, theirs: str | None) -> bool:
    """Whether a provider's record of a text holds our words: equal once Unicode
    compatibility forms and runs of white space are folded (a provider may normalise both)."""
    if theirs is None:
        return False

    def fold(value: str) -> str:
        return _SPACE.sub(" ", unicodedata.normalize("NFKC", value)).strip()

    return fold(ours) == fold(theirs)
