"""Real bounces, auto-replies and replies from public corpora, through both entrances.

Every file under ``tests/data/mail/`` (sources and licences in its README) is fed, unchanged, to
``manage.py receive_email`` and to the signed Mailgun inbound webhook, with no envelope sender:
what the message says must be enough. The table says what a person would notice:

- a bounce opens no case and gets no acknowledgement; when it is about one of our emails (it
  quotes that email's Message-ID, or names its recipient and quotes no Message-ID) that email
  is marked failed and the resident's address bouncing — unless the failure is only temporary;
- an auto-reply (out-of-office, vacation, abuse report) opens no case and gets no answer;
- a person's message opens a case and is acknowledged, and the agent reads only the new text.
"""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from services.models import (
    Case,
    Channel,
    Direction,
    Message,
    MessageStatus,
    Resident,
)
from tests.channels.email.conftest import corpus, mailgun_post, pipe
from tests.factories import ResidentFactory, make_case

MAIL = Path(__file__).parents[2] / "data" / "mail"
ENTRY_POINTS = ["pipe", "webhook"]
SOMEONE = "resident@example.net"  # for bounces that name no recipient but quote our Message-ID

# Bounces: file -> (the recipient it is about, the Message-ID of the original it quotes or
# None when it quotes none, whether the failure is permanent). Recipients and permanence are
# flufl.bounce's own expectations for its files (its tests/test_detectors.py) and the reports'
# Final-Recipient lines for sisimai's; the quoted ids were read from the returned headers.
BOUNCES = {
    # Filed as "auto" before (Precedence: bulk, a report of unknown type), never marked failed:
    "flufl-bounce/bounce_01.txt": (
        SOMEONE,
        "<Pine.LNX.4.30.0102051415240.27504-100000@onca.example.net>",
        True,
    ),
    "flufl-bounce/dumbass_01.txt": (SOMEONE, "<927suu$r5l$1@panix2.panix.com>", True),
    "flufl-bounce/microsoft_03.txt": ("userx@example.com", None, True),
    "flufl-bounce/simple_01.txt": ("bbbsss@example.com", None, True),
    "flufl-bounce/simple_27.txt": ("userx@example.net.py", None, True),
    "flufl-bounce/simple_30.txt": ("userx@example.com", None, True),
    # Opened a case and got an acknowledgement before:
    "flufl-bounce/bounce_02.txt": (  # a failure subject, a sender present
        "userx@example.com",
        "<mailman.0.1037840296.16399.macarthur1975@example.org>",
        True,
    ),
    "flufl-bounce/simple_15.txt": ("userx@example.be", None, True),  # MAILER-DAEMON in Return-Path
    "flufl-bounce/simple_20.txt": ("userx@example.com", None, True),  # "…: non remis"
    "flufl-bounce/simple_22.txt": ("user@example.org", None, False),  # Symantec, a warning
    "flufl-bounce/simple_35.txt": ("calvin@example.com", None, False),  # <Postmaster\@…>, warning
    "flufl-bounce/simple_36.txt": ("userx@example.com", None, True),  # <"System Administrator"@…>
    "flufl-bounce/simple_43.txt": (  # BATV-tagged sender, "Mail delivery failed"
        SOMEONE,
        "<ea184277-2081-cdae-1478-0639bb427e8c@our-domain.de>",
        True,
    ),
    # Recognised before too; kept so they stay recognised:
    "flufl-bounce/simple_38.txt": ("userx@example.com", None, True),  # Sieve reject (RFC 5429)
    "flufl-bounce/simple_45.txt": ("subscriber@earthlink.net", "<message-id@example.com>", True),
    "flufl-bounce/dsn_01.txt": (
        "userx@sims-ms-daemon",
        "<F1218V8zDv60gxapzha000001ae@hotmail.com>",
        True,
    ),
    "flufl-bounce/postfix_01.txt": ("xxxxx@local.ie", None, True),
    "flufl-bounce/qmail_01.txt": ("userx@example.de", None, True),
    "flufl-bounce/exim_01.txt": (
        "userx@its.example.nl",
        "<19990920022322.A19735@stereo.rotzorg.org>",
        True,
    ),
    "flufl-bounce/yahoo_01.txt": ("userx@example.com", None, True),
    "sisimai/lhost-x6-01.eml": (  # "Auto-Submitted: auto-replied" on a bounce, no sender
        SOMEONE,
        "<68b329da9893e34099c7d8ad5cb9c940@x6.example.co.jp>",
        True,
    ),
    "sisimai/lhost-mcafee-04.eml": (  # From: <>, the status part in multipart/mixed
        "kijitora@example.com",
        "<000000000010.0000.1111111111111111AA0@NEKO.NYAAN>",
        True,
    ),
    "sisimai/lhost-office365-01.eml": (
        "kijitora@example.com",
        "<FFFFFFFF.EEEEEEEE@example.ed.jp>",
        True,
    ),
    "sisimai/lhost-gmail-01.eml": (
        "userunknown@example.jp",
        "<D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com>",
        True,
    ),
    "sisimai/lhost-exchange2007-01.eml": ("mikeneko@example.co.jp", None, True),
    "sisimai/lhost-postfix-01.eml": ("r@p351355.pool.example.ne.jp", None, True),
    "sisimai/rhost-franceptt-01.eml": (
        "pseudo-local-part-kijitora-nyaaan@orange.fr",
        "<20FA40A8-4F88-4453-953D-B7038769D040@example.co.jp>",
        True,
    ),
}
AUTO_REPLIES = [
    "flufl-bounce/qmail_08.txt",  # Precedence: auto_reply
    "sisimai/arf-01.eml",  # an abuse feedback report (RFC 5965)
    "sisimai/rfc3834-01.eml",
    "sisimai/rfc3834-02.eml",
    "sisimai/rfc3834-03.eml",
    "sisimai/rfc3834-04.eml",
    "written-here/welsh_bilingual_ooo.eml",  # "Ateb awtomatig / Automatic reply", no header
]
# People: file -> the text the agent must see exactly (None: just that it is filed).
PEOPLE = {
    "talon/android.eml": "Hello",  # Russian attribution "… написал:" and its quote
    "talon/thunderbird.eml": "Hello",  # bottom-posted under "On … wrote:" and the quote
    "talon/gmail.eml": "Hello",
    "talon/outlook.eml": "Hello",
    "talon/apple_mail.eml": "Hello",
    "talon/hotmail.eml": "Hello",
    "talon/comcast.eml": "Hello",  # quotes a header block flufl.bounce reads as a failure
    "flufl-bounce/groupwise_03.txt": None,  # a person's reply with documents, not a bounce
    "sisimai/lhost-sendmail-14.eml": None,  # a person forwarding a bounce to us ("Fwd: …")
}


