"""Telephone prompts in the Wagtail admin: editors upload a recording per prompt and language,
and a report shows which prompts lack one in which language (see ``channels.voice.prompts``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from channels.voice import ivr
from channels.voice.models import PromptRecording
from channels.voice.prompts import PROMPTS, SPOKEN_ONLY

PERMISSIONS = (
    "voice.view_promptrecording",
    "voice.add_promptrecording",
    "voice.change_promptrecording",
)


def can_see_prompts(user) -> bool:
    return any(user.has_perm(permission) for permission in PERMISSIONS)


class PromptRecordingViewSet(ModelViewSet):
    model = PromptRecording
    icon = "media"
    menu_label = _("Telephone prompts")
    add_to_admin_menu = True
    menu_order = 310
    search_backend_name = None
    list_display = ["prompt", "language", "council", "placeholder", "updated_at"]
    list_filter = ["prompt", "language", "placeholder"]
    panels = [
        FieldPanel("prompt"),
        FieldPanel("language"),
        FieldPanel("council"),
        FieldPanel("audio"),
        FieldPanel("transcript"),
        FieldPanel("placeholder"),
    ]


@hooks.register("register_admin_viewset")
def register_prompt_recordings():
    return PromptRecordingViewSet("prompt_recordings")


class PromptCoverageView(WagtailAdminTemplateMixin, TemplateView):
    """Every prompt × every language: recorded, spoken by Twilio in that language, or spoken
    in English (no text-to-speech voice for that language: Urdu)."""

    template_name = "voice/admin/prompt_coverage.html"
    page_title = _("Telephone prompt coverage")
    header_icon = "media"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_prompts(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        languages = list(settings.LANGUAGES)
        recorded: dict[tuple[str, str], list[PromptRecording]] = {}
        for recording in PromptRecording.objects.select_related("council"):
            recorded.setdefault((recording.prompt, recording.language), []).append(recording)
        rows, english_only = [], 0
        for key, prompt in PROMPTS.items():
            cells = []
            for code, name in languages:
                found = recorded.get((key, code), [])
                fallback = ivr.spoken(code).fallback
                english_only += not found and fallback
                cells.append(
                    {
                        "language": code,
                        "name": name,
                        "recordings": found,
                        "placeholder": bool(found) and all(r.placeholder for r in found),
                        "english": not found and fallback,
                    }
                )
            rows.append({"key": key, "text": prompt.text, "cells": cells})
        context.update(
            languages=languages, rows=rows, english_only=english_only, spoken_only=SPOKEN_ONLY
        )
        return context


class PromptCoverageMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_prompts(request.user)


@hooks.register("register_admin_urls")
def register_prompt_coverage_url():
    return [
        path(
            "reports/telephone-prompt-coverage/",
            PromptCoverageView.as_view(),
            name="telephone_prompt_coverage",
        )
    ]


@hooks.register("register_reports_menu_item")
def register_prompt_coverage_menu_item() -> MenuItem:
    return PromptCoverageMenuItem(
        _("Telephone prompt coverage"),
        reverse("telephone_prompt_coverage"),
        name="telephone-prompt-coverage",
        icon_name="media",
        order=1110,
    )
