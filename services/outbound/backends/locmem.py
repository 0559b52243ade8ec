"""Test backend: records what would have been sent in ``outbox``, and can be told to fail.

``outbox`` is a module-level list of ``SentMessage``; tests clear it between runs (the
``outbox`` fixture does). ``fail_next(exc, times)`` makes the next sends raise, so tests can
show a provider outage and its recovery without patching the code under test.
"""

import itertools
import threading
from dataclasses import dataclass

from services.outbound.backends.base import OutboundBackend, SendResult


@dataclass
class SentMessage:
    channel: str
    recipient: str
    subject: str
    body: str
    kind: str
    language: str
    message_id: int
    provider_id: str


outbox: list[SentMessage] = []
_failures: list[Exception] = []
_lock = threading.Lock()
_counter = itertools.count(1)


def fail_next(error: Exception, times: int = 1) -> None:
    with _lock:
        _failures.extend([error] * times)


def reset() -> None:
    with _lock:
        outbox.clear()
        _failures.clear()


class LocmemBackend(OutboundBackend):
    respects_quiet_hours = False

    def send(self, message) -> SendResult:
        with _lock:
            if _failures:
                raise _failures.pop(0)
            provider_id = f"locmem-{message.channel}-{next(_counter)}"
            outbox.append(
                SentMessage(
                    channel=message.channel,
                    recipient=message.recipient,
                    subject=message.subject,
                    body=message.body,
                    kind=message.kind,
                    language=message.language,
                    message_id=message.pk,
                    provider_id=provider_id,
                )
            )
        return SendResult(provider_id=provider_id)
