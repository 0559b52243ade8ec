"""Test backend: records what would have been sent in ``outbox``, and can be told to fail.

``outbox`` is a module-level list of ``SentMessage``; tests clear it between runs (the
``outbox`` fixture does). ``fail_next(exc, times)`` makes the next sends raise, so tests can
show a provider outage and its recovery without patching the code under test.

``find_sent`` answers "did this message leave?" from the outbox the way Twilio's message log
answers it (recipient, sender, time, words), so the recovery of a message a dead worker left
"sending" is tested through the same lookup as in production.
"""

import datetime
import itertools
import threading
from dataclasses import dataclass, field

from django.utils import timezone

from services.outbound.backends.base import OutboundBackend, SendResult, same_words


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
    sender: str = ""
    sent_at: datetime.datetime = field(default_factory=timezone.now)


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
                    sender=message.sender,
                )
            )
        return SendResult(provider_id=provider_id)

    def find_sent(self, message, *, since: datetime.datetime) -> list[SendResult]:
        with _lock:
            if _failures:
                raise _failures.pop(0)
            found = [
                sent
                for sent in outbox
                if sent.channel == message.channel
                and sent.recipient == message.recipient
                and sent.sender == message.sender
                and sent.sent_at >= since
                and same_words(message.body, sent.body)
            ]
        found.sort(key=lambda sent: sent.sent_at, reverse=True)
        return [SendResult(provider_id=sent.provider_id) for sent in found]
