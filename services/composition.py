"""Composing a message to a resident: which channel and address, and the words.

The channel is the resident's preferred one when they consented and we have an address, else
another (``choose_channel`` says why there is none). The words come from the editors' templates
(``render``). Look-up order: the template for (kind, channel, language), then the English one,
then the shipped English wording in ``services/data/message_templates/en.json`` (so a fresh
deployment never fails to tell a resident something; ``manage.py load_message_templates`` turns
the shipped files into rows editors own). Which templates fell back is recorded on the message
so editors can see missing translations. Template variables: ``reference``, ``service``,
``status``, ``due_date``, ``track_url``, ``council``, ``body`` (free text from staff), ``name``.

Nothing here writes: ``services.actions.messages.queue_message`` composes with these and writes
the queued message; the desk previews with them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.template import Context, Template
from django.utils import formats, timezone, translation

from services import message_templates as template_files
from services.models import Case, Channel, MessageTemplate, Resident


@dataclass
class Rendered:
    subject: str
    body: str
    language: str
    fell_back: bool


def render(
    kind: str, channel: str, language: str, context: dict | Callable[[str], dict]
) -> Rendered:
    """The message of ``kind`` for ``channel`` in ``language``, or in English if it has none.

    ``context`` may be a function of the language actually used, so that dates and status
    names are written in the language of the text around them, not the one asked for.
    """
    templates = {
        (t.language): t
        for t in MessageTemplate.objects.filter(
            kind=kind, channel=channel, language__in={language, "en"}
        )
    }
    chosen = templates.get(language) or templates.get("en")
    used_language = chosen.language if chosen else "en"
    if chosen is not None:
        subject_source, body_source = chosen.subject, chosen.body
    else:
        shipped = template_files.english()[kind][
            channel if channel in template_files.CHANNELS else "email"
        ]
        subject_source, body_source = shipped.get("subject", ""), shipped["body"]
    if callable(context):
        context = context(used_language)
    with translation.override(used_language):
        ctx = Context(context, autoescape=False)
        subject = Template(subject_source).render(ctx).strip() if subject_source else ""
        body = Template(body_source).render(ctx).strip()
    return Rendered(
        subject=subject, body=body, language=used_language, fell_back=used_language != language
    )


def address_for(resident: Resident, channel: str) -> str:
    if channel == Channel.SMS:
        return resident.phone
    if channel == Channel.EMAIL:
        return "" if resident.email_bouncing else resident.email
    return ""


def _consents(resident: Resident, channel: str) -> bool:
    return {Channel.SMS: resident.consent_sms, Channel.EMAIL: resident.consent_email}.get(
        channel, False
    )


def choose_channel(resident: Resident, preferred: str | None = None) -> tuple[str | None, str]:
    """The channel to use and, when there is none, why (shown on the case)."""
    order = [preferred or resident.preferred_channel, Channel.EMAIL, Channel.SMS]
    reasons = []
    for channel in dict.fromkeys(order):
        if channel not in (Channel.SMS, Channel.EMAIL):
            continue
        if not address_for(resident, channel):
            reasons.append(f"no {channel} address")
        elif not _consents(resident, channel):
            reasons.append(f"no consent to {channel}")
        else:
            return channel, ""
    return None, "; ".join(reasons) or "no channel"


def message_context(case: Case, language: str, extra: dict | None = None) -> dict:
    with translation.override(language):
        due = (
            formats.date_format(timezone.localtime(case.due_at), "DATE_FORMAT")
            if case.due_at
            else ""
        )
        context = {
            "reference": case.display_reference,
            "service": case.service.name,
            "status": str(case.get_status_display()),
            "due_date": due,
            "track_url": f"{settings.PUBLIC_BASE_URL}/track/?reference={case.reference}",
            "council": str(case.delivering_council or case.responsible_council or ""),
            "name": case.resident.name,
        }
    context.update(extra or {})
    return context
