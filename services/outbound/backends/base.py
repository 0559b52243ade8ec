"""What a channel backend does, and the two ways it can fail."""

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
