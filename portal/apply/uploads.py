"""Files residents send: checked by their content, limited in size, kept out of the web root.

The file name and the browser's ``Content-Type`` are whatever the sender wants them to be, so
neither decides anything: the first bytes of the file do (``filetype`` reads the magic numbers).
An ``.exe`` renamed ``.pdf`` is refused, and so is a PDF renamed ``.jpg`` — it is stored under
the type its content has, not the one its name claims.

Until the application is submitted, a file waits in the private storage under ``pending/``;
the session only holds its storage name, so nothing a resident can edit points at a file.
"""

import hashlib
import uuid
from dataclasses import asdict, dataclass
from pathlib import PurePath

import filetype
from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Content types accepted, by what the content is (not what it is called), and the extension
# the stored file is given.
ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "image/webp": "webp",
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PENDING_PREFIX = "pending/"


def max_upload_bytes() -> int:
    return int(getattr(settings, "PORTAL_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


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
    """Return the content and its real content type, or raise ``forms.ValidationError``."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            _("The selected file must be smaller than %(size)s."),
            code="too_big",
            params={"size": filesizeformat(limit)},
        )
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise forms.ValidationError(
            _("The selected file must be smaller than %(size)s."),
            code="too_big",
            params={"size": filesizeformat(limit)},
        )
    if not content:
        raise forms.ValidationError(_("The selected file is empty."), code="empty")
    kind = filetype.guess(content)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise forms.ValidationError(
            _("The selected file must be a PDF, JPG, PNG, HEIC or WEBP."), code="type"
        )
    return content, kind.mime


def display_name(filename: str, content_type: str) -> str:
    """The resident's file name, cut to size, with the extension its content has."""
    stem = PurePath(filename or "document").stem[:80] or "document"
    return f"{stem}.{ALLOWED_TYPES[content_type]}"


def store_pending(upload: UploadedFile) -> PendingFile:
    content, content_type = check_upload(upload)
    name = storages["private"].save(f"{PENDING_PREFIX}{uuid.uuid4().hex}", ContentFile(content))
    return PendingFile(
        name=name,
        filename=display_name(upload.name, content_type),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
