"""No loops and no noise: which inbound mail is automatic, and what a bounce tells us.

An acknowledgement answered by an out-of-office answered by an acknowledgement is a mail loop;
a newsletter or a bounce opened as a case is noise in the shared queue. So automatic mail never
opens a case and is never acknowledged. It is still recorded (a ``Message`` with status
``ignored``, on no case) so nothing that arrived is lost.

Signals used, strongest first: RFC 3834 ``Auto-Submitted``; the de-facto ``X-Autoreply`` /
``X-Autorespond`` headers; ``Precedence: bulk/junk/list``; mailing-list headers (RFC 2369/2919);
null or daemon senders and ``multipart/report`` (RFC 3464 delivery status, RFC 8098 read
receipts); then, as a heuristic for servers that set none of those, out-of-office subjects in
the languages residents write in.

A bounce (DSN) is only believed about a message we sent when it quotes that message's
Message-ID, which is random and never shown to anyone but the recipient's servers: a forged
"bounce" cannot mark a resident's address as bouncing.
"""

import re
from dataclasses import dataclass, field
from email.message import Message as MimeMessage

from channels.email.parsing import ParsedEmail, clean_text, message_from_bytes

DAEMON_LOCALPARTS = {"mailer-daemon", "postmaster", "mail-daemon", "maildaemon"}
BOUNCE_SUBJECTS = re.compile(
    r"^\s*(undeliver(able|ed)|delivery (status notification|failure|has failed)|"
    r"returned mail|mail delivery failed|failure notice|non[- ]?remis|"
    r"unzustellbar|niedostarczalne|nie dostarczono)",
    re.IGNORECASE,
)
# Out-of-office subjects (only phrases a person writing to the council would not use as a
# subject: "Absent from school" is a resident's enquiry, "Automatic reply" is not): English, Polish, Romanian, Portuguese, Urdu (the languages we speak)
# and the languages of common mail servers (German, French, Spanish, Italian, Dutch, Nordic).
AUTO_REPLY_SUBJECTS = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|odp|r|rif|antw|wg)\s*:\s*)*(?:\[[^\]]*\]\s*)?(?:"
    r"out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|autoreply|"
    r"away from (the )?office|vacation reply|"
    r"odpowied[zź] automatyczna|automatyczna odpowied[zź]|poza biurem|"
    r"r[aă]spuns automat|absent din birou|"
    r"resposta autom[aá]tica|fora do escrit[oó]rio|"
    r"خودکار جواب|دفتر سے باہر|"
    r"automatische antwort|abwesenheitsnotiz|"
    r"r[eé]ponse automatique|absence du bureau|"
    r"respuesta autom[aá]tica|fuera de la oficina|"
    r"risposta automatica|fuori sede|"
    r"automatisch antwoord|"
    r"autosvar|automaattinen vastaus|"
    r"自動返信|自動応答"
    r")",
    re.IGNORECASE,
)
LIST_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


@dataclass
class Bounce:
    """What a delivery status notification says about one of our messages."""

    original_ids: list[str] = field(default_factory=list)
    failed_recipients: list[str] = field(default_factory=list)
    status: str = ""  # e.g. "5.1.1"
    diagnostic: str = ""
    permanent: bool = True


def _localpart(address: str) -> str:
    return (address or "").split("@", 1)[0].lower()


def bounce_reason(parsed: ParsedEmail, envelope_sender: str | None) -> str:
    """Why this looks like a bounce, or "" if it does not."""
    mime = parsed.mime
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        return "null envelope sender (bounce)"
    return_path = parsed.headers.get("Return-Path", "").strip()
    if return_path in ("<>", "< >"):
        return "null return path (bounce)"
    if _localpart(parsed.sender) in DAEMON_LOCALPARTS:
        return "sent by a mail daemon (bounce)"
    if mime is not None and mime.get_content_type() == "multipart/report":
        report = (mime.get_param("report-type") or "").lower()
        if report == "delivery-status":
            return "delivery status notification (bounce)"
    if parsed.headers.get("X-Failed-Recipients"):
        return "X-Failed-Recipients (bounce)"
    if BOUNCE_SUBJECTS.match(parsed.subject) and not parsed.sender:
        return "bounce subject without a sender"
    return ""


