"""Signals the domain sends; whoever needs to act on them subscribes (``services.apps``).

``message_queued`` is sent after the commit that queued an outbound message (``message_id``):
the outbound task subscribes and sends it. A signal rather than a call, so the actions that
queue messages do not import the dispatcher that records its outcomes through them.
"""

from django.dispatch import Signal

message_queued = Signal()

# ``case_changed`` is sent *inside* the transaction of a change that other systems follow (the
# partner event feeds of issue 18): ``event`` is a ``services.models.Feed`` value
# (case.created, case.status_changed, case.transferred), ``case`` the case as changed (in
# memory: a status change is sent just before the locked row is saved), ``data`` what changed
# (``{"from": …, "to": …}``). A receiver that writes does so in the same transaction, so its
# record exists exactly when the change commits; anything slow (sending) belongs after the
# commit. A signal, so that ``services`` never imports the API that listens.
case_changed = Signal()
