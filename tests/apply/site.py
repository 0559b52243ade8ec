"""A small slice of the demo site, built in a second instead of the full demo's minute.

The catalogue, councils, teams and message templates come from the demo loader itself; only the
pages are cut down to the three services that have demo apply-online pages.
"""

from io import StringIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from portal.apply.demo import DEMO_FORMS, ensure_apply_pages
from portal.demo import content
from portal.demo.loader import DemoLoader
from portal.pages.models import HomePage, ServicePage, TopicPage
from services.models import Council


def build_site() -> dict:
    loader = DemoLoader(StringIO())
    loader.ensure_councils()
    loader.ensure_offices()
    loader.ensure_teams()
    loader.ensure_catalogue()
    loader.ensure_contact_points()
    loader.ensure_templates()
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node()
    if root is None:  # flushed by a transactional test
        root = Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page)
            )
        )
    home = HomePage.objects.first()
    if home is None:
        home = HomePage(title=content.HOME["title"], slug="portal-home", intro="")
        root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    else:
        old = site.root_page
        site.root_page = home
        site.save()
        if old.pk != home.pk and not isinstance(old.specific, HomePage):
            old.delete()
    topics = {}
    for slug in DEMO_FORMS:
        service = loader.services[slug]
        group = service.group
        if group.slug not in topics:
            topics[group.slug] = TopicPage.objects.child_of(home).filter(slug=group.slug).first()
        if topics[group.slug] is None:
            topics[group.slug] = TopicPage(title=group.name, slug=group.slug, group=group)
            home.add_child(instance=topics[group.slug])
        if not ServicePage.objects.filter(service=service).exists():
            topics[group.slug].add_child(
                instance=ServicePage(
                    title=service.name, slug=slugify(service.name), service=service, summary="x"
                )
            )
    ensure_apply_pages()
    return {c.code: c for c in Council.objects.all()}