def auto_reply_reason(parsed: ParsedEmail, our_addresses: set[str]) -> str:
    """Why this is automatic or bulk mail we must not answer, or "" for a person's message."""
    headers = {k.lower(): v.strip().lower() for k, v in parsed.headers.items()}
    auto = headers.get("auto-submitted", "")
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers:
            return f"{name} header"
    if headers.get("precedence", "") in LIST_PRECEDENCE:
        return f"Precedence: {headers['precedence']}"
    if "list-id" in headers or "list-unsubscribe" in headers:
        return "mailing list"
    mime = parsed.mime
    if mime is not None and mime.get_content_type() == "multipart/report":
        return f"report ({mime.get_param('report-type') or 'unknown'})"
    if parsed.sender and parsed.sender in our_addresses:
        return "sent from one of our own addresses (loop)"
    if AUTO_REPLY_SUBJECTS.match(parsed.subject or ""):
        return "out-of-office subject"
    return ""


_ID = re.compile(r"<[^<>\s]{3,250}>")


def _find_ids(headers_text: str) -> list[str]:
    match = re.search(r"^message-id:\s*(.+)$", headers_text, re.IGNORECASE | re.MULTILINE)
    return _ID.findall(match.group(1)) if match else []


def read_bounce(parsed: ParsedEmail, raw: bytes) -> Bounce:
    """The original Message-IDs, failed recipients and status a bounce reports.

    Reads the RFC 3464 parts when present (Postfix, Exchange, Gmail); falls back to looking for
    a quoted ``Message-ID:`` line anywhere after the first part for servers that send plain
    text bounces.
    """
    bounce = Bounce()
    mime = parsed.mime
    if mime is not None and mime.is_multipart():
        for part in mime.walk():
            content_type = part.get_content_type()
            if content_type == "message/delivery-status":
                _read_status(part, bounce)
            elif content_type in ("message/rfc822", "message/global"):
                inner = part.get_payload()
                if isinstance(inner, list) and inner:
                    bounce.original_ids += _ID.findall(str(inner[0].get("Message-ID") or ""))
            elif content_type in ("text/rfc822-headers", "message/global-headers"):
                payload = part.get_payload(decode=True) or b""
                bounce.original_ids += _find_ids(payload.decode("utf-8", errors="replace"))
    if not bounce.original_ids:
        body = raw.decode("utf-8", errors="replace")
        own = parsed.message_id
        bounce.original_ids = [i for i in _find_ids_all(body) if i != own]
    for name in ("In-Reply-To", "References"):
        bounce.original_ids += _ID.findall(parsed.headers.get(name, ""))
    failed = parsed.headers.get("X-Failed-Recipients", "")
    bounce.failed_recipients += [a.strip().lower() for a in failed.split(",") if "@" in a]
    bounce.original_ids = list(dict.fromkeys(bounce.original_ids))
    bounce.failed_recipients = list(dict.fromkeys(bounce.failed_recipients))
    return bounce


def _find_ids_all(text: str) -> list[str]:
    return [
        found
        for match in re.finditer(r"^message-id:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE)
        for found in _ID.findall(match.group(1))
    ]


def _read_status(part: MimeMessage, bounce: Bounce) -> None:
    """Per-recipient fields of a ``message/delivery-status`` part."""
    blocks = part.get_payload()
    if not isinstance(blocks, list):
        text = blocks if isinstance(blocks, str) else ""
        blocks = [message_from_bytes(chunk.encode()) for chunk in re.split(r"\n\s*\n", text)]
    permanent = None
    for block in blocks:
        action = str(block.get("Action") or "").strip().lower()
        recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
        status = str(block.get("Status") or "").strip()
        if not (action or recipient or status):
            continue
        if action and action not in ("failed", "delayed"):
            continue
        is_permanent = action == "failed" or status.startswith("5")
        permanent = is_permanent if permanent is None else (permanent or is_permanent)
        address = recipient.split(";", 1)[-1].strip().strip("<>").lower()
        if "@" in address and is_permanent:
            bounce.failed_recipients.append(clean_text(address))
        bounce.status = bounce.status or status
        diagnostic = str(block.get("Diagnostic-Code") or "")
        bounce.diagnostic = bounce.diagnostic or clean_text(" ".join(diagnostic.split()))[:500]
    if permanent is not None:
        bounce.permanent = permanent
