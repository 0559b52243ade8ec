"""Which files may go onto a case: one policy, decided by the content, for every channel.

A file's name and its declared ``Content-Type`` are whatever the sender wants them to be, so
neither decides anything: the bytes do. An ``.exe`` renamed ``.pdf`` is refused; a PDF renamed
``.exe`` is accepted as the PDF it is, and stored as ``name.pdf`` with type
``application/pdf``, so a member of staff who opens it opens a PDF. The same check runs on
resident uploads (apply online, track a case), staff uploads (desk replies, counter scans), email
attachments (a fax is an email with a TIFF or PDF attached) and pictures sent by text, and
``services.actions.attachments.attach`` runs it again before anything is stored.

What is accepted (``ACCEPTED``): PDF; JPEG, PNG, GIF, WebP, HEIC/HEIF, TIFF, BMP; Word, Excel and
PowerPoint (OLE2 and OOXML, no macros) and OpenDocument text, spreadsheets and presentations;
RTF without embedded objects; plain text, CSV, iCalendar, vCard and forwarded email; the audio and
video a phone sends by MMS (MP4, 3GPP, QuickTime, MP3, AMR, M4A). A resident's form asks only for
``RESIDENT_FORM_TYPES`` (what its hint and error message name).

What is refused whatever it is called: executables and scripts with a binary signature (Windows
PE, ELF, Mach-O, Java classes, shortcuts, installers and cabinets); HTML, SVG and XML, and any
file with script in it (``<script``, ``javascript:`` …) or markup where a browser sniffs for it
(the first 1,024 bytes), which catches polyglots such as a GIF that is also a web page; a file
that is also a zip archive (a picture or PDF with a JAR appended); archives that are not office
documents, office documents with macros, and zips whose members would expand to far more than
their size (a zip bomb); empty files; anything larger than ``PORTAL_UPLOAD_MAX_BYTES`` (a channel
with its own documented limit, such as email's ``PORTAL_EMAIL_MAX_ATTACHMENT_BYTES``, passes it);
and anything not recognised.

Text has no magic number, so text is what is left: bytes that decode as UTF-8 (or UTF-16 with a
byte-order mark, or Windows-1252) with no NUL and hardly any control characters, and no markup.
It is stored as ``text/plain`` (``.txt``) whatever it was called, so a ``.bat`` or ``.js``
arrives as text a viewer shows and never runs; only its flavour (CSV, calendar, vCard, email)
comes from its first line or, for CSV, the name it was sent with.
"""

import io
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from hashlib import sha256
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

PDF = "application/pdf"
RTF = "application/rtf"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
WEBP = "image/webp"
HEIC = "image/heic"
HEIF = "image/heif"
TIFF = "image/tiff"
BMP = "image/bmp"
TEXT = "text/plain"
CSV = "text/csv"
CALENDAR = "text/calendar"
VCARD = "text/vcard"
EMAIL = "message/rfc822"
MP4 = "video/mp4"
THREE_GP = "video/3gpp"
QUICKTIME = "video/quicktime"
MP3 = "audio/mpeg"
M4A = "audio/mp4"
AMR = "audio/amr"
WAV = "audio/wav"

# Every type accepted, with the extension a stored file of that type is given.
ACCEPTED: dict[str, str] = {
    PDF: "pdf",
    RTF: "rtf",
    DOC: "doc",
    XLS: "xls",
    PPT: "ppt",
    DOCX: "docx",
    XLSX: "xlsx",
    PPTX: "pptx",
    ODT: "odt",
    ODS: "ods",
    ODP: "odp",
    JPEG: "jpg",
    PNG: "png",
    GIF: "gif",
    WEBP: "webp",
    HEIC: "heic",
    HEIF: "heif",
    TIFF: "tif",
    BMP: "bmp",
    TEXT: "txt",
    CSV: "csv",
    CALENDAR: "ics",
    VCARD: "vcf",
    EMAIL: "eml",
    MP4: "mp4",
    THREE_GP: "3gp",
    QUICKTIME: "mov",
    MP3: "mp3",
    M4A: "m4a",
    AMR: "amr",
    WAV: "wav",
}
# What the residents' forms (apply online, reply on the tracking page) ask for.
RESIDENT_FORM_TYPES: frozenset[str] = frozenset({PDF, JPEG, PNG, HEIC, WEBP})

