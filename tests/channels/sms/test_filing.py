"""Accept first, file after: order per sender under a real parallel worker, STOP in the middle,
the database going away under the webhook (spool), a worker killed mid-filing, retries and
parking. PostgreSQL, real signed webhooks, real worker processes; nothing under test patched."""

import datetime
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client

from channels.sms import filing, inbox
from channels.sms.models import InboxEntry
from services.models import Case, Channel, ContactPoint, Message, Resident
from tests.channels.sms.conftest import (
    COUNCIL_NUMBER,
    INBOUND_PATH,
    STATUS_PATH,
    file_inbox,
    inbound_payload,
    post_signed,
    reply_for,
    status_payload,
)
from tests.channels.sms.tcp_proxy import TcpProxy
from tests.factories import CouncilFactory, ServiceFactory

ROOT = Path(__file__).resolve().parents[3]
ALICE, BOB = "+447700900201", "+447700900202"


@pytest.fixture
def spool(settings, tmp_path):
    settings.PORTAL_SMS_SPOOL_DIR = tmp_path / "spool"
    return settings.PORTAL_SMS_SPOOL_DIR


def _catalogue():
    council = CouncilFactory(code="MKC", name="Milton Keynes City Council")
    ServiceFactory(slug="general-enquiry", name="General enquiry", responsible_council=council)
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    return council


def _inbound(sender):
    return Message.objects.filter(channel=Channel.SMS, direction="in", sender=sender)


def _replies(recipient):
    return Message.objects.filter(channel=Channel.SMS, direction="out", recipient=recipient)


# --- order per sender, STOP in the middle ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_one_senders_texts_are_filed_and_answered_in_order_and_stop_stops_later_answers(
    postgres_only, outbox, spool
):
    """Two worker threads file while the texts are still arriving faster than they are filed.

    Alice's texts are filed strictly in the order they arrived (her messages' ids and her
    answers in the outbox follow it), whichever worker took each; Bob's are filed alongside.
    Her STOP (the 6th text) is answered once, and nothing after it is.
    """
    _catalogue()
    alice = [f"Alice {n}: the bin at number 4" for n in range(1, 6)]
    alice += ["STOP"] + [f"Alice {n}: still there" for n in range(7, 11)]
    payloads = [inbound_payload(body, sender=ALICE) for body in alice]
    bob = [inbound_payload(f"Bob {n}: streetlight", sender=BOB) for n in range(1, 5)]
    stop, errors = threading.Event(), []

    def worker():
        try:
            while not stop.is_set():
                if not filing.file_due(limit=3).touched:
                    time.sleep(0.01)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    client = Client()
    for index, payload in enumerate(payloads):
        assert post_signed(client, INBOUND_PATH, payload).status_code == 200
        if index < len(bob):
            assert post_signed(client, INBOUND_PATH, bob[index]).status_code == 200
    deadline = time.monotonic() + 120
    while InboxEntry.objects.filter(state="pending").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    for thread in workers:
        thread.join(30)
    connections.close_all()
    assert errors == []
    assert not InboxEntry.objects.exclude(state="filed").exists()

    # Filed in arrival order: the messages' ids (and times) follow the order of the texts.
    filed = list(_inbound(ALICE).order_by("pk").values_list("provider_id", flat=True))
    assert filed == [p["MessageSid"] for p in payloads]
    # Answered in order, once each, up to and including the STOP; nothing after it.
    answered = [reply_for(p["MessageSid"]) for p in payloads]
    assert all(answered[:6]) and not any(answered[6:])
    assert "START" in answered[5]
    assert Resident.objects.get(phone=ALICE).consent_sms is False
    sent_to_alice = [sent.body for sent in outbox if sent.recipient == ALICE]
    assert sent_to_alice == answered[:6]  # what left the outbox, in that order
    # The first text opened her case; the next four threaded onto it.
    case = Case.objects.get(resident__phone=ALICE)
    assert case.display_reference in answered[0]
    assert all(case.display_reference in answer for answer in answered[1:5])
    # Bob, filed alongside, got every answer.
    assert all(reply_for(p["MessageSid"]) for p in bob)
    assert _replies(BOB).count() == len(bob)


