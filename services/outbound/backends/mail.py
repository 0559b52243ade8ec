"""Email through Django's ``MAILERS`` (SMTP, or any django-anymail provider).

The Message-ID is ours, chosen when the message was queued, so a resident's reply can be
threaded back onto the case through ``In-Reply-To``/``References``.
"""

import smtplib

from django.core.mail import EmailMultiAlternatives

from services.outbound.backends.base import (
    OutboundBackend,
    PermanentFailure,
    SendResult,
    TemporaryFailure,
)

try:  # django-anymail is installed, but a deployment may use plain SMTP.
    from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
except ImportError:  # pragma: no cover
    AnymailAPIError = AnymailRecipientsRefused = None


class MailBackend(OutboundBackend):
    def send(self, message) -> SendResult:
        headers = {k: v for k, v in (message.headers or {}).items() if k.lower() != "from"}
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=message.sender or None,
            to=[message.recipient],
            headers=headers,
        )
        if message.html_body:
            email.attach_alternative(message.html_body, "text/html")
        for attachment in message.attachments.all():
            with attachment.file.open("rb") as handle:
                email.attach(attachment.filename, handle.read(), attachment.content_type)
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            # 4xx means "not now" (greylisting, mailbox full for a while); only 5xx is final.
            codes = [code for code, _reason in error.recipients.values()]
            if codes and all(400 <= code < 500 for code in codes):
                raise TemporaryFailure(f"Address deferred: {error.recipients}") from error
            raise PermanentFailure(f"Address refused: {error.recipients}") from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"Mail server: {error}") from error
        except Exception as error:
            if AnymailRecipientsRefused and isinstance(error, AnymailRecipientsRefused):
                raise PermanentFailure(str(error)) from error
            if AnymailAPIError and isinstance(error, AnymailAPIError):
                status = getattr(error, "status_code", None)
                if status and 400 <= status < 500 and status != 429:
                    raise PermanentFailure(str(error)) from error
                raise TemporaryFailure(str(error)) from error
            raise
        return SendResult(provider_id=headers.get("Message-ID", ""))