def test_every_file_is_in_the_table():
    files = sorted(
        str(p.relative_to(MAIL))
        for p in MAIL.rglob("*")
        if p.is_file()
        and p.parent.name != "LICENSES"
        and p.name not in ("README.md",)
        and not p.name.startswith(".")
    )
    assert files == sorted([*BOUNCES, *AUTO_REPLIES, *PEOPLE])


def _deliver(entry: str, client, raw: bytes) -> None:
    if entry == "pipe":
        code, stderr = pipe(raw)
        assert code == 0, stderr
    else:
        response = mailgun_post(client, raw)
        assert response.status_code == 200, response.content[:500]


def _our_email(address: str, message_id: str, *, days_ago: float = 0) -> Message:
    resident = ResidentFactory(email=address)
    case = make_case(resident=resident)
    return Message.objects.create(
        channel=Channel.EMAIL,
        direction=Direction.OUT,
        case=case,
        resident=resident,
        kind="acknowledgement",
        recipient=address,
        provider_id=message_id,
        headers={"Message-ID": message_id},
        status=MessageStatus.SENT,
        created_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def _assert_nothing_answered(ours: Message | None, cases_before: int, outbox) -> Message:
    inbound = Message.objects.get(direction=Direction.IN)
    assert inbound.status == MessageStatus.IGNORED
    assert inbound.case is None
    assert inbound.raw
    assert Case.objects.count() == cases_before
    others = Message.objects.filter(direction=Direction.OUT)
    if ours is not None:
        others = others.exclude(pk=ours.pk)
    assert not others.exists()
    assert outbox == []
    return inbound


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("name", sorted(BOUNCES))
def test_a_real_bounce_opens_nothing_and_marks_our_email_failed(
    entry, name, mailboxes, client, outbox
):
    address, original_id, permanent = BOUNCES[name]
    ours = _our_email(address, original_id or "<20261201.ACK-0001@mk.example.org>")
    cases_before = Case.objects.count()

    _deliver(entry, client, (MAIL / name).read_bytes())

    inbound = _assert_nothing_answered(ours, cases_before, outbox)
    assert inbound.metadata["ignored"] == "bounce", inbound.metadata["reason"]
    ours.refresh_from_db()
    resident = Resident.objects.get(pk=ours.resident_id)
    if permanent:
        assert ours.status == MessageStatus.FAILED
        assert ours.last_error.startswith("Bounced")
        assert resident.email_bouncing
    else:  # a delivery warning: the email may still arrive
        assert ours.status == MessageStatus.SENT
        assert not resident.email_bouncing


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("name", AUTO_REPLIES)
def test_a_real_auto_reply_opens_nothing_and_gets_no_answer(entry, name, mailboxes, client, outbox):
    ours = _our_email("g.jones@cyngor.example.cymru", "<20261201091400.ACK-0001@mk.example.org>")
    cases_before = Case.objects.count()

    _deliver(entry, client, (MAIL / name).read_bytes())

    inbound = _assert_nothing_answered(ours, cases_before, outbox)
    assert inbound.metadata["ignored"] == "auto", inbound.metadata["reason"]
    ours.refresh_from_db()  # the Welsh one answers this email: it is not a bounce of it
    assert ours.status == MessageStatus.SENT
    assert not Resident.objects.get(pk=ours.resident_id).email_bouncing


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("name", sorted(PEOPLE))
def test_a_real_persons_message_opens_a_case_showing_only_the_new_text(
    entry, name, mailboxes, client, outbox
):
    _deliver(entry, client, (MAIL / name).read_bytes())

    inbound = Message.objects.get(direction=Direction.IN)
    assert inbound.status != MessageStatus.IGNORED, inbound.metadata
    assert inbound.case is not None
    if PEOPLE[name] is not None:
        assert inbound.body == PEOPLE[name]
    ack = Message.objects.get(direction=Direction.OUT, case=inbound.case)
    assert ack.kind == "acknowledgement" and ack.recipient == inbound.sender


def _with_trace(raw: bytes, headers: bytes, *, crlf: bool = False) -> bytes:
    message = headers + raw
    return message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") if crlf else message


def test_a_message_without_message_id_piped_and_posted_is_one_message(mailboxes, client, outbox):
    """The MTA adds its trace headers, Mailgun adds its own and CRLF line endings: the bytes
    differ, the message does not."""
    raw = corpus("no_message_id.eml")
    piped = _with_trace(
        raw,
        b"Return-Path: <no.id@example.com>\n"
        b"Delivered-To: contact@northants.example.org\n"
        b"Received: from mail.example.com (mail.example.com [192.0.2.7])\n"
        b"\tby mx.northants.example.org (Postfix) with ESMTPS id 4Q2B3C\n"
        b"\tfor <contact@northants.example.org>; Mon, 30 Nov 2026 10:02:11 +0000 (GMT)\n",
    )
    posted = _with_trace(
        raw,
        b"X-Mailgun-Incoming: Yes\n"
        b"Received: from mail.example.com (mail.example.com [192.0.2.7])\n"
        b"\tby mxa.eu.mailgun.example with ESMTP id 6565f0a3; Mon, 30 Nov 2026 10:02:12 GMT\n",
        crlf=True,
    )
    assert b"Message-ID" not in raw and b"Message-Id" not in raw

    assert pipe(piped)[0] == 0
    assert mailgun_post(client, posted).status_code == 200
    assert pipe(piped)[0] == 0  # and the MTA retrying changes nothing either

    assert Message.objects.filter(direction=Direction.IN).count() == 1
    assert Case.objects.count() == 1
    assert Message.objects.filter(direction=Direction.OUT, kind="acknowledgement").count() == 1


def test_an_out_of_office_from_the_null_sender_is_not_a_bounce(mailboxes, outbox):
    """RFC 3834 asks auto-responders to send from the null sender, as bounces are; an
    out-of-office answering our acknowledgement must not mark it failed."""
    ours = _our_email("kijitora@example.net", "<20261201.ACK-0002@mk.example.org>")
    raw = (MAIL / "sisimai/rfc3834-01.eml").read_bytes()
    raw = b"In-Reply-To: <20261201.ACK-0002@mk.example.org>\n" + raw

    assert pipe(raw, sender="")[0] == 0

    inbound = Message.objects.get(direction=Direction.IN)
    assert inbound.metadata["ignored"] == "auto"
    ours.refresh_from_db()
    assert ours.status == MessageStatus.SENT
    assert not Resident.objects.get(pk=ours.resident_id).email_bouncing


def test_a_bounce_quoting_no_message_id_marks_only_our_latest_recent_email(mailboxes, outbox):
    """Matched by the failed recipient: the latest email to it within seven days, nothing
    older, nobody else."""
    raw = (MAIL / "flufl-bounce/simple_20.txt").read_bytes()  # names userx@example.com only
    latest = _our_email("userx@example.com", "<latest@mk.example.org>", days_ago=1)
    earlier = Message.objects.create(
        channel=Channel.EMAIL,
        direction=Direction.OUT,
        case=latest.case,
        resident=latest.resident,
        kind="reply",
        recipient="userx@example.com",
        provider_id="<earlier@mk.example.org>",
        status=MessageStatus.SENT,
        created_at=timezone.now() - datetime.timedelta(days=2),
    )
    other = _our_email("someone.else@example.com", "<other@mk.example.org>")

    assert pipe(raw)[0] == 0

    for message in (latest, earlier, other):
        message.refresh_from_db()
    assert latest.status == MessageStatus.FAILED
    assert earlier.status == MessageStatus.SENT
    assert other.status == MessageStatus.SENT
    assert not Resident.objects.get(pk=other.resident_id).email_bouncing


def test_a_bounce_about_an_email_older_than_a_week_marks_nothing(mailboxes, outbox):
    raw = (MAIL / "flufl-bounce/simple_20.txt").read_bytes()
    old = _our_email("userx@example.com", "<old@mk.example.org>", days_ago=8)

    assert pipe(raw)[0] == 0

    old.refresh_from_db()
    assert old.status == MessageStatus.SENT
    assert not Resident.objects.get(pk=old.resident_id).email_bouncing
    assert Message.objects.get(direction=Direction.IN).metadata["ignored"] == "bounce"


def test_a_no_reply_sender_gets_a_case_but_no_acknowledgement(mailboxes, outbox):
    raw = (
        (MAIL / "talon/gmail.eml")
        .read_bytes()
        .replace(
            b"From: Megan One <xxx@gmail.com>", b"From: Parking system <no-reply@parking.example>"
        )
    )
    assert b"no-reply@parking.example" in raw

    assert pipe(raw)[0] == 0

    inbound = Message.objects.get(direction=Direction.IN)
    assert inbound.case is not None
    assert not Message.objects.filter(direction=Direction.OUT).exists()


def test_two_different_messages_without_message_id_stay_two(mailboxes, outbox):
    raw = corpus("no_message_id.eml")
    other = raw.replace(b"Kettering library", b"Corby library")
    assert other != raw

    assert pipe(raw)[0] == 0
    assert pipe(other)[0] == 0

    assert Message.objects.filter(direction=Direction.IN).count() == 2
