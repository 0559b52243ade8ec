"""No loops and no noise: which inbound mail is automatic, and what a bounce tells us.

An acknowledgement answered by an out-of-office answered by an acknowledgement is a mail loop;
a newsletter or a bounce opened as a case is noise in the shared queue. So automatic mail never
opens a case and is never acknowledged. It is still recorded (a ``Message`` with status
``ignored``, on no case) so nothing that arrived is lost.

``classify`` decides, in this order (each step's reason is kept on the message):

1. **Delivery reports** — a bounce, whatever else the message says: ``multipart/report`` with
   ``report-type=delivery-status`` (RFC 3464), or a report of any or no report-type that carries
   a ``message/delivery-status`` part (servers that get the report-type wrong); or
   ``X-Failed-Recipients`` (Exim).
2. **Auto-replies** (RFC 3834 ``Auto-Submitted: auto-replied``, ``X-Autoreply``,
   ``X-Autorespond``, ``Precedence: auto_reply``, out-of-office subjects). These come before the
   weaker bounce signals because RFC 3834 asks auto-responders to send from the null sender,
   like a bounce: an out-of-office must not be read as a bounce of the message it answers, or
   it would mark a resident's working address as bouncing.
3. **Bounces by their shape**: the null envelope sender or ``Return-Path: <>``; a mail-daemon
   address (``MAILER-DAEMON``, ``postmaster`` …) in ``From``, ``Sender`` or ``Return-Path``, read
   from the header as written (quoted and backslash-escaped local parts, BATV ``prvs=`` tags);
   a subject naming a delivery failure — at the start, after ``Re:``, or at the end ("…: non
   remis") but never after ``Fwd:`` (a resident forwarding a bounce to us is writing to us) —
   when the message also looks automatic (no sender, a daemon or no-reply sender, bulk or
   auto-generated) or GNU Mailman's bounce detectors (``flufl.bounce``) find failed recipients
   in it. ``flufl.bounce`` is never believed alone: its heuristics also "find" failures in a
   person's reply that quotes an ``Original Message`` header block.
4. **Everything else automatic**: ``Auto-Submitted`` of any other kind, ``Precedence:
   bulk/junk/list``, mailing lists (RFC 2369/2919), other reports (RFC 8098 read receipts, ARF
   abuse reports), mail from our own addresses (a loop).

Why not a single library: ``flufl.bounce`` (GNU Mailman's detectors, Apache-2.0, kept up)
recognises the bounce formats servers have sent over 25 years and finds the failed addresses,
and is used for that; no maintained Python library recognises auto-replies (the ones that exist
are for Ruby and JavaScript), so those rules are written here, from RFC 3834 and the headers
and subjects the big servers send.

A bounce is believed about a message we sent when it quotes that message's Message-ID (in the
report, the returned headers, ``In-Reply-To`` or ``References``), which is random and never
shown to anyone but the recipient's servers. A bounce that quotes no Message-ID at all (many
plain-text bounces do not) is matched by the failed recipient it names, to what we emailed that
address recently (``receive.bounced_messages``). A bounce quoting only ids that are not ours
marks nothing.
"""

import logging
import re
from dataclasses import dataclass, field
from email.message import Message as MimeMessage

from flufl.bounce import all_failures

from channels.email.parsing import ParsedEmail, clean_text, message_from_bytes

logger = logging.getLogger(__name__)

DAEMON_LOCALPARTS = {
    "mailer-daemon",
    "mailerdaemon",
    "mailer_daemon",
    "mail-daemon",
    "maildaemon",
    "mdaemon",
    "postmaster",
    "post_master",
    "post-master",
    "mail.delivery.system",
    "mail-delivery-system",
    "mail_delivery_system",
    "mailadmin",
    "ndr",
}
NO_REPLY_LOCALPART = re.compile(r"^(?:no|do-?not|dont)[-_.]?reply", re.IGNORECASE)

