"""Files residents send: the one attachment policy (``services.attachments``), and the files an
application holds until it is submitted.

Whether a file is accepted is decided by its content, as for every channel: an ``.exe`` renamed
``.pdf`` is refused, and a PNG called ``scan.pdf`` is accepted and stored as ``scan.png``. A
resident's form asks for the types its hint names (``RESIDENT_FORM_TYPES``: PDF, JPG, PNG, HEIC
or WEBP), and its errors are GOV.UK's ("The selected file must be …").

Until the application is submitted, a file waits in the private storage under ``pending/``;
the session only holds its storage name, so nothing a resident can edit points at a file.
"""

import uuid
from dataclasses import asdict, dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile

from services import attachments

# Content types a resident's form accepts, by what the content is, and the extension the stored
# file is given.
ALLOWED_TYPES: dict[str, str] = {
    content_type: attachments.ACCEPTED[content_type]
    for content_type in sorted(attachments.RESIDENT_FORM_TYPES)
}
PENDING_PREFIX = "pending/"


def max_upload_bytes() -> int:
    return attachments.max_bytes()


@dataclass
class PendingFile:
    """A checked upload waiting for its application to be submitted (JSON-safe for sessions)."""

    name: str  # storage name under pending/
    filename: str  # what the resident called it, for display only
    content_type: str  # from the content
    size: int
    sha256: str

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "PendingFile | None":
        try:
            pending = cls(**{k: data[k] for k in cls.__dataclass_fields__})
        except (KeyError, TypeError):
            return None
        # Only ever our own pending names: a tampered draft cannot read another file.
        if not pending.name.startswith(PENDING_PREFIX) or ".." in pending.name:
            return None
        return pending

    def read(self) -> bytes:
        with storages["private"].open(self.name, "rb") as handle:
            return handle.read()

    def delete(self) -> None:
        storages["private"].delete(self.name)


def check_upload(upload: UploadedFile) -> tuple[bytes, str]:
    """Return the content and its real content type, or raise ``forms.ValidationError``
    (``services.attachments.Refused``)."""
    accepted = attachments.check_upload(upload, accept=attachments.RESIDENT_FORM_TYPES)
    return accepted.content, accepted.content_type


def display_name(filename: str, content_type: str) -> str:
    """The resident's file name, cut to size, with the extension its content has."""
    return attachments.stored_name(filename, content_type)


def store_pending(upload: UploadedFile) -> PendingFile:
    accepted = attachments.check_upload(upload, accept=attachments.RESIDENT_FORM_TYPES)
    name = storages["private"].save(
        f"{PENDING_PREFIX}{uuid.uuid4().hex}", ContentFile(accepted.content)
    )
    return PendingFile(
        name=name,
        filename=accepted.filename,
        content_type=accepted.content_type,
        size=accepted.size,
        sha256=accepted.sha256,
    )
