"""Follow changes to cases and residents, and index them after the transaction commits.

``services`` never imports search: these receivers are connected in ``SearchConfig.ready``.
Nothing is indexed inside the request: the ids changed in a transaction are collected, and
when it commits one task for both kinds is enqueued on the "search" queue. If the transaction rolls
back, the ids ride along with the next commit on this thread (a harmless extra reindex).
"""

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from services.models import Case, Message, Resident, Service, TimelineEvent

_pending = threading.local()
# Service fields copied into case documents.
SERVICE_FIELDS = ("name", "joint", "restricted", "delivering_team_id")


def _queue() -> dict[str, set[int]]:
    if not hasattr(_pending, "ids"):
        _pending.ids = {"case": set(), "resident": set()}
    return _pending.ids


def _flush() -> None:
    from search import tasks

    pending = _queue()
    cases, residents = sorted(pending["case"]), sorted(pending["resident"])
    pending["case"].clear()
    pending["resident"].clear()
    if cases or residents:  # else an earlier callback of the same commit enqueued them
        tasks.index_changes.enqueue(cases, residents)


def schedule(kind: str, pk: int | None) -> None:
    """Index ``kind`` ``pk`` once the current transaction (if any) commits."""
    if pk is None:
        return
    _queue()[kind].add(pk)
    transaction.on_commit(_flush)


def case_changed(sender, instance, **kwargs):
    schedule("case", instance.pk)


def resident_changed(sender, instance, **kwargs):
    schedule("resident", instance.pk)


def words_changed(sender, instance, **kwargs):
    """A message or timeline event adds words to its case."""
    if instance.case_id is not None:
        schedule("case", instance.case_id)


def service_before_save(sender, instance, **kwargs):
    if instance.pk is None:
        instance._search_before = None
        return
    instance._search_before = (
        Service.objects.filter(pk=instance.pk).values_list(*SERVICE_FIELDS).first()
    )


def service_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_search_before", None)
    after = tuple(getattr(instance, f) for f in SERVICE_FIELDS)
    if created or before is None or tuple(before) == after:
        return
    from search import tasks

    transaction.on_commit(lambda: tasks.index_service_cases.enqueue(instance.pk))


def connect() -> None:
    uid = "case_search"
    post_save.connect(case_changed, sender=Case, dispatch_uid=f"{uid}:case_save")
    post_delete.connect(case_changed, sender=Case, dispatch_uid=f"{uid}:case_delete")
    post_save.connect(resident_changed, sender=Resident, dispatch_uid=f"{uid}:res_save")
    post_delete.connect(resident_changed, sender=Resident, dispatch_uid=f"{uid}:res_delete")
    post_save.connect(words_changed, sender=Message, dispatch_uid=f"{uid}:message")
    post_save.connect(words_changed, sender=TimelineEvent, dispatch_uid=f"{uid}:event")
    pre_save.connect(service_before_save, sender=Service, dispatch_uid=f"{uid}:svc_pre")
    post_save.connect(service_saved, sender=Service, dispatch_uid=f"{uid}:svc_post")
