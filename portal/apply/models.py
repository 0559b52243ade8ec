"""Apply-online pages and what a resident leaves half finished.

An ``ApplyPage`` sits under a ``ServicePage``; its questions are ``ApplyFormField`` rows an
editor adds in the Wagtail admin (Wagtail's form builder, with our field types), so a new
e-service is a page, not a release. Submitting files a web case through
``services.actions.intake``: the case, not a Wagtail ``FormSubmission``, is the record, so
personal data is kept once, under the case's permissions.

The routes a page answers (``RoutablePageMixin``) are the steps of the GOV.UK pattern; the
views live in ``portal.apply.views`` and the step state in ``portal.apply.flow``. Imports run one
way: this module imports the views, and the views reach saved applications only through the
page's methods below, never by importing this module (no import cycle; checked by
import-linter in ``make lint``).
"""

import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from portal.apply import resume as resume_links
from portal.apply import views
from portal.apply.fields import FIELD_TYPES, ApplyFormBuilder


class ApplyFormField(AbstractFormField):
    """One question. ``page_break`` starts a new page of the form with this question."""

    page = ParentalKey("apply.ApplyPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(verbose_name=_("field type"), max_length=16, choices=FIELD_TYPES)
    field_type.required_on_save = True
    page_break = models.BooleanField(
        _("start a new page"),
        default=False,
        help_text=_("Ask this question on a new page (one question per page for long forms)."),
    )

    panels = [
        *AbstractFormField.panels,
        FieldPanel("page_break"),
    ]


class ApplyPage(RoutablePageMixin, AbstractForm):
    service = models.ForeignKey(
        "services.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="apply_pages",
        help_text=_("The service cases are filed into. Empty: the parent service page's service."),
    )
    intro = RichTextField(blank=True, features=["bold", "link", "ul", "ol"])
    before_you_start = RichTextField(blank=True, features=["bold", "link", "ul", "ol"])
    what_happens_next = RichTextField(
        blank=True,
        features=["bold", "link", "ul", "ol"],
        help_text=_("Shown on the confirmation page with the case reference."),
    )

    form_builder = ApplyFormBuilder

    content_panels = AbstractForm.content_panels + [
        FieldPanel("service"),
        FieldPanel("intro"),
        FieldPanel("before_you_start"),
        InlinePanel("form_fields", label=_("Questions")),
        MultiFieldPanel([FieldPanel("what_happens_next")], heading=_("Confirmation")),
    ]
    parent_page_types = ["pages.ServicePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("apply-online page")

    def __str__(self):
        return self.title

    # --- What the page files into ------------------------------------------------------------
    def get_service(self):
        """The catalogue service: the page's own choice, else its parent service page's."""
        if self.service_id:
            return self.service
        parent = self.get_parent()
        return getattr(parent.specific, "service", None) if parent else None

    def steps(self) -> list[list[ApplyFormField]]:
        """The questions grouped into pages: a page break starts a new group.

        Where first, then what: the page holding the first postcode question is always asked
        first, wherever the editor put it, so a resident whose address another council or body
        serves is told so before answering anything else (``services.routing.where``).
        """
        groups: list[list[ApplyFormField]] = []
        for field in self.get_form_fields():
            if not groups or (field.page_break and groups[-1]):
                groups.append([])
            groups[-1].append(field)
        for number, group in enumerate(groups):
            if any(f.field_type == "postcode" for f in group):
                if number:
                    groups.insert(0, groups.pop(number))
                break
        return groups

    def asks_where(self) -> bool:
        """The first page of questions holds a postcode: the journey routes after it."""
        steps = self.steps()
        return bool(steps) and any(f.field_type == "postcode" for f in steps[0])

    def apply_page_for(self, service) -> "ApplyPage | None":
        """The live apply-online page of ``service`` (to move a resident to it), if any."""
        from portal.pages.models import ServicePage  # the service pages sit above this one

        pages = ApplyPage.objects.live().exclude(pk=self.pk)
        own = pages.filter(service=service).order_by("path").first()
        if own is not None:
            return own
        for parent in ServicePage.objects.live().filter(service=service).order_by("path"):
            child = pages.child_of(parent).filter(service__isnull=True).order_by("path").first()
            if child is not None:
                return child
        return None

    def step_form_class(self, fields):
        return self.form_builder(fields).get_form_class()

    # Wagtail's FormSubmission would keep a second copy of personal data: cases are the record.
    def process_form_submission(self, form):  # pragma: no cover - never called, see serve
        raise NotImplementedError

    # --- Routes: the steps of the form -------------------------------------------------------
    @path("")
    def start(self, request):
        return views.start(request, self)

    @path("step/<int:number>/")
    def question(self, request, number: int):
        return views.question(request, self, number)

    @path("council/")
    def council(self, request):
        return views.choose_council(request, self)

    @path("elsewhere/")
    def elsewhere(self, request):
        return views.elsewhere(request, self)

    @path("contact/")
    def contact(self, request):
        return views.contact(request, self)

    @path("check/", name="check")
    def check_answers(self, request):
        return views.check(request, self)

    @path("confirmation/")
    def confirmation(self, request):
        return views.confirmation(request, self)

    @path("save/")
    def save_for_later(self, request):
        return views.save_for_later(request, self)

    # The token travels in the query string: Wagtail's page URLs only allow [\w-] segments.
    @path("resume/")
    def resume(self, request):
        return views.resume(request, self, request.GET.get("token", "")[:500])

    def serve_preview(self, request, mode_name):
        return views.start(request, self)

    # --- Half-finished applications ------------------------------------------------------------
    def saved_for(self, user) -> "SavedApplication | None":
        """The signed-in resident's saved application for this page, if any."""
        if not getattr(user, "is_authenticated", False):
            return None
        return SavedApplication.objects.filter(user=user, page=self).first()

    def keep_for(self, user, state: dict) -> None:
        """Keep a signed-in resident's answers against their account (one per page)."""
        SavedApplication.objects.update_or_create(user=user, page=self, defaults={"state": state})

    def forget_for(self, user) -> None:
        """A signed-in resident submitted: their saved copy has done its job."""
        if getattr(user, "is_authenticated", False):
            SavedApplication.objects.filter(user=user, page=self).delete()

    def keep_for_email(self, email: str, state: dict, language: str) -> "SavedApplication":
        """Keep an anonymous resident's answers and email them the link back, after commit."""
        saved = SavedApplication.objects.create(page=self, email=email, state=state)
        url = resume_links.resume_url(saved)
        title = self.title
        transaction.on_commit(
            lambda: resume_links.send_resume_link.enqueue(email, url, title, language)
        )
        return saved

    def saved_by_key(self, key) -> "SavedApplication | None":
        """An anonymous saved application, by the key its signed link carried."""
        return SavedApplication.objects.filter(key=key, page=self, user__isnull=True).first()


class SavedApplication(models.Model):
    """A half-finished application, kept so the resident can come back to it.

    A signed-in resident's is kept against their account (one per page). An anonymous
    resident's is reached only through the signed, expiring link emailed to them: ``key`` is
    random and the link's signature is what proves it was us who sent it.
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    page = models.ForeignKey(ApplyPage, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_applications",
    )
    email = models.EmailField(blank=True)
    state = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page"],
                condition=models.Q(user__isnull=False),
                name="one_saved_application_per_user_and_page",
            )
        ]

    def __str__(self):
        return f"{self.page} ({self.user or self.email})"
