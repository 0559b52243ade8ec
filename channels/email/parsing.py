"""Read a raw RFC 5322 message the way real mail arrives: leniently.

Mail from the public is whatever their client, their server and every hop in between made of
it: wrong or missing charsets, RFC 2047 words in headers, HTML-only bodies, Apple Mail's body
split around inline images, boundaries that never close, no Message-ID, no From. Nothing here
may raise on such input — ``parse`` (raw bytes from the MTA pipe) and ``read`` (a message
django-anymail has already parsed) always return a ``ParsedEmail`` and list what they could not
understand in ``problems`` — because a message that cannot be read must still reach a triage
case with its raw original. Each message is parsed once: ``ParsedEmail`` is the neutral form
that the loop checks, threading and intake all work from.

The agent sees ``text`` (quoted history and signature trimmed); ``full_text`` keeps everything.
``html`` is *sanitised* (nh3/ammonia) but still sender-controlled: it is never shown raw on the
desk. HTML is turned into text with inscriptis, which reads it as data and runs nothing.
"""

import codecs
import email
import email.policy
import hashlib
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from email.header import Header, decode_header
from email.message import Message as MimeMessage
from email.utils import getaddresses, parseaddr

import nh3
from inscriptis import get_text
from mailparser_reply import EmailReplyParser

from services import inbound as clean

logger = logging.getLogger(__name__)

# Languages the reply parser recognises quoted-history headers and signatures in ("On … wrote:",
# "Am … schrieb", "W dniu … pisze:" …). Residents write in many more; unknown ones are kept whole.
REPLY_LANGUAGES = ["en", "pl", "de", "fr", "es", "it", "nl", "cs", "da", "sv"]

# Labels mail clients use that Python's codecs do not know, or know as a narrower set.
CHARSET_ALIASES = {
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-1": "cp1252",  # what every browser and mail client does
    "latin1": "cp1252",
    "us-ascii": "utf-8",  # 8-bit text labelled ASCII is nearly always UTF-8
    "ascii": "utf-8",
    "iso-8859-8-i": "iso-8859-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
}

# Headers kept on the message (threading, loop detection, what the desk may want to show).
KEPT_HEADERS = (
    "Message-ID",
    "In-Reply-To",
    "References",
    "Date",
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "X-Autorespond",
    "X-Auto-Response-Suppress",
    "List-Id",
    "List-Unsubscribe",
    "Return-Path",
    "Content-Type",
    "X-Failed-Recipients",
)


@dataclass
class Part:
    """An attachment (or inline image) as found in the message; not yet checked for limits."""

    filename: str
    content_type: str
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedEmail:
    message_id: str = ""
    subject: str = ""
    sender: str = ""  # lower-case address from From (or the envelope)
    sender_name: str = ""
    recipients: list[str] = field(default_factory=list)  # To and Cc, lower case
    text: str = ""  # trimmed: what the agent reads
    full_text: str = ""
    html: str = ""  # sanitised, never to be rendered raw
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[Part] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    mime: MimeMessage | None = None  # the parsed tree, for bounce and loop checks
    raw: bytes = b""  # the original as received, kept with the message (never parsed again)


def clean_text(value: str) -> str:
    """Text safe to store, normalised to NFC: ``services.inbound.text``, the one cleaning every
    channel uses (headers arrive in every composed and decomposed form, hence NFC)."""
    return clean.text(value, normalise=True)


def decode_header_value(value) -> str:
    """An RFC 2047 header as text. Raw 8-bit headers (which compat32 hands back as a ``Header``
    in "unknown-8bit") are read as UTF-8, else Windows-1252; undecodable words stay as sent."""
    if value is None:
        return ""
    try:
        chunks = decode_header(value if isinstance(value, Header) else clean_text(str(value)))
        decoded = "".join(
            decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
            for chunk, charset in chunks
        )
    except (LookupError, UnicodeError, ValueError, TypeError, AssertionError):
        decoded = str(value)
    return clean_text(" ".join(decoded.split()))