# --- the database unreachable for the webhook -------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_unreachable_texts_are_spooled_then_each_filed_and_answered_once(
    postgres_only, spool, outbox
):
    _catalogue()
    real = dict(connection.settings_dict)
    proxy = TcpProxy(int(real["PORT"] or 5432), real["HOST"] or "127.0.0.1").start()
    senders = [f"+4477009003{n:02d}" for n in range(12)]
    payloads = [inbound_payload(f"Text {n}: pothole", sender=s) for n, s in enumerate(senders)]
    client = Client()
    try:
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port))
        before, during, after = payloads[:3], payloads[3:9], payloads[9:]
        for payload in before:
            assert post_signed(client, INBOUND_PATH, payload).status_code == 200

        proxy.stop()  # PostgreSQL unreachable: open connections reset, new ones refused
        for payload in during:
            response = post_signed(client, INBOUND_PATH, payload)
            assert response.status_code == 200
            assert response.content.strip().endswith(b"<Response />")
        # Twilio's retry of one of them, and a delivery status callback, in the outage too.
        assert post_signed(client, INBOUND_PATH, during[0]).status_code == 200
        callback = status_payload("SM" + "d" * 32, "delivered")
        assert post_signed(client, STATUS_PATH, callback).status_code == 204
        assert inbox.spool_stats()["spooled"] == len(during) + 1  # one file per request
        with pytest.raises(Exception):  # noqa: B017, PT011 - really unreachable
            connection.ensure_connection()
        connection.close()

        proxy.start()  # back
        for payload in after:
            assert post_signed(client, INBOUND_PATH, payload).status_code == 200
        file_inbox()
    finally:
        connection.close()
        connection.settings_dict.update(HOST=real["HOST"], PORT=real["PORT"])
        proxy.stop()

    assert inbox.spool_stats() == {"spooled": 0, "oldest_seconds": 0}
    assert InboxEntry.objects.filter(source="spool").count() == len(during) + 1
    assert not InboxEntry.objects.exclude(state="filed").exists()
    for payload in payloads:  # every text filed exactly once, every resident answered once
        assert Message.objects.filter(provider_id=payload["MessageSid"]).count() == 1
        assert reply_for(payload["MessageSid"]) != ""
    for sender in senders:
        assert _replies(sender).count() == 1
    assert Case.objects.count() == len(senders)


def test_spool_files_are_written_whole_and_unreadable_ones_kept_aside(db, spool):
    payload = inbound_payload("Bin", sender=ALICE)
    request = inbox.text_request(
        sid=payload["MessageSid"], sender=ALICE, raw=b"Body=Bin&From=%2B447700900201"
    )
    path = inbox.spool(request)
    assert path.parent == spool and path.name == f"text-{request.key}.json"
    assert inbox.Request.from_json(path.read_bytes()) == request
    assert not list(spool.glob(".incoming-*"))  # the temporary file was renamed into place
    (spool / "text-broken.json").write_bytes(b'{"kind": "text", "signed": tr')
    assert inbox.drain_spool() == 1
    assert (spool / "unreadable" / "text-broken.json").exists()  # kept, not deleted
    assert InboxEntry.objects.get().key == request.key
    assert inbox.drain_spool() == 0


