"""Signals the domain sends; whoever needs to act on them subscribes (``services.apps``).

``message_queued`` is sent after the commit that queued an outbound message (``message_id``):
the outbound task subscribes and sends it. A signal rather than a call, so the actions that
queue messages do not import the dispatcher that records its outcomes through them.
"""

from django.dispatch import Signal

message_queued = Signal()
