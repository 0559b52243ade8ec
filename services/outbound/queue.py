"""Choosing a resident's channel and address lives in ``services.composition``; writing the
queued message is an action (``services.actions.messages.queue_message``). These names stay
importable from here for the desk's previews."""

from services.composition import address_for, choose_channel, message_context

__all__ = ["address_for", "choose_channel", "message_context"]