# Phrases of delivery-failure subjects in the languages servers send them in. Matched at the
# start of the subject (after Re:-style prefixes), or at its end after a separator.
_BOUNCE_PHRASES = (
    r"undeliver(?:able|ed)(?: mail| message)?|delivery (?:status )?notification|"
    r"delivery (?:failure|failed|has failed|problem|report|status)(?: notification| notice)?|"
    r"(?:permanent |temporary )?delivery failure|(?:mail )?delivery (?:warning|failed)|"
    r"mail delivery (?:failed|failure|warning|problem|system)|returned mail|"
    r"mail(?: could not be| not) delivered|message (?:could not be|not) delivered|"
    r"(?:could|can) not be delivered|failure notice|non[- ]?delivery|nondeliverable|"
    r"mail error|returned to sender|warning: could not send|"
    r"(?:there was an )?error sending your (?:mail|message)|"
    r"non remis|non distribuable|impossible de remettre|"
    r"unzustellbar|nicht zustellbar|"
    r"niedostarczalne|nie dostarczono|nie mo[żz]na dostarczy[ćc]|"
    r"no se puede entregar|no entregado|non recapitabile|onbestelbaar|"
    r"nu a putut fi livrat|n[ãa]o (?:foi )?entregue|"
    r"methwyd (?:ag? )?(?:danfon|cyflwyno)|heb ei ddanfon|"
    r"メールエラー|配信不能"
)
_REPLY_PREFIX = r"(?:(?:re|aw|sv|vs|odp|r|rif|antw)\s*:\s*)*"
BOUNCE_SUBJECT_START = re.compile(
    rf"^\s*{_REPLY_PREFIX}(?:\[[^\]]*\]\s*)?(?:{_BOUNCE_PHRASES})", re.I
)
BOUNCE_SUBJECT_END = re.compile(rf"[:\-–|/(]\s*(?:{_BOUNCE_PHRASES})\s*\)?\s*$", re.I)
FORWARDED = re.compile(r"^\s*(?:fwd?|fw|tr|wg|doorst|enc|rv|i)\s*:", re.I)

# Out-of-office subjects (only phrases a person writing to the council would not use as a
# subject: "Absent from school" is a resident's enquiry, "Automatic reply" is not): English,
# Welsh (Welsh public bodies answer bilingually, "Ateb awtomatig / Automatic reply"), Polish,
# Romanian, Portuguese, Urdu (the languages we speak) and the languages of common mail servers
# (German, French, Spanish, Italian, Dutch, Nordic, Japanese).
_AUTO_REPLY_PHRASES = (
    r"out of (?:the )?office|automatic reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|"
    r"away from (?:the )?office|vacation reply|"
    r"ateb awtomatig|neges awtomatig|ymateb awtomatig|allan o'?r swyddfa|"
    r"i ffwrdd o'?r swyddfa|oddi allan i'?r swyddfa|"
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
)
# At the start (after Re:/AW:… and a [tag]), or after a separator: a bilingual subject puts one
# language after the other ("Ateb awtomatig / Automatic reply", "Réponse automatique | …").
AUTO_REPLY_SUBJECTS = re.compile(
    rf"(?:^\s*(?:(?:re|aw|sv|vs|odp|r|rif|antw|wg)\s*:\s*)*(?:\[[^\]]*\]\s*)?|\s[/|–-]\s*)"
    rf"(?:{_AUTO_REPLY_PHRASES})",
    re.IGNORECASE,
)
LIST_PRECEDENCE = {"bulk", "junk", "list"}
AUTO_REPLY_HEADERS = ("x-autoreply", "x-autorespond")


@dataclass
class Verdict:
    """What ``classify`` made of a message: ``kind`` is "bounce", "auto" or "" (a person)."""

    kind: str = ""
    reason: str = ""


