"""The fault test: a real worker process killed by SIGKILL between the provider call and the
commit that records it, then the real recovery — for a text and for an email.

What runs is what runs in production: ``manage.py db_worker`` (django-tasks-db) claims the
``deliver_outbound`` task row, the dispatcher claims the message ("sending", committed) and
sends it through the real Twilio backend (to a local fake Twilio that keeps a message log like
Twilio's) or the real mail backend (into files, Django's file-based mail backend). The only
test hook is ``PORTAL_FAULT_PAUSE``: after the provider call returns, the worker writes a
marker file and waits, and the test kills it there with SIGKILL. Time is then moved on (the
message's claim and the task row's start are dated back, as ten minutes would) and
``manage.py tick`` and a fresh ``manage.py db_worker --batch`` run, as the scheduler and the
restarted worker would.

Done means: the text left once (one request to Twilio) and the message is sent with
Twilio's sid; the email is sent with its one Message-ID (sent again, since a mail server keeps
no log we can ask — the copies carry the same Message-ID, which makes them one message to the
recipient's mail system); no task row is left RUNNING.
"""

import datetime
import email
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone

from services.actions.messages import queue_message
from services.models import Message, MessageStatus, MessageTemplate, Status
from tests.channels.sms.fake_twilio import FakeTwilio
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
TIMEOUT = 240  # seconds: two cores shared by many test runs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fake_twilio():
    fake = FakeTwilio(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, port=_free_port())
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def world(postgres_only, settings, tmp_path, fake_twilio):
    """Tasks go to the database (as in production), and the processes' environment."""
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}
    }
    db = connection.settings_dict
    mail_dir, pause_dir = tmp_path / "mail", tmp_path / "pause"
    mail_dir.mkdir()
    pause_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.services.fault_settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        ),
        "FAULT_TWILIO_URL": fake_twilio.url,
        "FAULT_MAIL_DIR": str(mail_dir),
        "PYTHONPATH": str(ROOT),
    }
    return {"env": env, "mail": mail_dir, "pause": pause_dir, "twilio": fake_twilio}


def manage(world, *args, pause: bool = False, **kwargs):
    env = {**world["env"], "FAULT_PAUSE_DIR": str(world["pause"]) if pause else ""}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **kwargs,
    )


def run(world, *args) -> str:
    process = manage(world, *args)
    output, _ = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, output.decode()
    return output.decode()


def mails(directory: Path) -> list[email.message.Message]:
    """Every message the file-based mail backend wrote (one file per connection, messages
    separated by a line of 79 dashes)."""
    found = []
    for path in sorted(directory.iterdir()):
        for part in path.read_text().split("\n" + "-" * 79 + "\n"):
            if part.strip():
                found.append(email.message_from_string(part))
    return found


def left_the_provider(world, channel: str) -> int:
    if channel == "sms":
        return len(world["twilio"].accepted)
    return len(mails(world["mail"]))


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_worker_killed_between_the_provider_call_and_the_commit(world, channel):
    from django_tasks_db.models import DBTaskResult

    service = ServiceFactory(responsible_council=CouncilFactory(code="MKC"))
    resident = ResidentFactory(
        preferred_channel=channel, phone="+447700900123", email="ann@example.net"
    )
    case = make_case(service, resident, status=Status.OPEN)
    message = queue_message(case, MessageTemplate.Kind.REPLY, body="Your bin", urgent=True)
    assert message.channel == channel
    task_row = DBTaskResult.objects.get(task_path__endswith="deliver_outbound")  # on commit
    assert task_row.status == TaskResultStatus.READY

    worker = manage(world, "db_worker", "--queue-name", "outbound", "--interval", "0.2", pause=True)
    marker = world["pause"] / f"after-send-{message.pk}"
    deadline = time.monotonic() + TIMEOUT
    while not marker.exists():
        assert worker.poll() is None, worker.stdout.read().decode()
        assert time.monotonic() < deadline, "the worker never reached the provider"
        time.sleep(0.1)
    assert left_the_provider(world, channel) == 1
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    message.refresh_from_db()
    task_row.refresh_from_db()
    assert message.status == MessageStatus.SENDING  # the outcome was never recorded
    assert task_row.status == TaskResultStatus.RUNNING  # and the task row says "running"

    # Ten minutes pass (the sweep's threshold) before the scheduler's next tick.
    moved = timezone.now() - datetime.timedelta(minutes=11)
    Message.objects.filter(pk=message.pk).update(status_changed_at=moved)
    DBTaskResult.objects.filter(pk=task_row.pk).update(started_at=moved)
    run(world, "tick")
    run(world, "db_worker", "--queue-name", "outbound", "--batch", "--no-startup-delay")

    message.refresh_from_db()
    assert message.status in (MessageStatus.SENT, MessageStatus.DELIVERED)
    assert message.sent_at is not None
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    task_row.refresh_from_db()
    assert task_row.status == TaskResultStatus.SUCCESSFUL
    if channel == "sms":
        assert left_the_provider(world, channel) == 1, "the text was sent twice"
        assert message.provider_id == world["twilio"].accepted[0]["sid"]
        assert message.metadata["recovered"] == "found in the provider's log"
    else:
        copies = mails(world["mail"])
        assert len(copies) == 2  # sent again: no mail server keeps a log to ask…
        assert {copy["Message-ID"] for copy in copies} == {message.provider_id}  # …one message
        assert all(copy["To"] == "ann@example.net" for copy in copies)
