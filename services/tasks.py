"""Background tasks (Django's tasks framework; ``manage.py db_worker`` runs them), and the
recovery of task rows a killed worker left RUNNING.

django-tasks-db (0.13) marks a row RUNNING when a worker claims it and SUCCESSFUL/FAILED when
the task returns; a worker killed in between (SIGKILL, OOM, a host lost) leaves it RUNNING for
ever — a known gap upstream (RealOrangeOne/django-tasks#46, open), with no heartbeat or lease
to build on. So this module adds the smallest thing that tells a dead worker from a slow one:

* while a database-backed task runs, its worker holds a PostgreSQL *session* advisory lock
  keyed on the task row (taken on ``task_started``, released on ``task_finished``).
  PostgreSQL releases a session's locks when the session ends, so a killed worker's locks go
  with its connection, on any host;
* ``recover_lost_tasks`` (run by ``manage.py tick``) looks at RUNNING rows started more than
  ``LOST_AFTER`` ago and tries each row's lock: if it can take it, nobody is running that
  task. The row goes back to READY to run again (our tasks are idempotent: ``dispatch`` only
  sends a message that is still queued, and a message the dead worker left "sending" is
  recovered by ``services.outbound.dispatch.recover_stale``), or, once it has been claimed
  ``MAX_RUNS`` times (a task that kills its worker every time), to FAILED with ``WorkerLost``.

Without PostgreSQL (the SQLite demo) there are no advisory locks: a RUNNING row older than
``LOST_AFTER_WITHOUT_LOCKS`` is taken to be lost.
"""

import datetime
import logging
import uuid
import zlib

from django.db import connection, transaction
from django.dispatch import receiver
from django.tasks import task
from django.tasks.signals import task_finished, task_started
from django.utils import timezone

from services.outbound.dispatch import dispatch, dispatch_due

logger = logging.getLogger(__name__)

LOST_AFTER = datetime.timedelta(minutes=2)  # the lock says whether it is still running
LOST_AFTER_WITHOUT_LOCKS = datetime.timedelta(hours=1)  # SQLite: age alone
MAX_RUNS = 3
LOCK_CLASS = 0x7461736B  # "task": the advisory lock namespace of running task rows
_held: set[int] = set()  # lock keys this process holds (its own running task)


class WorkerLost(Exception):
    """The worker running this task died (killed, out of memory, host lost) before it ended."""


@task(queue_name="outbound")
def deliver_outbound(message_id: int) -> str | None:
    """Send one queued message now; the outbox keeps it if this cannot."""
    return dispatch(message_id)


def deliver_when_queued(sender, message_id: int, **kwargs) -> None:
    """``message_queued`` receiver (connected in ``services.apps``): send it in the background."""
    deliver_outbound.enqueue(message_id)


@task(queue_name="outbound")
def deliver_due() -> int:
    """Send everything due: retries whose backoff has passed, texts held overnight."""
    return dispatch_due()


@task()
def mark_breaches() -> int:
    from services.actions.sla import mark_breaches as run

    return run()


# --- Task rows a killed worker left RUNNING ---------------------------------------------------


def lock_key(result_id) -> int:
    """The advisory lock's second key for a task row (crc32 of its id, as a signed int4).
    Two rows sharing a key only make the recovery wait for both: never a wrong recovery."""
    value = zlib.crc32(str(uuid.UUID(str(result_id))).encode())
    return value - 2**32 if value >= 2**31 else value


def _database_backed(sender) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    # db_worker sends the backend itself on start and its class on finish.
    return isinstance(sender, DatabaseBackend) or (
        isinstance(sender, type) and issubclass(sender, DatabaseBackend)
    )


@receiver(task_started, dispatch_uid="services.tasks.hold_running_lock")
def hold_running_lock(sender, task_result, **kwargs) -> None:
    """While a database-backed task runs, its worker's session holds the row's lock."""
    if not _database_backed(sender) or connection.vendor != "postgresql":
        return
    key = lock_key(task_result.id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, key])
    _held.add(key)


@receiver(task_finished, dispatch_uid="services.tasks.release_running_lock")
def release_running_lock(sender, task_result, **kwargs) -> None:
    if not _database_backed(sender) or connection.vendor != "postgresql":
        return
    key = lock_key(task_result.id)
    if key in _held:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, key])
        _held.discard(key)


def _nobody_runs(key: int) -> bool:
    """Whether no live session holds the row's lock (taken and given back at once)."""
    if key in _held:  # this very process is running it (recovery inside a task)
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, key])
        (free,) = cursor.fetchone()
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, key])
    return bool(free)


def recover_lost_tasks(now: datetime.datetime | None = None) -> int:
    """Task rows left RUNNING by a worker that died: READY again, or FAILED after
    ``MAX_RUNS`` claims. Returns how many were recovered."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    locks = connection.vendor == "postgresql"
    cutoff = now - (LOST_AFTER if locks else LOST_AFTER_WITHOUT_LOCKS)
    recovered = 0
    candidates = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if row is None or (locks and not _nobody_runs(lock_key(row.pk))):
                continue
            runs = len(row.worker_ids or [])
            if runs >= MAX_RUNS:
                row.set_failed(
                    WorkerLost(f"The worker running this task died, {runs} times; given up.")
                )
                logger.error("Task %s (%s) lost %s times: failed", row.pk, row.task_path, runs)
            else:
                row.status = TaskResultStatus.READY
                row.save(update_fields=["status"])
                logger.warning(
                    "Task %s (%s) lost with its worker: queued again", row.pk, row.task_path
                )
            recovered += 1
    return recovered