@dataclass
class Bounce:
    """What a delivery status notification says about one of our messages."""

    original_ids: list[str] = field(default_factory=list)
    failed_recipients: list[str] = field(default_factory=list)
    status: str = ""  # e.g. "5.1.1"
    diagnostic: str = ""
    permanent: bool = True


def _unescape(value: str) -> str:
    return value.replace("\\", "").replace('"', "").strip()


def localparts(value: str) -> list[str]:
    """Every local part of the addresses in a header as written, lower case, unquoted and
    unescaped: ``<Postmaster\\@example.com@host>`` gives "postmaster" (which ``parseaddr``
    cannot read), ``prvs=1267=ndr@host`` (BATV) gives "ndr"."""
    found = []
    for match in re.finditer(r'((?:[^\s<>,;:()\[\]@"\\]|\\.)+|"[^"]*")@', value or ""):
        # An escaped "@" stays in the local part: "Postmaster\@example.com" is a gateway's
        # wrapping of postmaster@example.com, so the part before it counts.
        local = _unescape(match.group(1)).lower().split("@", 1)[0]
        local = re.sub(r"^(?:prvs|btv1|msprvs1)=[^=]*=", "", local)
        if local:
            found.append(local)
    return found


def _header(parsed: ParsedEmail, name: str) -> str:
    return parsed.headers.get(name, "") or ""


def _raw_header(parsed: ParsedEmail, name: str) -> str:
    """A header straight from the MIME tree (``Sender`` is not among the kept headers)."""
    if parsed.mime is None:
        return ""
    try:
        return str(parsed.mime.get(name) or "")
    except Exception:  # noqa: BLE001 - a header the policy cannot read is no header
        return ""


def daemon_sender(parsed: ParsedEmail) -> str:
    """The header naming a mail daemon as the sender, or ""."""
    for name in ("From", "Sender", "Return-Path"):
        value = _header(parsed, name) if name != "Sender" else _raw_header(parsed, name)
        if name == "From" and parsed.sender:
            value = f"{value} {parsed.sender}"
        if any(local in DAEMON_LOCALPARTS for local in localparts(value)):
            return name
        if name == "Return-Path" and _unescape(value).strip("<> ").lower() in DAEMON_LOCALPARTS:
            return name  # "Return-Path: <MAILER-DAEMON>" with no domain at all
    return ""


def unanswerable(address: str) -> bool:
    """An address nobody reads answers at: a no-reply or mail-daemon address."""
    local = (address or "").split("@", 1)[0].lower()
    return bool(NO_REPLY_LOCALPART.match(local)) or local in DAEMON_LOCALPARTS


def _null_sender(parsed: ParsedEmail, envelope_sender: str | None) -> str:
    if envelope_sender is not None and envelope_sender.strip() in ("", "<>"):
        return "null envelope sender"
    if _header(parsed, "Return-Path").replace(" ", "") == "<>":
        return "null return path"
    return ""


def _top_parts(mime: MimeMessage):
    """The parts of a message, not looking inside attached messages (a resident forwarding a
    bounce as an attachment is not sending one)."""
    stack = [mime]
    count = 0
    while stack and count < 200:
        part = stack.pop()
        count += 1
        yield part
        if part.is_multipart() and not part.get_content_type().startswith("message/"):
            payload = part.get_payload()
            if isinstance(payload, list):
                stack.extend(reversed(payload))


def delivery_report(parsed: ParsedEmail) -> str:
    """Why this is an RFC 3464 delivery report (standard or not), or ""."""
    mime = parsed.mime
    if mime is None:
        return ""
    try:
        if mime.get_content_type() == "multipart/report":
            report = str(mime.get_param("report-type") or "").strip().lower()
            if report == "delivery-status":
                return "delivery status notification"
        for part in _top_parts(mime):
            if part.get_content_type() in (
                "message/delivery-status",
                "message/global-delivery-status",
            ):
                return "delivery status report"
    except Exception:  # noqa: BLE001 - a broken MIME tree is not a report
        return ""
    return ""