# What the telephone prompts may be recorded as: what Twilio's <Play> plays.
PROMPT_AUDIO_TYPES: frozenset[str] = frozenset({MP3, WAV})

_RESIDENT_TYPE_MESSAGE = _("The selected file must be a PDF, JPG, PNG, HEIC or WEBP.")

_FILETYPE_ALIASES = {"image/apng": PNG, "video/x-m4v": MP4, "audio/x-wav": WAV}

# Binary signatures of programs: refused before anything else is considered.
_EXECUTABLE = (
    b"MZ",  # Windows PE (.exe, .dll, .scr, .com …)
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary, Java class
    b"#!",  # a script for a Unix shell or interpreter
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut (.lnk)
    b"MSCF",  # Windows cabinet
    b"\x00asm",  # WebAssembly
    b"FWS",  # Flash
    b"CWS",
    b"ZWS",
)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
# Script or active content, anywhere in any file (long enough never to occur by chance).
_ACTIVE = re.compile(
    rb"<\s*script|<\s*iframe|<\s*object[\s>]|<\s*embed[\s>]|<\?php|javascript\s*:|vbscript\s*:",
    re.IGNORECASE,
)
# Markup where a browser looks to decide whether something is a web page (not XML: photos and
# PDFs carry XMP metadata, which is XML).
_MARKUP = re.compile(
    rb"<\s*(?:html|head|body|svg|!doctype|title|iframe|meta|style|base)[\s>/]", re.IGNORECASE
)
SNIFF_WINDOW = 1024
# Zips: how many members and how much expansion an office document may plausibly have.
MAX_ZIP_MEMBERS = 5000
MAX_ZIP_RATIO = 200
MAX_ZIP_EXPANDED = 1024 * 1024 * 1024
# Text: the share of control characters (other than tab, line breaks, form feed) tolerated.
MAX_CONTROL_SHARE = 0.01
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,76}:[ \t]")
_MESSAGE_HEADERS = {
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"received",
    b"mime-version",
}


