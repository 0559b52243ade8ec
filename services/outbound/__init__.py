"""Outbound messages: queued with the change that caused them, delivered by a background task.

An action queues a message inside its transaction (``services.actions.messages.queue_message``:
it picks the channel and renders the text with ``services.composition`` and writes a
``Message`` with status ``queued``). After commit the ``message_queued`` signal wakes the
dispatcher (``services.tasks.deliver_outbound``), which sends through the channel's backend
(``get_backend``) and records each outcome through the message actions. The outbox table is
the source of truth: if the worker or provider is down, queued messages wait and
``manage.py tick`` (or the next task) sends them later.
"""

from services.composition import choose_channel
from services.outbound.registry import get_backend

__all__ = ["choose_channel", "get_backend"]
