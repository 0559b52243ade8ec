"""The one attachment store: every file that goes onto a case, from every channel, comes here.

``attach`` runs the attachment policy (``services.attachments``) once more on the bytes — so
nothing reaches a case unchecked, whichever caller forgot — writes them to the ``private``
storage (outside the web root) under a name made from their SHA-256, and creates the
``Attachment`` row with the type and name the content decided. It does not record a timeline
event: the caller's own event (the message that brought the file, a note about a scanned
document) says why the file is there.
"""

from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import transaction

from services import attachments as policy
from services.models import Attachment, Case, Message


def attach(
    file,
    *,
    case: Case | None,
    message: Message | None = None,
    uploaded_by=None,
    visible_to_resident: bool = True,
) -> Attachment:
    """Store ``file`` on ``case`` (and ``message``) and return its ``Attachment``.

    ``file`` is a ``services.attachments.Accepted`` or anything with ``content`` and
    ``filename`` (an ``InboundAttachment``). The size limit is the channel's business and was
    applied when the file was received; the type is checked again here and ``Refused`` raised if
    it is not accepted (the caller's transaction then rolls back: nothing half-stored).
    """
    checked = policy.check(file.content, file.filename, limit=len(file.content) or None)
    with transaction.atomic():
        attachment = Attachment(
            case=case,
            message=message,
            filename=checked.filename[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
            visible_to_resident=visible_to_resident,
        )
        # The stored name is the content's hash with the extension of what the content is
        # (the private storage never serves it; the download view names it for the resident).
        stored = checked.sha256[:16] + PurePath(checked.filename).suffix.lower()[:10]
        attachment.file.save(stored, ContentFile(checked.content), save=False)
        attachment.save()
    return attachment
