"""The HTML alternative of outbound email, rendered from the plain text the editors wrote.

Editors manage one text per message kind and language (``services.MessageTemplate``); this
wraps it in a simple, accessible layout in the resident's language (``lang``/``dir``, a real
``<title>``, ``role="article"``, large readable text, links written out, no images, no layout
tables) so both parts say the same thing. The text is escaped: nothing a member of staff or a
resident typed can become markup.
"""

import re

from django.template.loader import render_to_string
from django.utils import translation

from services.models import Message


def render_html(message: Message) -> str:
    case = message.case
    language = message.language or "en"
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", message.body or "") if p.strip()]
    with translation.override(language):
        council = ""
        if case is not None:
            council = str(case.delivering_council or case.responsible_council or "")
        return render_to_string(
            "email_channel/message.html",
            {
                "language": language,
                "direction": "rtl" if translation.get_language_bidi() else "ltr",
                "subject": message.subject,
                "paragraphs": paragraphs,
                "reference": case.display_reference if case is not None else "",
                "council": council,
            },
        )