def _codec(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return "utf-8"


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes in a declared charset as text: the label first, then UTF-8, then Windows-1252."""
    for name in dict.fromkeys([_codec(charset), "utf-8"]):
        try:
            return data.decode(name)
        except (UnicodeError, LookupError):
            continue
    return data.decode("cp1252", errors="replace")


def _payload_bytes(part: MimeMessage) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken transfer encoding is the sender's, not ours
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", errors="replace")
    return b""


def _part_text(part: MimeMessage) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:  # noqa: BLE001
        charset = None
    return decode_bytes(_payload_bytes(part), charset)


def _is_attachment(part: MimeMessage) -> bool:
    disposition = (_get(part, "Content-Disposition") or "").split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    try:
        filename = part.get_filename()
    except Exception:  # noqa: BLE001 - a broken parameter is no name
        filename = None
    return bool(filename) and part.get_content_maintype() != "text"


def _safe_filename(name: str, content_type: str, index: int) -> str:
    name = decode_header_value(name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".")
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"attachment-{index}{extension}"
    return name[:200]


def html_to_text(html: str) -> str:
    """Readable text from HTML without ever executing or fetching anything in it."""
    if not html.strip():
        return ""
    try:
        text = get_text(html)
    except Exception as error:  # noqa: BLE001 - lxml refuses some junk; fall back to stripping
        logger.info("HTML to text failed, stripping tags instead: %s", error)
        text = re.sub(r"<[^>]*>", " ", nh3.clean(html, tags=set()))
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitise_html(html: str) -> str:
    """Keep formatting, drop scripts, styles, handlers, remote loads (ammonia's defaults)."""
    try:
        return nh3.clean(html, link_rel="noopener noreferrer nofollow")
    except Exception:  # noqa: BLE001
        return ""


# Attribution lines ("On … wrote:") in the languages mail-parser-reply does not know, or
# writes differently from what clients send: Android's and Yandex's Russian ("… пишет:",
# "… написал:"), Ukrainian, Welsh, Romanian, Portuguese, Norwegian/Danish/Swedish, Finnish.
ATTRIBUTION_VERBS = (
    r"wrote|writes|пишет|написала?|писал[аи]?|пише|написав|написала|ysgrifennodd|"
    r"a scris|escreveu|escribió|schrieb|a écrit|ha scritto|schreef|napisał[a]?|pisze|"
    r"skrev|kirjoitti|napsal[a]?"
)
# The attribution: one line with a digit in it (a date or time) ending in a verb and a colon,
# or two when the client wrapped it inside the name or address (Android breaks after "<"): a
# line ending in "<", '"' or "," and then the rest, without digits. Then, after at most one
# blank line, a ">"-quoted line.
_ATTRIBUTION = re.compile(
    rf"^(?P<attribution>(?![ \t]*>)(?:[^\n]*\d[^\n]*|[^\n]*\d[^\n]*[<\",][ \t]*\n"
    rf"(?![ \t]*>)[^\n\d]+)(?:{ATTRIBUTION_VERBS})\s*:)[ \t]*\n(?:[ \t]*\n)?(?=[ \t]*>)",
    re.IGNORECASE | re.MULTILINE,
)


def strip_quoted_history(text: str) -> str:
    """The text without its attributed ``>``-quoted history, wherever it stands.

    mail-parser-reply cuts at the first attribution it recognises and keeps what is above it.
    That loses nothing for top-posted replies in the languages it knows, but keeps the history
    of a reply whose attribution is in another language (Android in Russian: "02.04.2012 14:20
    пользователь … написал:") and gets bottom-posted replies backwards (Thunderbird's "On …
    wrote:" / quote / then the answer below). Here an attribution line followed by its quoted
    block is removed, and the text above and below it is kept, so both work. Unattributed
    ``>`` lines (a resident quoting a letter inline) are left alone. Written here because the
    library has no hook for either.
    """
    if ">" not in text:
        return text
    lines = text.split("\n")
    keep = [True] * len(lines)
    offsets = []
    position = 0
    for line in lines:
        offsets.append(position)
        position += len(line) + 1
    for match in _ATTRIBUTION.finditer(text):
        first = text.count("\n", 0, match.start())
        index = text.count("\n", 0, match.end())
        if not keep[first]:
            continue
        for number in range(first, index):
            keep[number] = False
        while index < len(lines) and (
            lines[index].lstrip().startswith(">") or not lines[index].strip()
        ):
            keep[index] = False
            index += 1
    remaining = "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)
    return remaining.strip() if remaining.strip() else text


def trim_reply(text: str) -> str:
    """The new part of a reply: quoted history and signature removed; the whole text if the
    parser finds nothing new (a reply that is all signature is better shown whole)."""
    if not text.strip():
        return ""
    text = strip_quoted_history(text)
    try:
        replies = EmailReplyParser(languages=REPLY_LANGUAGES).read(text).replies
    except Exception as error:  # noqa: BLE001 - never lose a message to a heuristic
        logger.info("Reply trimming failed, keeping the whole text: %s", error)
        return text.strip()
    if replies and replies[0].body.strip():
        return replies[0].body.strip()
    return text.strip()


def content_digest(parsed: "ParsedEmail") -> str:
    """A stable id for a message without a Message-ID, from what the sender wrote.

    The headers a person's client sets (From, To, Cc, Subject, Date, In-Reply-To, References),
    the text, the HTML and each attachment's bytes, whitespace normalised — never the trace
    headers (Received, Return-Path, Delivered-To, a provider's X- headers) or line endings that
    each hop adds. ``parse`` and ``read`` give the same ``ParsedEmail`` for the same message,
    so the MTA pipe and a webhook agree on it. Two messages alike in all of that, Date
    included, are one message.
    """
    digest = hashlib.sha256()

    def add(label: str, value: str | bytes) -> None:
        data = value if isinstance(value, bytes) else " ".join(value.split()).encode()
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    for name in ("From", "To", "Cc", "Subject", "Date", "In-Reply-To", "References"):
        add(name, parsed.headers.get(name, ""))
    add("text", parsed.full_text)
    add("html", parsed.html)
    for part in parsed.attachments:
        add("attachment", hashlib.sha256(part.content).digest())
    return "sha256:" + digest.hexdigest()


class _Walker:
    """Collects body text/HTML and attachments from a MIME tree, depth-first, in order."""

    MAX_DEPTH = 30
    MAX_PARTS = 500

    def __init__(self, parsed: ParsedEmail):
        self.parsed = parsed
        self.count = 0

    def walk(self, part: MimeMessage, depth: int = 0) -> tuple[str, str]:
        """Returns (plain text, html) of the body found under ``part``."""
        self.count += 1
        if depth > self.MAX_DEPTH or self.count > self.MAX_PARTS:
            self.parsed.problems.append("MIME nesting too deep or too many parts; rest kept raw")
            return "", ""
        content_type = part.get_content_type()
        if part.is_multipart():
            children = part.get_payload()
            if not isinstance(children, list):
                return "", ""
            results = [self.walk(child, depth + 1) for child in children]
            if content_type == "multipart/alternative":
                texts = [t for t, _ in results if t.strip()]
                htmls = [h for _, h in results if h.strip()]
                return (texts[0] if texts else ""), (htmls[-1] if htmls else "")
            return (
                "\n\n".join(t for t, _ in results if t.strip()),
                "\n".join(h for _, h in results if h.strip()),
            )
        if part.get_content_maintype() == "multipart":
            # Declared multipart but no part found: the boundary is wrong or never used.
            return self._recover(part, depth)
        if content_type == "message/rfc822" or content_type.startswith("message/"):
            self._attach(part, content_type, _message_bytes(part))
            return "", ""
        if not _is_attachment(part):
            if content_type == "text/plain" or (
                part.get_content_maintype() == "text" and content_type != "text/html"
            ):
                return _part_text(part), ""
            if content_type == "text/html":
                return "", _part_text(part)
        self._attach(part, content_type, _payload_bytes(part))
        return "", ""

    def _recover(self, part: MimeMessage, depth: int) -> tuple[str, str]:
        """Re-read a multipart whose declared boundary does not occur, using the first
        boundary-like line actually present; failing that, read it as plain text."""
        payload = part.get_payload()
        text = payload if isinstance(payload, str) else ""
        self.parsed.problems.append("multipart boundary not found")
        match = re.search(r"^--([^\s]{1,70})\s*$", text, re.MULTILINE)
        if match and depth < self.MAX_DEPTH:
            boundary = match.group(1).rstrip("-") or match.group(1)
            rebuilt = f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n{text}'
            inner = message_from_bytes(rebuilt.encode("utf-8", errors="surrogateescape"))
            if inner.is_multipart():
                return self.walk(inner, depth + 1)
        return clean_text(text), ""

    def _attach(self, part: MimeMessage, content_type: str, content: bytes) -> None:
        disposition = (_get(part, "Content-Disposition") or "").split(";")[0].strip().lower()
        try:
            filename = part.get_filename() or ""
        except Exception:  # noqa: BLE001
            filename = ""
        if content_type.startswith("message/") and not filename:
            filename = "forwarded-message.eml" if content_type == "message/rfc822" else ""
        index = len(self.parsed.attachments) + 1
        self.parsed.attachments.append(
            Part(
                filename=_safe_filename(filename, content_type, index),
                content_type=content_type,
                content=content,
                inline=disposition == "inline" or bool(_get(part, "Content-ID")),
                content_id=(_get(part, "Content-ID") or "").strip("<> "),
            )
        )


def _message_bytes(part: MimeMessage) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        try:
            return payload[0].as_bytes()
        except Exception:  # noqa: BLE001
            return str(payload[0]).encode("utf-8", errors="replace")
    return _payload_bytes(part)


def message_from_bytes(raw: bytes) -> MimeMessage:
    """The MIME tree under the most lenient policy (compat32 never raises while parsing)."""
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _address(value) -> tuple[str, str]:
    name, address = parseaddr(decode_header_value(value))
    return decode_header_value(name), clean_text(address).strip().lower()[:254]


def parse(raw: bytes, *, envelope_sender: str = "") -> ParsedEmail:
    """Everything the adapter needs from one raw message (the MTA pipe). Never raises."""
    try:
        mime = message_from_bytes(raw)
    except Exception as error:  # noqa: BLE001 - last resort: keep it raw, say why
        parsed = ParsedEmail(raw=raw)
        parsed.problems.append(f"Could not parse the message: {error}")
        parsed.full_text = parsed.text = clean_text(raw.decode("utf-8", errors="replace"))[:20000]
        parsed.sender = (envelope_sender or "").lower()
        return parsed
    return read(mime, raw=raw, envelope_sender=envelope_sender)


def read(mime: MimeMessage, *, raw: bytes, envelope_sender: str = "") -> ParsedEmail:
    """Everything the adapter needs from a message already parsed — by ``parse``, or by
    django-anymail (its ``AnymailInboundMessage`` is an ``email.message.EmailMessage``, so a
    webhook's message is read here as it is, never serialised and parsed a second time).

    ``raw`` is the original as received (or as near as the provider gives it), kept with the
    message and used for its id when it has no Message-ID; it is not parsed again. Works under
    either ``email`` policy (``compat32`` for the pipe, ``default`` for anymail). Never raises.
    """
    parsed = ParsedEmail(raw=raw)
    try:
        _read_into(parsed, mime, envelope_sender)
    except Exception as error:  # noqa: BLE001 - a policy's header parser raising on hostile input
        logger.warning("Could not read the message: %s", error)
        parsed.problems.append(f"Could not read the message: {error}")
        if not parsed.full_text:
            parsed.full_text = parsed.text = clean_text(raw.decode("utf-8", errors="replace"))[
                :20000
            ]
        parsed.sender = parsed.sender or (envelope_sender or "").strip().lower()
    return parsed


def _get_all(mime: MimeMessage, name: str) -> list:
    """Every value of header ``name`` as the message carries it.

    Under ``compat32`` (the pipe) that is what ``get_all`` returns. Under anymail's ``default``
    policy ``get_all`` would hand back the policy's re-rendering (dates reformatted, comments
    and quotes dropped), so the values are read as stored (``raw_items``) and decoded here, as
    for the pipe: the same message reads the same whichever way it came in.
    """
    try:
        if mime.policy is email.policy.compat32:
            return mime.get_all(name) or []
        wanted = name.lower()
        return [value for key, value in mime.raw_items() if key.lower() == wanted]
    except Exception:  # noqa: BLE001 - a header the policy cannot read is no header
        return []


def _get(mime: MimeMessage, name: str):
    values = _get_all(mime, name)
    return values[0] if values else None


def _read_into(parsed: ParsedEmail, mime: MimeMessage, envelope_sender: str) -> None:
    parsed.mime = mime
    for defect in mime.defects:
        parsed.problems.append(type(defect).__name__)

    for name in KEPT_HEADERS:
        value = _get(mime, name)
        if value is not None:
            # Threading headers keep their <ids> as sent; others are decoded for reading.
            if name in ("Message-ID", "In-Reply-To", "References"):
                parsed.headers[name] = clean_text(" ".join(str(value).split()))[:2000]
            else:
                parsed.headers[name] = decode_header_value(value)[:2000]

    message_ids = re.findall(r"<[^<>\s]+>", parsed.headers.get("Message-ID", ""))
    parsed.message_id = message_ids[0] if message_ids else parsed.headers.get("Message-ID", "")
    parsed.subject = parsed.headers.get("Subject", "")
    parsed.sender_name, parsed.sender = _address(_get(mime, "From"))
    if not parsed.sender or "@" not in parsed.sender:
        parsed.sender = (envelope_sender or "").strip().lower()
    try:
        pairs = getaddresses([str(v) for v in _get_all(mime, "To") + _get_all(mime, "Cc")])
    except Exception:  # noqa: BLE001
        pairs = []
    parsed.recipients = [clean_text(a).strip().lower() for _, a in pairs if "@" in (a or "")]

    try:
        text, html = _Walker(parsed).walk(mime)
    except Exception as error:  # noqa: BLE001
        logger.warning("Could not walk MIME parts: %s", error)
        parsed.problems.append(f"Could not read the parts: {error}")
        text, html = "", ""
        body = mime.get_payload()
        if isinstance(body, str):
            text = body
    if html.strip():
        parsed.html = sanitise_html(html)
    if not text.strip() and html.strip():
        text = html_to_text(html)
    parsed.full_text = clean_text(text.replace("\r\n", "\n")).strip()
    parsed.text = trim_reply(parsed.full_text)
