"""Signal receivers, connected in ``ApiConfig.ready``."""

from django.db import transaction

from api import feeds
from api.tasks import deliver_feeds


def on_case_changed(sender, *, event: str, case, data: dict, **kwargs) -> None:
    """``services.signals.case_changed``: record the feed events in the change's transaction,
    and wake the worker once it commits (nothing is sent from the request)."""
    written = feeds.record_event(event, case, data)
    for partner_id in sorted({row.partner_id for row in written}):
        transaction.on_commit(lambda pk=partner_id: deliver_feeds.enqueue(pk))


def on_partner_saved(sender, **kwargs) -> None:
    """``post_save``/``post_delete`` of ``Partner``: the subscriber list is read again."""
    feeds.forget_subscribers()
