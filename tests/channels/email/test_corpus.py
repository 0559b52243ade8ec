"""Real-world message shapes through both entry points: where does each one end up?

Every file in ``corpus/`` is fed to ``manage.py receive_email`` and to the signed Mailgun
inbound webhook; the table says what a person would notice: a case (for which council, with
which text and documents) and an acknowledgement, or nothing but an ignored record.
"""

import pytest

from services.models import (
    Attachment,
    Case,
    Channel,
    Direction,
    EventKind,
    Message,
    MessageStatus,
    Resident,
    TimelineEvent,
)
from tests.channels.email.conftest import CORPUS, corpus, mailgun_post, pipe
from tests.factories import ResidentFactory, make_case

CASE = "case"
IGNORED = "ignored"
BOUNCE = "bounce"

# file: (outcome, council, text the agent sees, text trimmed away, documents kept, refused)
EXPECTED = {
    "outlook_reply.eml": (CASE, "MKC", "green bin was still not collected", "QUOTED-HISTORY", 0, 0),
    "gmail_reply.eml": (CASE, "NCC", "much bigger – a car tyre", "QUOTED-HISTORY", 0, 0),
    "apple_mail_reply.eml": (CASE, "MKC", "photo of the letter", "QUOTED-HISTORY", 1, 0),
    "thunderbird_reply.eml": (CASE, "MKC", "moved to the new", "QUOTED-HISTORY", 0, 0),
    "html_only.eml": (CASE, "MKC", "Avebury Boulevard has been out", "alert(", 0, 0),
    "windows1252.eml": (CASE, "MKC", "I paid £50 for the café licence – please", "", 0, 0),
    "polish_iso88592.eml": (CASE, "NCC", "żółty pojemnik nie został opróżniony", "", 0, 0),
    "shift_jis.eml": (CASE, "MKC", "ごみの収集について質問があります", "", 0, 0),
    "rfc2047_subject.eml": (CASE, "MKC", "preciso de informação", "", 0, 0),
    "nested_multipart.eml": (CASE, "MKC", "Please find my objection", "", 2, 1),
    "malformed_boundary.eml": (CASE, "MKC", "loud music every night", "", 1, 0),
    "no_message_id.eml": (CASE, "NCC", "Kettering library", "", 0, 0),
    "no_from.eml": (CASE, "MKC", "pile of mattresses", "", 0, 0),
    "garbage.eml": (CASE, None, "binary junk", "", 0, 0),
    "fax_gateway.eml": (CASE, "MKC", "3 page fax", "", 1, 0),
    "ooo_exchange.eml": (IGNORED, None, "", "", 0, 0),
    "ooo_gmail.eml": (IGNORED, None, "", "", 0, 0),
    "ooo_postfix_vacation.eml": (IGNORED, None, "", "", 0, 0),
    "ooo_polish_subject.eml": (IGNORED, None, "", "", 0, 0),
    "mailing_list.eml": (IGNORED, None, "", "", 0, 0),
    "read_receipt.eml": (IGNORED, None, "", "", 0, 0),
    "dsn_postfix.eml": (BOUNCE, None, "", "", 0, 0),
    "dsn_exchange.eml": (BOUNCE, None, "", "", 0, 0),
}
# Who our bounced acknowledgement went to, and its Message-ID, per DSN in the corpus.
BOUNCED = {
    "dsn_postfix.eml": ("gone@example.com", "<OUR-ACK-POSTFIX@mk.example.org>"),
    "dsn_exchange.eml": ("left@company.example", "<OUR-ACK-EXCHANGE@mk.example.org>"),
}
ENTRY_POINTS = ["pipe", "webhook"]


def test_corpus_is_covered():
    assert sorted(p.name for p in CORPUS.glob("*.eml")) == sorted(EXPECTED)


def _deliver(entry, client, name, raw):
    # A bounce arrives with the null envelope sender; the MTA passes the mailbox written to.
    sender = "" if name.startswith("dsn_") else None
    if entry == "pipe":
        code, stderr = pipe(raw, sender=sender)
        assert code == 0, stderr
    else:
        response = mailgun_post(client, raw, sender=sender)
        assert response.status_code == 200, response.content


