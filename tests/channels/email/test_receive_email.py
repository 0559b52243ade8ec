"""``manage.py receive_email``: the MTA's exit-status contract, as a real subprocess too, and
hypothesis-generated messages that must never crash it."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from channels.email.management.commands.receive_email import run
from services.models import Case, Direction, Message
from tests.channels.email.conftest import corpus, pipe

ROOT = Path(__file__).resolve().parents[3]


def test_empty_input_is_rejected_for_good(mailboxes):
    code, stderr = pipe(b"")
    assert code == 65 and "empty" in stderr
    assert not Message.objects.exists()


def test_an_oversized_message_is_rejected_for_good(mailboxes, settings):
    settings.PORTAL_EMAIL_MAX_MESSAGE_BYTES = 1000
    code, stderr = pipe(corpus("nested_multipart.eml"))
    assert code == 65 and "too large" in stderr
    assert not Message.objects.exists()


def test_a_huge_attachment_is_refused_and_noted_but_the_message_filed(mailboxes, settings):
    settings.PORTAL_EMAIL_MAX_ATTACHMENT_BYTES = 2_000_000
    import base64

    payload = base64.encodebytes(os.urandom(3_000_000))
    raw = (
        b"From: big@example.com\nTo: contact@mk.example.org\nSubject: Scan\n"
        b"Message-ID: <huge-0001@example.com>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b'My scanned documents.\n--b\nContent-Type: application/pdf; name="scan.pdf"\n'
        b"Content-Disposition: attachment; filename=scan.pdf\nContent-Transfer-Encoding: base64\n\n"
        + payload
        + b"\n--b--\n"
    )
    assert pipe(raw)[0] == 0
    message = Message.objects.get(direction=Direction.IN)
    assert message.case is not None and not message.attachments.exists()
    [refused] = message.metadata["refused_attachments"]
    assert refused["filename"] == "scan.pdf" and refused["size"] == 3_000_000
    assert "scan.pdf" in message.case.timeline.get(kind="note").body
    assert len(message.raw) > 4_000_000  # the original, attachment included, is kept


def _manage(args, raw: bytes, database_url: str):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "PORTAL_FAX_GATEWAYS": "",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "receive_email", *args],
        input=raw,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )


def test_a_database_that_is_down_means_try_again_later():
    result = _manage([], corpus("gmail_reply.eml"), "postgres://portal:portal@127.0.0.1:9/none")
    assert result.returncode == 75, result.stderr
    assert b"try again later" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_the_mta_pipe_files_a_message(mailboxes, postgres_only):
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    result = _manage(["--recipient", "bins@mk.example.org"], corpus("outlook_reply.eml"), url)
    assert result.returncode == 0, result.stderr
    case = Case.objects.get()
    assert case.service.slug == "mk-missed-bin"
    result = _manage(["--sender", ""], corpus("dsn_postfix.eml"), url)
    assert result.returncode == 0, result.stderr
    assert Case.objects.count() == 1


HEADER_NAMES = [
    "From", "To", "Cc", "Subject", "Message-ID", "In-Reply-To", "References", "Date",
    "Content-Type", "Content-Transfer-Encoding", "Content-Disposition", "MIME-Version",
    "Auto-Submitted", "Precedence", "Return-Path", "List-Id", "X-Failed-Recipients",
]  # fmt: skip
header_values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(
        [
            "multipart/mixed; boundary=x",
            'multipart/report; report-type=delivery-status; boundary="r"',
            "text/plain; charset=x-unknown",
            "text/html; charset=shift_jis",
            "message/rfc822",
            "base64",
            "quoted-printable",
            "=?utf-8?b?invalid?=",
            "=?bogus-charset?q?caf=E9?=",
            "<>",
            "attachment; filename*=utf-8''%E2%82%AC.exe",
            "resident@example.com",
            "contact@mk.example.org",
            "MAILER-DAEMON@example.org",
            "<" + "x" * 400 + "@example.org>",
        ]
    ),
)
headers = st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_values), max_size=12)
bodies = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=600).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"--x\nContent-Type: text/plain\n\nhi\n--x--\n", b"--x\n\n--x", b"\x00" * 50]),
)


def _message(pairs, body: bytes) -> bytes:
    head = "".join(f"{name}: {value}\n" for name, value in pairs)
    return head.encode("utf-8", "surrogatepass") + b"\n" + body


@hypothesis_settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=headers, body=bodies, sender=st.one_of(st.none(), st.just(""), st.text(max_size=30)))
def test_generated_messages_never_crash_receive_email(mailboxes, pairs, body, sender):
    raw = _message(pairs, body)
    stderr = io.StringIO()
    code = run(raw, sender=sender, recipient="", stderr=stderr)
    # The database is up, so nothing may come back as "try again" (75) — that would bounce a
    # message after days in the MTA's queue. Only empty input is refused.
    assert code in (0, 65), stderr.getvalue()
    if code == 65:
        assert not raw.strip() and "rejected" in stderr.getvalue()
    else:
        assert Message.objects.filter(direction=Direction.IN, raw__isnull=False).exists()


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(min_size=1, max_size=2000))
def test_random_bytes_never_crash_receive_email(mailboxes, raw):
    before = Message.objects.count()
    code = run(raw, sender=None, recipient="", stderr=io.StringIO())
    assert code in (0, 65)
    if code == 0:
        assert Message.objects.count() in (before, before + 1)  # new, or a duplicate