def max_bytes() -> int:
    """The size limit for a file on a case (``PORTAL_UPLOAD_MAX_BYTES``)."""
    return int(getattr(settings, "PORTAL_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


class Refused(ValidationError):
    """The file may not go onto a case. ``code`` is "empty", "too_big" or "type".

    A ``ValidationError`` worded for a resident's form (GOV.UK's "The selected file …"), so a
    form field can let it through; ``detail`` says in English, for logs and staff, what the file
    was found to be. Channels with their own wording (email's refusal note, the desk's message
    naming the file) choose it by ``code``.
    """

    def __init__(self, code: str, detail: str = "", *, limit: int | None = None, message=None):
        self.detail = detail or code
        self.limit = limit
        params = None
        if code == "too_big":
            params = {"size": filesizeformat(limit or max_bytes())}
        if message is None:
            message = {
                "empty": _("The selected file is empty."),
                "too_big": _("The selected file must be smaller than %(size)s."),
            }.get(code, _("The selected file is not a type of file we accept."))
        super().__init__(message, code=code, params=params)


@dataclass(frozen=True)
class Accepted:
    """A file the policy accepted: its bytes, the type they are, and a name to store it under
    (the sender's name with the extension of what the content is)."""

    content: bytes
    content_type: str
    filename: str

    @property
    def size(self) -> int:
        return len(self.content)

    @cached_property
    def sha256(self) -> str:
        return sha256(self.content).hexdigest()


def check(
    content: bytes,
    filename: str = "",
    *,
    accept: Collection[str] = ACCEPTED,
    limit: int | None = None,
) -> Accepted:
    """The one policy: ``content`` as an ``Accepted`` file, or ``Refused``.

    ``filename`` is only the name to keep (its extension is replaced by the content's) and, for
    text, whether it is CSV; ``accept`` narrows the types (a form that asks for a photo or a
    PDF); ``limit`` replaces ``PORTAL_UPLOAD_MAX_BYTES`` for a channel with its own setting.
    """
    if not content:
        raise Refused("empty", "the file is empty")
    limit = max_bytes() if limit is None else limit
    if len(content) > limit:
        raise Refused("too_big", f"{len(content)} bytes; the limit is {limit}", limit=limit)
    narrow = frozenset(accept) <= RESIDENT_FORM_TYPES
    try:
        content_type = identify(content, filename)
        if content_type not in accept:
            raise Refused("type", f"{content_type} is not accepted here")
    except Refused as error:
        if error.code == "type" and narrow:  # the form names what it asks for
            raise Refused("type", error.detail, message=_RESIDENT_TYPE_MESSAGE) from None
        raise
    return Accepted(content, content_type, stored_name(filename, content_type))


def check_upload(
    upload, *, accept: Collection[str] = ACCEPTED, limit: int | None = None
) -> Accepted:
    """``check`` for an uploaded file, reading no more of it than the limit allows."""
    limit = max_bytes() if limit is None else limit
    if upload.size is not None and upload.size > limit:
        raise Refused("too_big", f"{upload.size} bytes; the limit is {limit}", limit=limit)
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    return check(content, upload.name or "", accept=accept, limit=limit)


def stored_name(filename: str, content_type: str) -> str:
    """The sender's file name (no path, cut to size) with the extension its content has."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().strip(".")
    stem = PurePath(name).stem.strip()[:80] if name else ""
    return f"{stem or 'document'}.{ACCEPTED[content_type]}"


def identify(content: bytes, filename: str = "") -> str:
    """What ``content`` is, as one of ``ACCEPTED``; ``Refused("type")`` if it is none of them."""
    head = content[:16]
    if head.startswith(_EXECUTABLE):
        raise Refused("type", "a program")
    if head.startswith(_ZIP):
        return _office_in_zip(content)
    if head.startswith(_OLE):
        content_type = _office_in_ole(content)
    elif head.startswith(b"{\\rtf"):
        if re.search(rb"\\objdata|\\object", content):
            raise Refused("type", "an RTF document with an embedded object")
        content_type = RTF
    else:
        content_type = _binary(content)
    if content_type is None:
        return _text(content, filename)
    _no_active_content(content)
    if _is_zip(content):
        raise Refused("type", f"{content_type} with a zip archive inside (a polyglot)")
    return content_type


def _binary(content: bytes) -> str | None:
    """The media and PDF types ``filetype`` reads from magic numbers; None for no match."""
    kind = filetype.guess(content)
    if kind is None:
        return _heif(content)
    mime = _FILETYPE_ALIASES.get(kind.mime, kind.mime)
    if mime == BMP and not _is_bmp(content):
        return None  # "BM" is also how a line of text may begin
    if mime not in ACCEPTED:
        raise Refused("type", f"{kind.mime} is not accepted")
    if mime == THREE_GP or (mime == MP4 and content[8:11] == b"3gp"):
        return THREE_GP
    return mime


def _heif(content: bytes) -> str | None:
    """HEIF still images filetype does not name (brands other than "heic")."""
    if content[4:8] == b"ftyp" and content[8:12] in (b"mif1", b"msf1", b"heix", b"hevc", b"heim"):
        return HEIF
    return None


def _is_bmp(content: bytes) -> bool:
    header = int.from_bytes(content[14:18], "little") if len(content) >= 26 else 0
    return header in (12, 40, 52, 56, 64, 108, 124)


def _is_zip(content: bytes) -> bool:
    try:
        return zipfile.is_zipfile(io.BytesIO(content))
    except Exception:  # noqa: BLE001 - a malformed end record is not a zip
        return False


def _no_active_content(content: bytes) -> None:
    if _ACTIVE.search(content):
        raise Refused("type", "script inside the file")
    if _MARKUP.search(content[:SNIFF_WINDOW]):
        raise Refused("type", "markup a browser would read as a web page")


def _office_in_zip(content: bytes) -> str:
    """An OOXML or OpenDocument file, from its members; any other zip is refused."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise Refused("type", "a zip with too many members")
        expanded = sum(member.file_size for member in members)
        if expanded > MAX_ZIP_EXPANDED or expanded > MAX_ZIP_RATIO * len(content):
            raise Refused("type", "a zip that expands far beyond its size (a zip bomb)")
        names = {member.filename for member in members}
        if any(name.lower().endswith("vbaproject.bin") for name in names) or any(
            name.startswith(("Basic/", "Scripts/")) for name in names
        ):
            raise Refused("type", "an office document with macros")
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:100].strip().decode("ascii", "replace")
            if mimetype in (ODT, ODS, ODP):
                return mimetype
        if "[Content_Types].xml" in names:
            with archive.open("[Content_Types].xml") as handle:
                types = handle.read(1_000_000)
            if b"macroEnabled" in types:
                raise Refused("type", "an office document with macros")
            for part, content_type in (
                ("word/document.xml", DOCX),
                ("xl/workbook.xml", XLSX),
                ("ppt/presentation.xml", PPTX),
            ):
                if part in names:
                    return content_type
    except Refused:
        raise
    except Exception as error:  # noqa: BLE001 - a broken or encrypted zip is simply refused
        raise Refused("type", f"an unreadable zip ({type(error).__name__})") from error
    raise Refused("type", "a zip archive")


def _office_in_ole(content: bytes) -> str:
    """A Word, Excel or PowerPoint 97-2003 file, by its streams; an installer (.msi) or any
    other compound file is refused, and so is a document with a macro project."""
    if "_VBA_PROJECT".encode("utf-16-le") in content or "Macros".encode("utf-16-le") in content:
        raise Refused("type", "an office document with macros")
    for stream, content_type in (
        ("WordDocument", DOC),
        ("Workbook", XLS),
        ("Book", XLS),
        ("PowerPoint Document", PPT),
    ):
        if stream.encode("utf-16-le") in content:
            return content_type
    raise Refused("type", "a compound file that is not a Word, Excel or PowerPoint document")


def _decode_text(content: bytes) -> str | None:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in content:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _text(content: bytes, filename: str) -> str:
    text = _decode_text(content)
    if text is None:
        raise Refused("type", "not a file type we recognise")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > MAX_CONTROL_SHARE * len(text):
        raise Refused("type", "binary data")
    data = text.encode("utf-8", "replace")
    if _is_message(data):
        if _ACTIVE.search(data):
            raise Refused("type", "a message with script in it")
        return EMAIL
    _no_active_content(data)
    if data.lstrip().startswith(b"<"):
        raise Refused("type", "markup (HTML, SVG or XML)")
    first = data.lstrip()[:20].upper()
    if first.startswith(b"BEGIN:VCALENDAR"):
        return CALENDAR
    if first.startswith(b"BEGIN:VCARD"):
        return VCARD
    if PurePath(filename or "").suffix.lower() == ".csv":
        return CSV
    return TEXT


def _is_message(data: bytes) -> bool:
    """An RFC 5322 message (a forwarded email): header lines, including ones mail has."""
    block = re.split(rb"\r?\n\r?\n", data[:65536], maxsplit=1)[0]
    lines = block.splitlines()
    if not lines or not _HEADER_LINE.match(lines[0]):
        return False
    names = {
        line.split(b":", 1)[0].strip().lower()
        for line in lines
        if line and line[:1] not in b" \t" and b":" in line
    }
    return len(names & _MESSAGE_HEADERS) >= 2
