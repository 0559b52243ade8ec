"""Which language a page's own content is in, when it is not the resident's.

A page without a translation in the resident's language is shown in English
(``portal.pages.translations``). The interface around it stays in the resident's language, so
the English parts are marked ``lang="en" dir="ltr"`` (screen readers switch voice; an Urdu page
keeps its right-to-left chrome) and a notice says why the page is in English.

    {% load page_languages %}
    {% translation_notice page %}                       the notice, when needed
    <h1 class="govuk-heading-xl"{% lang_of page %}>     ' lang="en" dir="ltr"' or nothing
"""

from django import template
from django.utils.html import format_html
from wagtail.models import Locale

from portal.pages.translations import active_language

register = template.Library()

RTL_LANGUAGES = {"ar", "fa", "he", "ur"}


def _locale_codes(context) -> dict[int, str]:
    """Locale id → language code, read once per render."""
    cache = context.render_context
    if "portal_locale_codes" not in cache:
        cache["portal_locale_codes"] = dict(Locale.objects.values_list("id", "language_code"))
    return cache["portal_locale_codes"]


def content_language(context, page) -> str:
    """The language of ``page``'s content if it differs from the resident's, else ''."""
    locale_id = getattr(page, "locale_id", None)
    if locale_id is None:
        return ""
    code = _locale_codes(context).get(locale_id, "")
    if not code or code == active_language():
        return ""
    return code


@register.simple_tag(takes_context=True)
def lang_of(context, page):
    code = content_language(context, page)
    if not code:
        return ""
    direction = "rtl" if code.split("-")[0] in RTL_LANGUAGES else "ltr"
    return format_html(' lang="{}" dir="{}"', code, direction)


@register.inclusion_tag("pages/includes/translation_notice.html", takes_context=True)
def translation_notice(context, page):
    code = content_language(context, page) if page is not None else ""
    return {"show": bool(code), "content_language": code}
