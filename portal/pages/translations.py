"""Page translations served at the English page's address.

The resident's language is a cookie (or their account), never part of the URL: the URLs are
contracts, printed on letters and read out on the phone. So every page has one address, that of
the page in the default (English) tree, and the page served there is its live translation in the
active language when there is one, else the English page with a notice
(``pages/includes/translation_notice.html``).

Wagtail routes from ``site.root_page.localized``: the home page's translation in the active
language. A translated tree usually holds only some of the pages, so routing through it would
404 on every untranslated one. ``EnglishTreeRoutingMixin`` (on every page type that has
children) walks the English tree by slug and swaps each step for its live translation, so an
untranslated page is found and a translated one is served in the resident's language. Listings
(``localize``) show the English tree's pages swapped for their translations in the same way,
so a page is never listed twice and the sitemap (English tree only) holds each address once.
"""

from collections.abc import Iterable

from django.conf import settings
from django.http import Http404
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page


def default_locale() -> Locale:
    return Locale.get_default()


def active_language() -> str:
    try:
        return get_supported_content_language_variant(get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def english_version(page: Page) -> Page:
    """The page in the default locale (itself when it is English or has no English source)."""
    locale = default_locale()
    if page.locale_id == locale.id:
        return page
    return page.get_translation_or_none(locale) or page


def localize(pages: Iterable[Page]) -> list[Page]:
    """``pages`` (English) with each swapped for its live translation in the active language.

    One query for the translations, whatever the number of pages.
    """
    pages = list(pages)
    if not pages:
        return pages
    try:
        locale = Locale.get_active()
    except Locale.DoesNotExist:
        return pages
    wanted = [p for p in pages if p.locale_id != locale.id]
    if not wanted:
        return pages
    translations = {
        p.translation_key: p
        for p in Page.objects.live()
        .filter(locale=locale, translation_key__in=[p.translation_key for p in wanted])
        .specific()
    }
    return [translations.get(p.translation_key, p) for p in pages]


class EnglishTreeRoutingMixin:
    """Route through the English tree and serve each page's live translation when there is one.

    For page types with children. The last step is the page's own ``route``, so a
    ``RoutablePageMixin`` page (an apply-online form and its steps) routes its sub-paths itself.
    """

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        english = english_version(self)
        try:
            child = english.get_children().get(slug=path_components[0])
        except Page.DoesNotExist as error:
            raise Http404 from error
        return child.localized.specific.route(request, path_components[1:])
