"""Background work of the SMS channel: fetching MMS pictures from Twilio.

Fetching is an external call, so it never happens in the webhook: the webhook lists the media
URLs on the message and this task, run by ``db_worker`` after the commit, downloads each one
(with Twilio's Basic auth, timeouts and a size cap), checks it with the one attachment policy
(by content: a "picture" that is a web page is refused and the refusal noted) and stores it on
the case through ``services.actions.attachments.attach``. It is idempotent: media already stored
(or refused) are skipped, so running it twice is harmless.
Only URLs under ``TWILIO_MEDIA_URL_PREFIXES`` are fetched (Twilio's API by default), so a
payload can never make the server fetch an arbitrary address.
"""

import logging

import requests
from django.conf import settings
from django.db import transaction
from django.tasks import task

from services import attachments as attachment_policy
from services.actions.attachments import attach
from services.actions.messages import update_metadata
from services.actions.timeline import record
from services.models import EventKind, Message

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30
MAX_BYTES = 10 * 1024 * 1024  # Twilio accepts at most 5 MB per MMS; leave room, refuse more


class MediaError(Exception):
    pass


def _allowed(url: str) -> bool:
    prefixes = getattr(settings, "TWILIO_MEDIA_URL_PREFIXES", ["https://api.twilio.com/"])
    return any(url.startswith(prefix) for prefix in prefixes)


def download(url: str) -> tuple[bytes, str]:
    """The media's bytes and content type. Raises ``MediaError`` on any failure."""
    if not _allowed(url):
        raise MediaError(f"not a Twilio media address: {url[:200]}")
    try:
        with requests.get(
            url,
            auth=(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN),
            timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
            stream=True,
        ) as response:
            if response.status_code != 200:
                raise MediaError(f"HTTP {response.status_code}")
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise MediaError(f"larger than {MAX_BYTES // (1024 * 1024)} MB")
                chunks.append(chunk)
            content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
            return b"".join(chunks), content_type
    except requests.RequestException as error:
        raise MediaError(f"{type(error).__name__}: {error}") from error


@task(queue_name="default")
def fetch_media(message_id: int) -> int:
    """Store the pictures of one inbound MMS on its case. Returns how many were stored."""
    message = Message.objects.select_related("case").get(pk=message_id)
    if message.case_id is None:
        return 0
    media = list((message.metadata or {}).get("media", []))
    stored = 0
    for index, item in enumerate(media):
        if item.get("attachment_id") or item.get("refused"):
            continue
        try:
            content, content_type = download(item["url"])
        except MediaError as error:
            logger.warning("MMS media %s of message %s not fetched: %s", index, message_id, error)
            item["error"] = str(error)
            with transaction.atomic():
                record(
                    message.case,
                    EventKind.ATTACHMENT,
                    actor_label="System",
                    channel=message.channel,
                    message=message,
                    body=f"A picture sent by text could not be fetched ({error}).",
                    data={"url": item["url"]},
                )
            continue
        try:
            # The one attachment policy, by content: what Twilio says it is decides nothing.
            accepted = attachment_policy.check(content, f"text-message-{message.pk}-{index + 1}")
        except attachment_policy.Refused as error:
            logger.warning(
                "MMS media %s of message %s refused: %s", index, message_id, error.detail
            )
            item["refused"] = error.detail
            with transaction.atomic():
                record(
                    message.case,
                    EventKind.ATTACHMENT,
                    actor_label="System",
                    channel=message.channel,
                    message=message,
                    body=f"A file sent by text was not added to the case ({error.detail}).",
                    data={"url": item["url"], "refused": error.detail},
                )
            continue
        with transaction.atomic():
            attachment = attach(accepted, case=message.case, message=message)
            item["attachment_id"] = attachment.pk
            item.pop("error", None)
            record(
                message.case,
                EventKind.ATTACHMENT,
                actor_label="Resident (text message)",
                channel=message.channel,
                visible_to_resident=True,
                message=message,
                body=attachment.filename,
                data={"attachment": attachment.pk},
            )
        stored += 1
    update_metadata(message, {"media": media})
    return stored
