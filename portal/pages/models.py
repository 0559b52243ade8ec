"""The public site's page types and the alert banner snippet.

The page tree is kept sensible by ``parent_page_types``/``subpage_types``::

    HomePage
    ├── CouncilPage           one per council
    ├── TopicPage             services grouped by topic ("Bins and recycling")
    │   └── ServicePage       one service; linked to the catalogue entry it describes
    ├── OfficeIndexPage
    │   └── OfficePage        a one-stop shop or the contact centre; hours from the catalogue
    └── StandardPage          accessibility statement, cookies, and other plain pages

Pages with children route through the English tree (``portal.pages.translations``): every page
has one address, and a resident whose language has a live translation of it is served that.
Listings show the English tree's pages swapped for their translations.

Facts that other channels also need (opening hours, which council is responsible) live in
``services`` models and are shown from there, so the website, IVR and counter never disagree.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from portal.pages.blocks import BaseStreamBlock
from portal.pages.translations import EnglishTreeRoutingMixin, english_version, localize


def one_page_per_language(page: Page, field: str, message: str) -> None:
    """At most one page of ``page``'s type for the same ``field`` value in each language.

    Translations share the council, office or group they describe; a second page for it in the
    same language would be listed twice. Page's locale is on another table, so this cannot be a
    database constraint.
    """
    value = getattr(page, f"{field}_id")
    if (
        value
        and type(page)
        .objects.filter(**{f"{field}_id": value}, locale_id=page.locale_id)
        .exclude(pk=page.pk)
        .exists()
    ):
        raise ValidationError({field: message})


class TopTaskBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock()
    description = blocks.CharBlock(max_length=160, required=False)

    class Meta:
        icon = "pick"
        template = "pages/blocks/top_task.html"
        description = _("One of the things residents come to the site to do most")


class HomePage(EnglishTreeRoutingMixin, Page):
    intro = models.CharField(max_length=300, blank=True)
    top_tasks = StreamField([("task", TopTaskBlock())], blank=True)
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("top_tasks"),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.CouncilPage",
        "pages.TopicPage",
        "pages.OfficeIndexPage",
        "pages.StandardPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        english = english_version(self)
        context["topics"] = localize(TopicPage.objects.live().child_of(english).specific())
        context["councils"] = localize(CouncilPage.objects.live().child_of(english))
        return context


class CouncilPage(Page):
    # One council page per council in each language (a translation points at the same council).
    council = models.ForeignKey("services.Council", on_delete=models.PROTECT, related_name="pages")
    intro = models.CharField(max_length=300, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("council"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("council page")

    def clean(self):
        super().clean()
        one_page_per_language(self, "council", _("This council already has a page."))

    def get_context(self, request, *args, **kwargs):
        from services.models import Office

        context = super().get_context(request, *args, **kwargs)
        context["offices"] = Office.objects.filter(council=self.council).exclude(
            kind=Office.Kind.BACK_OFFICE
        )
        context["service_pages"] = localize(
            ServicePage.objects.live()
            .filter(service__responsible_council=self.council, locale=english_version(self).locale)
            .order_by("title")
        )
        return context


class TopicPage(EnglishTreeRoutingMixin, Page):
    """A service landing page: the services of one topic."""

    # One topic page per group in each language (a translation points at the same group).
    group = models.ForeignKey(
        "services.ServiceGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pages",
    )
    intro = models.CharField(max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("group"), FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ServicePage"]

    class Meta:
        verbose_name = _("topic page")

    def clean(self):
        super().clean()
        one_page_per_language(self, "group", _("This group already has a topic page."))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["service_pages"] = localize(
            ServicePage.objects.live()
            .child_of(english_version(self))
            .select_related("service__responsible_council")
        )
        return context


class ServicePage(EnglishTreeRoutingMixin, Page):
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pages",
        help_text=_("The catalogue entry this page describes."),
    )
    summary = models.CharField(max_length=300)
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("service"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
        index.RelatedFields("service", [index.SearchField("keywords", boost=2)]),
    ]
    parent_page_types = ["pages.TopicPage"]
    subpage_types = ["apply.ApplyPage"]

    class Meta:
        verbose_name = _("service page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        service = self.service
        if service is not None:
            context["offices"] = service.offices.filter(kind="one_stop_shop")
            context["referral_bodies"] = service.referral_bodies.all()
        return context


class OfficeIndexPage(EnglishTreeRoutingMixin, Page):
    intro = models.CharField(max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.OfficePage"]

    class Meta:
        verbose_name = _("offices index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["office_pages"] = localize(
            OfficePage.objects.live()
            .child_of(english_version(self))
            .select_related("office__council")
        )
        return context


class OfficePage(Page):
    # One office page per office in each language.
    office = models.ForeignKey("services.Office", on_delete=models.PROTECT, related_name="pages")
    intro = models.CharField(max_length=300, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("office"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["pages.OfficeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("office page")

    def clean(self):
        super().clean()
        one_page_per_language(self, "office", _("This office already has a page."))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        office = self.office
        context["opening_hours"] = office.opening_hours.all()
        today = timezone.localdate()
        context["closures"] = office.council.closures.filter(
            models.Q(office=office) | models.Q(office__isnull=True),
            date__gte=today,
            date__lte=today + datetime.timedelta(days=60),
        )
        context["services"] = office.services.filter(active=True).order_by("name")
        return context


class StandardPage(EnglishTreeRoutingMixin, Page):
    intro = models.CharField(max_length=300, blank=True)
    body = StreamField(BaseStreamBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["pages.HomePage", "pages.StandardPage"]
    subpage_types = ["pages.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class AlertBannerQuerySet(models.QuerySet):
    def current(self, now=None):
        now = now or timezone.now()
        return self.filter(active=True).filter(
            models.Q(starts_at__isnull=True) | models.Q(starts_at__lte=now),
            models.Q(ends_at__isnull=True) | models.Q(ends_at__gt=now),
        )


@register_snippet
class AlertBanner(models.Model):
    """A message shown at the top of every page while it is switched on (closures, incidents)."""

    class Level(models.TextChoices):
        INFORMATION = "information", _("Information")
        IMPORTANT = "important", _("Important")

    title = models.CharField(max_length=80, default=_("Important"))
    message = RichTextField(features=["bold", "link"])
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.IMPORTANT)
    active = models.BooleanField(default=False, help_text=_("Switch on to show on every page."))
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    objects = AlertBannerQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("message"),
        FieldPanel("level"),
        FieldPanel("active"),
        FieldPanel("starts_at"),
        FieldPanel("ends_at"),
    ]

    class Meta:
        ordering = ["-starts_at", "-pk"]

    def __str__(self):
        return f"{self.title} ({'on' if self.active else 'off'})"
