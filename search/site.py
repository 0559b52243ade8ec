"""Resident site search: Wagtail pages, editors' synonyms, and the resident's own council.

Wagtail's search backend does the matching (its database backend by default, Elasticsearch
when ``WAGTAILSEARCH_BACKENDS`` says so); this module only decides what to ask for and in
which order to show it:

* **Synonyms** (``SynonymGroup`` snippets): a query that contains any term of a group also
  looks for every other term of it ("bins" → "waste collection", "rubbish", "refuse").
  Multi-word terms are phrases.
* **Postcode**: in two-tier Northamptonshire "council tax" means a different page than in
  Milton Keynes. With a postcode, service pages for the council (or referral body) covering it
  come first, and service pages that only apply elsewhere are left out.

* **Languages**: a translated page shares its English page's address, so each page is listed
  once, in the resident's language when it has a live translation, else in English
  (``one_per_page``), whichever language the words matched in.

Editors' promoted results are shown above all of this by ``portal.views.search``.

* **Snippets** (``snippet``): what a result says under its title is plain text — a page's
  summary or introduction may be rich text (an apply-online page's is), so its tags are
  dropped, never shown — with the resident's words (and the synonyms searched for) marked with
  ``<mark>``. Everything else in it is escaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from wagtail.models import Locale, Page
from wagtail.search.query import Or, Phrase, PlainText

from search.models import SynonymGroup
from search.query import clean
from services import postcodes
from services.routing import PostcodeArea, area_for_postcode

__all__ = ["clean", "highlight_terms", "search_pages", "snippet", "synonyms_for"]

MAX_RESULTS = 100
MAX_EXTRA_TERMS = 12
SNIPPET_WORDS = 40


def synonyms_for(query: str) -> list[str]:
    """Other terms to look for: those of every synonym group the query mentions."""
    text = " " + " ".join(re.findall(r"\w+", query.lower())) + " "
    extra: list[str] = []
    for group in SynonymGroup.objects.all():
        terms = group.term_list
        if any(f" {t} " in text for t in terms):
            extra += [t for t in terms if f" {t} " not in text and t not in extra]
    return extra[:MAX_EXTRA_TERMS]


def expanded_query(query: str):
    """A Wagtail query: the resident's words (any of them) or any synonym."""
    extra = synonyms_for(query)
    if not extra:
        return PlainText(query, operator="or")
    parts = [PlainText(query, operator="or")]
    parts += [Phrase(t) if " " in t else PlainText(t) for t in extra]
    return Or(parts)


def area_for(postcode: str) -> PostcodeArea | None:
    if not postcode.strip():
        return None
    try:
        return area_for_postcode(postcode)
    except postcodes.InvalidPostcode:
        return None


def _fit(page, area: PostcodeArea) -> int:
    """1: a service page for this area; 0: not a service page; -1: a service elsewhere."""
    service = getattr(page, "service", None)
    if service is None:
        return 0
    if service.joint:
        return 1
    if service.responsible_council_id is not None:
        return 1 if any(c.pk == service.responsible_council_id for c in area.councils) else -1
    bodies = list(service.referral_bodies.all())
    if not bodies:
        return 0
    return 1 if any(b.covers(area.district) for b in bodies) else -1


@dataclass
class SiteResults:
    pages: list
    area: PostcodeArea | None
    synonyms: list[str]
    postcode_error: str = ""


def one_per_page(pages: list) -> list:
    """Each page once, in search order: its live translation in the active language, else its
    default-language (English) version, else what matched."""
    if not pages:
        return pages
    try:
        active = Locale.get_active().pk
    except (Locale.DoesNotExist, LookupError):
        active = None
    default = Locale.get_default().pk
    keys = list(dict.fromkeys(p.translation_key for p in pages))
    chosen = {}
    for page in pages:
        chosen.setdefault(page.translation_key, page)
    preference = {active: 0, default: 1}
    versions = (
        Page.objects.live()
        .public()
        .filter(translation_key__in=keys, locale_id__in={active, default} - {None})
        .specific()
    )
    for page in versions:
        current = chosen[page.translation_key]
        if preference.get(page.locale_id, 2) < preference.get(current.locale_id, 2):
            chosen[page.translation_key] = page
    return [chosen[key] for key in keys]


def search_pages(query: str, *, postcode: str = "", exclude_ids=()) -> SiteResults:
    extra = synonyms_for(query)
    pages = list(
        Page.objects.live()
        .public()
        # Promoted pages are shown above, in every language they are translated into.
        .exclude(
            translation_key__in=Page.objects.filter(pk__in=list(exclude_ids)).values(
                "translation_key"
            )
        )
        .specific()
        .search(expanded_query(query), operator="or")[:MAX_RESULTS]
    )
    pages = one_per_page(pages)
    area = area_for(postcode)
    if area is not None and area.councils:
        ranked = [(_fit(p, area), i, p) for i, p in enumerate(pages)]
        pages = [p for fit, _i, p in sorted(ranked, key=lambda r: (-r[0], r[1])) if fit >= 0]
    return SiteResults(pages=pages, area=area, synonyms=extra)


def highlight_terms(query: str) -> list[str]:
    """The words to mark in results: the resident's own (two letters or more) and the
    synonyms searched for, longest first so a phrase wins over a word inside it."""
    words = [w for w in re.findall(r"\w+", query.lower()) if len(w) > 1]
    terms = list(dict.fromkeys(words + synonyms_for(query)))
    return sorted(terms, key=len, reverse=True)


def plain_text(value: str) -> str:
    """Rich text (or plain) as one line of plain text: tags dropped, entities read, spaces
    collapsed. ``strip_tags`` leaves entities escaped ("&amp;"); they are unescaped here and
    the whole is escaped once, on output, by ``snippet``."""
    text = html.unescape(strip_tags(value or ""))
    return " ".join(text.split())


def snippet(value: str, terms: list[str]) -> SafeString:
    """``value`` (plain or rich text) as an escaped, shortened snippet with ``terms`` in
    ``<mark>``. A term matches at the start of a word, case-insensitively, and the rest of that
    word is marked with it ("collect" marks "collection").

    Written here rather than taken from a search engine: Wagtail's database backend (the
    default) offers no highlighting, and Elasticsearch's would differ from it; this is the same
    for both and needs nothing but the text shown.
    """
    text = Truncator(plain_text(value)).words(SNIPPET_WORDS, truncate="…")
    if not text:
        return mark_safe("")  # noqa: S308 - empty
    patterns = [r"\s+".join(re.escape(part) for part in term.split()) for term in terms if term]
    if not patterns:
        return escape(text)
    matcher = re.compile(r"\b(?:" + "|".join(patterns) + r")\w*", re.IGNORECASE)
    out, last = [], 0
    for match in matcher.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 - every part above is escaped
