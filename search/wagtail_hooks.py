"""Editors manage site-search synonyms in the Wagtail admin (Snippets → Synonym groups)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from search.models import SynonymGroup


class SynonymGroupViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "search"
    menu_label = _("Search synonyms")
    list_display = ["__str__", "note"]
    search_fields = ["terms"]


register_snippet(SynonymGroupViewSet)