# --- a worker killed in the middle of filing --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_filing_leaves_nothing_half_filed_and_nothing_filed_twice(
    postgres_only, spool, outbox
):
    _catalogue()
    payload = inbound_payload("Fly-tipping behind the shops", sender=ALICE)
    assert post_signed(Client(), INBOUND_PATH, payload).status_code == 200
    db = connection.settings_dict
    dsn = f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # Hold the lock intake takes on the sender after it has written the message: the worker
    # stops there, in the middle of filing, with the message inserted but not committed.
    holder = psycopg.connect(dsn, autocommit=True)
    key = f"intake:sms:{ALICE.lower()}"
    holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", [key])
    env = dict(
        os.environ,
        DATABASE_URL=dsn,
        DJANGO_SETTINGS_MODULE="portal.settings.test",
        PORTAL_SMS_SPOOL_DIR=str(spool),
    )
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "file_texts", "--poll", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        waiting = _wait_for_advisory_waiter(holder, timeout=120)
        assert waiting, "the worker never reached the middle of filing"
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
    holder.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [key])
    # The orphaned backend finishes its statement, finds its client gone and rolls back.
    deadline = time.monotonic() + 30
    while (
        time.monotonic() < deadline
        and holder.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [waiting]
        ).fetchone()[0]
    ):
        time.sleep(0.1)
    holder.close()

    entry = InboxEntry.objects.get(key=payload["MessageSid"])
    assert (entry.state, entry.attempts) == ("pending", 0)
    assert not Message.objects.exists()  # neither the text, nor a reply
    assert not Case.objects.exists()

    # The next worker files it from scratch — once, however often it runs.
    assert filing.file_all().filed == 1
    assert filing.file_all().filed == 0
    assert Message.objects.filter(provider_id=payload["MessageSid"]).count() == 1
    assert Case.objects.count() == 1
    assert Case.objects.get().display_reference in reply_for(payload["MessageSid"])
    assert _replies(ALICE).count() == 1


def _wait_for_advisory_waiter(conn, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.1)
    return None


# --- failures: retried with backoff, then parked (and shown on the desk) ----------------------


def test_a_row_that_keeps_failing_is_retried_with_backoff_then_parked(db, spool):
    # No triage service: intake cannot open a case for a first contact (a broken catalogue,
    # the kind of fault a retry may outlive), so every attempt fails.
    council = CouncilFactory(code="MKC")
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    client = Client()
    post_signed(client, INBOUND_PATH, inbound_payload("Hello", sender=ALICE))
    entry = InboxEntry.objects.get()
    moment = entry.received_at
    for attempt in range(1, filing.MAX_ATTEMPTS + 1):
        expected = filing.RETRY if attempt < filing.MAX_ATTEMPTS else filing.PARKED
        assert filing.file_one(entry.pk, entry.lane, now=moment)[0] == expected
        entry.refresh_from_db()
        assert entry.attempts == attempt
        if attempt < filing.MAX_ATTEMPTS:
            assert entry.state == "pending"
            assert entry.next_attempt_at == moment + filing.backoff(attempt)
            early = entry.next_attempt_at - datetime.timedelta(seconds=1)
            assert filing.file_one(entry.pk, entry.lane, now=early)[0] == filing.SKIPPED
            moment = entry.next_attempt_at
    assert entry.state == "parked"  # kept, with its error; never retried for ever
    assert "general-enquiry" in entry.last_error
    assert not Message.objects.exists()
    assert filing.backlog()["parked"] == 1

    # A parked text no longer holds up its sender: their next text is filed and answered.
    ServiceFactory(slug="general-enquiry", responsible_council=council)
    later = inbound_payload("Hello again", sender=ALICE)
    post_signed(client, INBOUND_PATH, later)
    assert file_inbox().filed == 1
    assert Case.objects.get().display_reference in reply_for(later["MessageSid"])


def test_a_status_callback_is_filed_by_the_worker(db, spool):
    callback = status_payload("SM" + "e" * 32, "delivered")
    assert post_signed(Client(), STATUS_PATH, callback).status_code == 204
    entry = InboxEntry.objects.get()
    assert (entry.kind, entry.lane) == ("status", callback["MessageSid"])
    assert post_signed(Client(), STATUS_PATH, callback).status_code == 204  # Twilio repeats
    assert InboxEntry.objects.count() == 1
    assert file_inbox().outcomes == {"not_ours": 1}
