"""Outbound messages: queued with the change that caused them, delivered by a background task.

``queue_message`` is called by actions inside their transaction. It picks the channel (the
resident's preferred one when they consented and we have an address, else another), renders
the text from the editors' template in the resident's language, and writes a ``Message`` with
status ``queued``. After commit a task wakes the dispatcher, which sends through the channel's
backend (``get_backend``). The outbox table is the source of truth: if the worker or provider
is down, queued messages wait and ``manage.py tick`` (or the next task) sends them later.
"""

from services.outbound.queue import choose_channel, queue_message, queue_text
from services.outbound.registry import get_backend

__all__ = ["choose_channel", "get_backend", "queue_message", "queue_text"]