def _our_sent_message(address, message_id):
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
        created_at=case.created_at,
    )


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_where_each_message_ends_up(entry, name, mailboxes, client, outbox):
    outcome, council, sees, trimmed, kept, refused = EXPECTED[name]
    raw = corpus(name)
    sent = _our_sent_message(*BOUNCED[name]) if name in BOUNCED else None
    cases_before = Case.objects.count()

    _deliver(entry, client, name, raw)

    inbound = Message.objects.get(direction=Direction.IN)
    assert inbound.raw  # the original is always kept
    if outcome in (IGNORED, BOUNCE):
        assert inbound.status == MessageStatus.IGNORED
        assert inbound.case is None
        assert Case.objects.count() == cases_before
        assert (
            not Message.objects.filter(direction=Direction.OUT)
            .exclude(pk=getattr(sent, "pk", None))
            .exists()
        )
        assert outbox == []
        if sent is not None:
            sent.refresh_from_db()
            assert sent.status == MessageStatus.FAILED
            assert "5.1." in sent.last_error
            assert Resident.objects.get(pk=sent.resident_id).email_bouncing
            assert TimelineEvent.objects.filter(case=sent.case, kind=EventKind.DELIVERY).exists()
        return

    case = inbound.case
    assert case is not None and Case.objects.count() == cases_before + 1
    if council:
        assert case.responsible_council.code == council
    else:
        assert case.service.slug == "general-enquiry"
    non_utf8 = entry == "webhook" and not _is_utf8(raw)
    if not non_utf8:  # a form field cannot carry raw 8-bit bytes in another charset
        assert sees in inbound.body
    if trimmed:
        assert trimmed not in inbound.body
    assert Attachment.objects.filter(message=inbound).count() == kept
    assert len(inbound.metadata.get("refused_attachments", [])) == refused
    if refused:
        note = TimelineEvent.objects.get(case=case, kind=EventKind.NOTE)
        assert "invoice.exe" in note.body
    assert TimelineEvent.objects.filter(
        case=case, kind=EventKind.MESSAGE_IN, message=inbound
    ).exists()
    if name == "fax_gateway.eml":
        assert inbound.channel == Channel.FAX and case.origin_channel == Channel.FAX
        assert case.summary == "Fax from +44 1908 252000"
        assert Attachment.objects.get(case=case).content_type == "image/tiff"
        assert outbox == []  # a fax gateway cannot pass an acknowledgement on
    elif inbound.sender:
        assert inbound.channel == Channel.EMAIL
        ack = Message.objects.get(direction=Direction.OUT, case=case)
        assert ack.kind == "acknowledgement" and ack.recipient == inbound.sender
        assert case.display_reference in ack.subject
    else:  # no From: filed for triage, nobody to acknowledge
        assert not Message.objects.filter(
            direction=Direction.OUT, status=MessageStatus.QUEUED
        ).exists()


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_html_only_mail_is_stored_sanitised(mailboxes):
    assert pipe(corpus("html_only.eml"))[0] == 0
    message = Message.objects.get(direction=Direction.IN)
    assert "Avebury Boulevard" in message.html_body
    for hostile in ("<script", "onload", "javascript:", "<style"):
        assert hostile not in message.html_body.lower()
    assert "alert" not in message.body


def test_a_mailbox_for_one_service_routes_to_it(mailboxes):
    raw = corpus("no_message_id.eml").replace(
        b"contact@northants.example.org", b"bins@mk.example.org"
    )
    assert pipe(raw)[0] == 0
    case = Message.objects.get(direction=Direction.IN).case
    assert case.service.slug == "mk-missed-bin"


def test_the_envelope_recipient_wins_over_the_to_header(mailboxes):
    assert pipe(corpus("no_message_id.eml"), recipient="bins@mk.example.org")[0] == 0
    assert Message.objects.get(direction=Direction.IN).case.service.slug == "mk-missed-bin"


def test_a_delayed_delivery_report_marks_nothing(mailboxes):
    sent = _our_sent_message("gone@example.com", "<OUR-ACK-POSTFIX@mk.example.org>")
    raw = (
        corpus("dsn_postfix.eml")
        .replace(b"Action: failed", b"Action: delayed")
        .replace(b"Status: 5.1.1", b"Status: 4.4.1")
    )
    assert pipe(raw, sender="")[0] == 0
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT
    assert not Resident.objects.get(pk=sent.resident_id).email_bouncing


def test_a_forged_bounce_without_our_message_id_marks_no_one(mailboxes):
    resident = ResidentFactory(email="gone@example.com")
    raw = corpus("dsn_postfix.eml").replace(b"<OUR-ACK-POSTFIX@mk.example.org>", b"<guessed@x>")
    assert pipe(raw, sender="")[0] == 0
    resident.refresh_from_db()
    assert not resident.email_bouncing
