"""Email attachments go through the one attachment policy: the content decides, not the name."""

import base64

from services.models import Attachment, Direction, Message
from tests.apply.conftest import EXE, PDF
from tests.channels.email.conftest import pipe


def _with(*files: tuple[str, str, bytes]) -> bytes:
    parts = b"".join(
        f'--b\nContent-Type: {content_type}; name="{name}"\n'
        f"Content-Disposition: attachment; filename={name}\n"
        "Content-Transfer-Encoding: base64\n\n".encode()
        + base64.encodebytes(content)
        for name, content_type, content in files
    )
    return (
        b"From: resident@example.com\nTo: contact@mk.example.org\nSubject: Documents\n"
        b"Message-ID: <attachments-0001@example.com>\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\n'
        b"My documents are attached.\n" + parts + b"--b--\n"
    )


def test_a_pdf_called_exe_is_kept_as_a_pdf_and_an_exe_called_pdf_is_refused(mailboxes):
    raw = _with(
        ("invoice.exe", "application/octet-stream", PDF),
        ("scan.pdf", "application/pdf", EXE),
        ("page.png", "image/png", b"<html><script>alert(1)</script></html>"),
        ("empty.pdf", "application/pdf", b""),
    )
    assert pipe(raw)[0] == 0
    message = Message.objects.get(direction=Direction.IN)
    [kept] = Attachment.objects.filter(message=message)
    assert (kept.filename, kept.content_type) == ("invoice.pdf", "application/pdf")
    refused = {item["filename"]: item["reason"] for item in message.metadata["refused_attachments"]}
    assert refused == {
        "scan.pdf": "this type of file is not accepted",
        "page.png": "this type of file is not accepted",
        "empty.pdf": "the file is empty",
    }
    note = message.case.timeline.get(kind="note").body
    assert "scan.pdf" in note and "page.png" in note
