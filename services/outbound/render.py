"""Render a message from the editors' templates, in the resident's language.

Look-up order: the template for (kind, channel, language), then the English one, then the
built-in default below (so a fresh deployment never fails to tell a resident something).
Which templates fell back is recorded on the message so editors can see missing translations.
Template variables: ``reference``, ``service``, ``status``, ``due_date``, ``track_url``,
``council``, ``body`` (free text from staff), ``name``.
"""

from dataclasses import dataclass

from django.template import Context, Template
from django.utils import translation

from services.models import MessageTemplate

DEFAULTS: dict[str, tuple[str, str]] = {
    MessageTemplate.Kind.ACKNOWLEDGEMENT: (
        "We have received your request {{ reference }}",
        "We have received your request about {{ service }}. Your reference is {{ reference }}. "
        "We aim to reply by {{ due_date }}. Track it at {{ track_url }}",
    ),
    MessageTemplate.Kind.STATUS_UPDATE: (
        "Update on your request {{ reference }}",
        "Your request {{ reference }} ({{ service }}) is now: {{ status }}. "
        "{% if body %}{{ body }} {% endif %}Track it at {{ track_url }}",
    ),
    MessageTemplate.Kind.INFORMATION_REQUEST: (
        "We need more information: {{ reference }}",
        "About your request {{ reference }}: {{ body }} Reply to this message or at {{ track_url }}",
    ),
    MessageTemplate.Kind.REPLY: (
        "About your request {{ reference }}",
        "{{ body }} (Ref {{ reference }})",
    ),
    MessageTemplate.Kind.REFERRAL: (
        "Your request {{ reference }} has been passed on",
        "Your request {{ reference }} is for {{ body }}, who are responsible for it. "
        "We have passed it on to them.",
    ),
    MessageTemplate.Kind.RECEIPT: (
        "Your receipt: {{ reference }}",
        "Thank you for visiting. Your reference is {{ reference }} ({{ service }}). "
        "Track it at {{ track_url }}",
    ),
}


@dataclass
class Rendered:
    subject: str
    body: str
    language: str
    fell_back: bool


def render(kind: str, channel: str, language: str, context: dict) -> Rendered:
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
        subject_source, body_source = DEFAULTS[kind]
    with translation.override(used_language):
        ctx = Context(context, autoescape=False)
        subject = Template(subject_source).render(ctx).strip() if subject_source else ""
        body = Template(body_source).render(ctx).strip()
    return Rendered(
        subject=subject, body=body, language=used_language, fell_back=used_language != language
    )
