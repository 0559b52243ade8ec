"""A message a dead worker left "sending": asked about before it is sent again, never twice.

The crash is reproduced in-process the way it happens: the message is claimed
(``claim_for_sending`` commits "sending") and handed to the channel's backend, and the step
that records the outcome never runs. The sweep then has to find out whether it left. The
same thing with a real worker process killed by SIGKILL: ``test_worker_killed.py``.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connections
from django.tasks import TaskResultStatus

from services.actions.messages import claim_for_sending, queue_message
from services.models import MessageStatus, MessageTemplate, Status
from services.outbound.backends import locmem
from services.outbound.backends.base import TemporaryFailure
from services.outbound.dispatch import STALE_SENDING, dispatch_due
from services.outbound.registry import get_backend
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

LONDON = ZoneInfo("Europe/London")
NOON = datetime.datetime(2026, 11, 2, 12, tzinfo=LONDON)
LATER = NOON + STALE_SENDING + datetime.timedelta(minutes=1)


@pytest.fixture
def case(db):
    service = ServiceFactory(responsible_council=CouncilFactory(code="MKC"))
    resident = ResidentFactory(preferred_channel="sms", phone="+447700900123")
    return make_case(service, resident, status=Status.OPEN)


def crash_after_send(message):
    """What a worker killed between the provider call and the commit leaves behind."""
    claimed = claim_for_sending(message.pk, NOON, hold_until=lambda m: None)
    assert claimed is not None
    get_backend(claimed.channel).send(claimed)
    claimed.refresh_from_db()
    assert claimed.status == MessageStatus.SENDING
    return claimed


def test_a_text_that_left_before_the_worker_died_is_marked_sent_not_sent_again(case, outbox):
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Your bin", now=NOON)
    crash_after_send(message)
    assert len(outbox) == 1
    assert dispatch_due(now=NOON + datetime.timedelta(minutes=5)) == 0  # maybe still sending
    dispatch_due(now=LATER)
    message.refresh_from_db()
    assert len(outbox) == 1, "the text was sent twice"
    assert message.status == MessageStatus.SENT
    assert message.provider_id == outbox[0].provider_id
    assert message.metadata["recovered"] == "found in the provider's log"


def test_a_text_that_never_left_is_sent_once(case, outbox):
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Your bin", now=NOON)
    claim_for_sending(message.pk, NOON, hold_until=lambda m: None)  # died before the call
    assert dispatch_due(now=LATER) == 1
    message.refresh_from_db()
    assert len(outbox) == 1 and message.status == MessageStatus.SENT
    assert "sent again" in message.metadata["recovered"]


def test_an_earlier_identical_text_is_not_taken_for_the_lost_one(case, outbox):
    first = queue_message(case, MessageTemplate.Kind.REPLY, body="Same words", now=NOON)
    assert dispatch_due(now=NOON) == 1  # sent and recorded
    second = queue_message(case, MessageTemplate.Kind.REPLY, body="Same words", now=NOON)
    claim_for_sending(second.pk, NOON, hold_until=lambda m: None)  # died before the call
    dispatch_due(now=LATER)
    second.refresh_from_db()
    first.refresh_from_db()
    assert len(outbox) == 2 and second.status == MessageStatus.SENT
    assert second.provider_id != first.provider_id


def test_when_the_log_cannot_be_asked_the_text_waits_and_is_not_sent_again(case, outbox):
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Your bin", now=NOON)
    crash_after_send(message)
    locmem.fail_next(TemporaryFailure("Twilio unreachable"))
    dispatch_due(now=LATER)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING and len(outbox) == 1
    dispatch_due(now=LATER + STALE_SENDING + datetime.timedelta(minutes=1))  # asked again
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and len(outbox) == 1


def test_email_is_sent_again_with_the_same_message_id(db, settings):
    """The mail backend keeps no log to ask, so a lost email is sent again — with the
    Message-ID it was given when queued: to the recipient's mail system it is one message."""
    settings.PORTAL_CHANNEL_BACKENDS = {
        **settings.PORTAL_CHANNEL_BACKENDS,
        "email": "services.outbound.backends.mail.MailBackend",
    }
    service = ServiceFactory(responsible_council=CouncilFactory(code="MKC"))
    resident = ResidentFactory(preferred_channel="email", email="ann@example.net")
    case = make_case(service, resident, status=Status.OPEN)
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Your bin", now=NOON)
    assert message.channel == "email"
    crash_after_send(message)
    dispatch_due(now=LATER)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(mail.outbox) == 2
    ids = {
        sent.extra_headers.get("Message-ID") or sent.message()["Message-ID"] for sent in mail.outbox
    }
    assert ids == {message.provider_id}, ids
    assert message.headers["Message-ID"] == message.provider_id


# --- Task rows a killed worker left RUNNING -------------------------------------------------


def running_row(*, started, claims=1):
    from django_tasks_db.models import DBTaskResult

    from services.tasks import deliver_due

    row = DBTaskResult.objects.create(
        task_path=deliver_due.module_path,
        queue_name="outbound",
        backend_name="default",
        run_after=started,
        status=TaskResultStatus.RUNNING,
        started_at=started,
        worker_ids=[f"worker-{n}" for n in range(claims)],
        args_kwargs={"args": [], "kwargs": {}},
        priority=0,
    )
    return row


def test_a_task_row_nobody_runs_any_more_is_queued_again(db, postgres_only):
    from services.tasks import LOST_AFTER, recover_lost_tasks

    now = datetime.datetime.now(datetime.UTC)
    lost = running_row(started=now - LOST_AFTER - datetime.timedelta(minutes=1))
    young = running_row(started=now)
    given_up = running_row(started=now - LOST_AFTER * 2, claims=3)
    assert recover_lost_tasks(now) == 2
    lost.refresh_from_db()
    young.refresh_from_db()
    given_up.refresh_from_db()
    assert lost.status == TaskResultStatus.READY
    assert young.status == TaskResultStatus.RUNNING  # may well be running
    assert given_up.status == TaskResultStatus.FAILED
    assert given_up.exception_class_path == "services.tasks.WorkerLost"


@pytest.mark.django_db(transaction=True)
def test_a_task_row_whose_worker_is_alive_is_left_running(postgres_only):
    """A live worker holds the row's advisory lock (taken on task_started) on its own
    connection: the recovery sees it and leaves the row alone, however old."""
    from services.tasks import LOCK_CLASS, LOST_AFTER, lock_key, recover_lost_tasks

    now = datetime.datetime.now(datetime.UTC)
    row = running_row(started=now - LOST_AFTER * 10)
    worker = connections.create_connection("default")
    try:
        with worker.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_CLASS, lock_key(row.pk)])
        assert recover_lost_tasks(now) == 0
        row.refresh_from_db()
        assert row.status == TaskResultStatus.RUNNING
    finally:
        worker.close()  # the worker "dies": its session, and its lock, are gone
    assert recover_lost_tasks(now) == 1
    row.refresh_from_db()
    assert row.status == TaskResultStatus.READY