def bounced_addresses(parsed: ParsedEmail) -> tuple[set[str], set[str]]:
    """(temporary, permanent) failed addresses found by flufl.bounce's detectors; empty sets
    when it finds none or fails on the message (its detectors are heuristics over hostile
    input, and a failure of theirs must not lose the message)."""
    if parsed.mime is None:
        return set(), set()
    try:
        temporary, permanent = all_failures(parsed.mime)
    except Exception as error:  # noqa: BLE001
        logger.info("flufl.bounce could not read the message: %s", error)
        return set(), set()

    def text(addresses) -> set[str]:
        result = set()
        for address in addresses:
            if isinstance(address, bytes):
                address = address.decode("utf-8", errors="replace")
            address = clean_text(str(address)).strip().strip("<>").lower()
            if "@" in address and len(address) <= 254:
                result.add(address)
        return result

    return text(temporary), text(permanent)


def bounce_subject(subject: str) -> bool:
    """The subject names a delivery failure (and is not a person forwarding one)."""
    subject = subject or ""
    if FORWARDED.match(subject):
        return False
    return bool(BOUNCE_SUBJECT_START.match(subject) or BOUNCE_SUBJECT_END.search(subject))


def _looks_automatic(parsed: ParsedEmail) -> str:
    """Signs a message was written by a program, short of saying what kind."""
    headers = {k.lower(): v.strip().lower() for k, v in parsed.headers.items()}
    if not parsed.sender or "@" not in parsed.sender:
        return "no sender"
    if daemon_sender(parsed):
        return "a mail daemon sender"
    if NO_REPLY_LOCALPART.match(parsed.sender.split("@", 1)[0]):
        return "a no-reply sender"
    if headers.get("precedence", "") in LIST_PRECEDENCE | {"auto_reply"}:
        return f"Precedence: {headers['precedence']}"
    auto = headers.get("auto-submitted", "")
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if "list-id" in headers or "list-unsubscribe" in headers:
        return "mailing list"
    return ""


def auto_reply(parsed: ParsedEmail) -> str:
    """Why this is an auto-reply (an out-of-office, a vacation notice), or ""."""
    headers = {k.lower(): v.strip().lower() for k, v in parsed.headers.items()}
    auto = headers.get("auto-submitted", "")
    if auto.startswith("auto-replied") and "rejected" not in auto:
        # "auto-replied (rejected)" is a Sieve reject (RFC 5429): a refusal, i.e. a bounce.
        return f"Auto-Submitted: {auto}"
    for name in AUTO_REPLY_HEADERS:
        if name in headers:
            return f"{name} header"
    if headers.get("precedence", "") == "auto_reply":
        return "Precedence: auto_reply"
    if AUTO_REPLY_SUBJECTS.search(parsed.subject or ""):
        return "out-of-office subject"
    return ""


def _bounce_said_auto_reply(parsed: ParsedEmail) -> bool:
    """A bounce that calls itself an auto-reply (some servers send bounces with
    ``Auto-Submitted: auto-replied``): a delivery-failure subject, and no sender or failed
    recipients found in it. An out-of-office has neither."""
    if not bounce_subject(parsed.subject):
        return False
    if not parsed.sender or "@" not in parsed.sender:
        return True
    temporary, permanent = bounced_addresses(parsed)
    return bool(temporary or permanent)


def bounce_reason(parsed: ParsedEmail, envelope_sender: str | None) -> str:
    """Why this is a bounce, or "" if it is not (auto-replies are not: see ``classify``)."""
    report = delivery_report(parsed)
    if report:
        return f"{report} (bounce)"
    if parsed.headers.get("X-Failed-Recipients"):
        return "X-Failed-Recipients (bounce)"
    daemon = daemon_sender(parsed)
    if daemon in ("From", "Sender"):
        return f"sent by a mail daemon ({daemon}) (bounce)"
    if auto_reply(parsed) and not _bounce_said_auto_reply(parsed):
        return ""
    null = _null_sender(parsed, envelope_sender)
    if null:
        return f"{null} (bounce)"
    if daemon:
        return f"sent by a mail daemon ({daemon}) (bounce)"
    if bounce_subject(parsed.subject):
        automatic = _looks_automatic(parsed)
        if automatic:
            return f"bounce subject from {automatic}"
        temporary, permanent = bounced_addresses(parsed)
        if temporary or permanent:
            return "bounce subject, failed recipients found (bounce)"
    return ""


