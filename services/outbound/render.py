"""Render a message from the editors' templates, in the resident's language.

Look-up order: the template for (kind, channel, language), then the English one, then the
shipped English wording in ``services/data/message_templates/en.json`` (so a fresh deployment
never fails to tell a resident something; ``manage.py load_message_templates`` turns the shipped
files into rows editors own).
Which templates fell back is recorded on the message so editors can see missing translations.
Template variables: ``reference``, ``service``, ``status``, ``due_date``, ``track_url``,
``council``, ``body`` (free text from staff), ``name``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template import Context, Template
from django.utils import translation

from services import message_templates as template_files
from services.models import MessageTemplate


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
