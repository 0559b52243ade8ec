"""Background work of Open311: fetching the pictures a partner names in ``media_url``.

A fetch is an external call, so it never runs in the partner's request: the report is filed,
the addresses are kept on its message, and this task (``db_worker``, after the commit) fetches
each one. Only ``https`` addresses on a host listed in ``OPEN311_MEDIA_HOSTS`` are fetched (an
empty list fetches nothing), so a partner's form can never make the server call an arbitrary
or internal address; a redirect is followed only on the same host (at most three), never to
another; connect and read timeouts and a size cap apply while streaming. What comes back is
judged by the one attachment policy (``services.attachments``), by content, like a resident's
upload, and stored through ``services.actions.attachments.attach``. Every failure or refusal is
written on the case's timeline, and the task is idempotent: media already stored or refused
are skipped, so running it twice is harmless.
"""

import logging
from urllib.parse import urljoin, urlsplit

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
MAX_REDIRECTS = 3


class MediaError(Exception):
    pass


def allowed_host(url: str) -> str | None:
    """The host of ``url`` when it may be fetched (https, a listed host, no credentials)."""
    parts = urlsplit(url)
    hosts = {h.lower() for h in getattr(settings, "OPEN311_MEDIA_HOSTS", [])}
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host not in hosts or parts.username:
        return None
    return host


def download(url: str) -> tuple[bytes, str]:
    """The bytes and declared type at ``url``. Raises ``MediaError`` on any failure."""
    host = allowed_host(url)
    if host is None:
        raise MediaError(f"not an allowed media address: {url[:200]}")
    limit = attachment_policy.max_bytes()
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            with requests.get(
                url,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                stream=True,
                allow_redirects=False,
                headers={"Accept": "image/*, application/pdf"},
            ) as response:
                if response.is_redirect:
                    target = urljoin(url, response.headers.get("Location", ""))
                    if allowed_host(target) != host:
                        raise MediaError(f"redirected to another host: {target[:200]}")
                    url = target
                    continue
                if response.status_code != 200:
                    raise MediaError(f"HTTP {response.status_code}")
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise MediaError(f"larger than {limit // (1024 * 1024)} MB")
                chunks, size = [], 0
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > limit:
                        raise MediaError(f"larger than {limit // (1024 * 1024)} MB")
                    chunks.append(chunk)
                content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
                return b"".join(chunks), content_type
        except requests.RequestException as error:
            raise MediaError(f"{type(error).__name__}: {error}") from error
    raise MediaError("too many redirects")


def _note(message: Message, body: str, data: dict) -> None:
    with transaction.atomic():
        record(
            message.case,
            EventKind.ATTACHMENT,
            actor_label="System",
            channel=message.channel,
            message=message,
            body=body,
            data=data,
        )


@task(queue_name="default")
def fetch_media(message_id: int) -> int:
    """Store the pictures named by one Open311 report or update on its case; how many."""
    message = Message.objects.select_related("case").get(pk=message_id)
    if message.case_id is None:
        return 0
    media = list((message.metadata or {}).get("media", []))
    stored = 0
    for index, item in enumerate(media):
        if item.get("attachment_id") or item.get("refused"):
            continue
        url = item.get("url", "")
        try:
            content, _declared = download(url)
        except MediaError as error:
            logger.warning(
                "Open311 media %s of message %s not fetched: %s", index, message_id, error
            )
            item["error"] = str(error)
            _note(
                message,
                f"A picture sent by the partner could not be fetched ({error}).",
                {"url": url[:500]},
            )
            continue
        try:
            # By content, like every upload: what the partner's server calls it decides nothing.
            accepted = attachment_policy.check(content, f"open311-{message.pk}-{index + 1}")
        except attachment_policy.Refused as error:
            item["refused"] = error.detail
            _note(
                message,
                f"A file sent by the partner was not added to the case ({error.detail}).",
                {"url": url[:500], "refused": error.detail},
            )
            continue
        with transaction.atomic():
            attachment = attach(accepted, case=message.case, message=message)
            item["attachment_id"] = attachment.pk
            item.pop("error", None)
            record(
                message.case,
                EventKind.ATTACHMENT,
                actor_label="System",
                channel=message.channel,
                message=message,
                body=f"Picture added from the partner: {attachment.filename}",
                data={"attachment": attachment.pk, "url": url[:500]},
            )
        stored += 1
    update_metadata(message, {"media": media})
    return stored