def auto_reply_reason(parsed: ParsedEmail, our_addresses: set[str]) -> str:
    """Why this is automatic or bulk mail we must not answer, or "" for a person's message."""
    reason = auto_reply(parsed)
    if reason:
        return reason
    headers = {k.lower(): v.strip().lower() for k, v in parsed.headers.items()}
    auto = headers.get("auto-submitted", "")
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    if headers.get("precedence", "") in LIST_PRECEDENCE:
        return f"Precedence: {headers['precedence']}"
    if "list-id" in headers or "list-unsubscribe" in headers:
        return "mailing list"
    mime = parsed.mime
    if mime is not None and mime.get_content_type() == "multipart/report":
        return f"report ({mime.get_param('report-type') or 'unknown'})"
    if parsed.sender and parsed.sender in our_addresses:
        return "sent from one of our own addresses (loop)"
    return ""


def classify(parsed: ParsedEmail, envelope_sender: str | None, our_addresses: set[str]) -> Verdict:
    """A bounce, other automatic mail, or a person's message (``kind`` "")."""
    reason = bounce_reason(parsed, envelope_sender)
    if reason:
        return Verdict("bounce", reason)
    reason = auto_reply_reason(parsed, our_addresses)
    if reason:
        return Verdict("auto", reason)
    return Verdict()


_ID = re.compile(r"<[^<>\s]{3,250}>")


def _find_ids(headers_text: str) -> list[str]:
    match = re.search(r"^message-id:\s*(.+)$", headers_text, re.IGNORECASE | re.MULTILINE)
    return _ID.findall(match.group(1)) if match else []


def read_bounce(parsed: ParsedEmail, raw: bytes) -> Bounce:
    """The original Message-IDs, failed recipients and status a bounce reports.

    Reads the RFC 3464 parts when present (Postfix, Exchange, Gmail); falls back to looking for
    a quoted ``Message-ID:`` line anywhere after the first part for servers that send plain
    text bounces. Failed recipients come from the report, ``X-Failed-Recipients`` and, when
    neither names any, flufl.bounce's detectors (which read the non-standard formats); a
    bounce whose only failures are temporary (flufl's warnings, 4.x.x) is not permanent.
    """
    bounce = Bounce()
    mime = parsed.mime
    read_status = False
    if mime is not None and mime.is_multipart():
        for part in mime.walk():
            content_type = part.get_content_type()
            if content_type in ("message/delivery-status", "message/global-delivery-status"):
                read_status = _read_status(part, bounce) or read_status
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
    if not read_status and not bounce.failed_recipients:
        temporary, permanent = bounced_addresses(parsed)
        bounce.failed_recipients += sorted(permanent)
        if temporary and not permanent:
            bounce.permanent = False
    bounce.original_ids = list(dict.fromkeys(bounce.original_ids))
    bounce.failed_recipients = list(dict.fromkeys(bounce.failed_recipients))
    return bounce


def _find_ids_all(text: str) -> list[str]:
    return [
        found
        for match in re.finditer(r"^message-id:\s*(.+)$", text, re.IGNORECASE | re.MULTILINE)
        for found in _ID.findall(match.group(1))
    ]


def _read_status(part: MimeMessage, bounce: Bounce) -> bool:
    """Per-recipient fields of a ``message/delivery-status`` part; True if it had any."""
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
    return permanent is not None
