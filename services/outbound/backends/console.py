"""Development backend: prints each message to standard output."""

import sys
import uuid

from services.outbound.backends.base import OutboundBackend, SendResult


class ConsoleBackend(OutboundBackend):
    def send(self, message) -> SendResult:
        stream = sys.stdout
        stream.write(
            f"--- {message.channel} to {message.recipient} ({message.kind}, {message.language}) ---\n"
        )
        if message.subject:
            stream.write(f"Subject: {message.subject}\n")
        stream.write(f"{message.body}\n---\n")
        stream.flush()
        return SendResult(provider_id=f"console-{uuid.uuid4()}", delivered=True)
