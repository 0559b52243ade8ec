"""The case API for council systems (``/api/v1/``) and the partners' signed event feeds.

A council back-office system (highways, waste, revenues) is a *partner*
(``services.models.Partner``) with an API key and a staff account: through the API it lists
and reads the cases that account may see and changes them through the same
``services.actions`` a member of staff's desk uses, permission-checked in the query
(``services.permissions``). A partner subscribed to feeds receives each case event it may see
as a JSON POST signed with HMAC-SHA256, sent by the worker from the ``FeedEvent`` outbox
written in the transaction of the change (``api.feeds``).

Dependencies run one way: ``api`` sits on top, like ``portal`` and ``desk``. It imports
``services`` (the domain) and ``desk.queue`` (the queue's filters and keyset cursor, so the
API filters exactly as the desk does); nothing imports ``api`` except the project's URLconf.
"""
