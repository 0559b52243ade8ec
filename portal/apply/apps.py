from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplyConfig(AppConfig):
    """Apply-online pages: forms editors build in Wagtail that file web cases through intake."""

    name = "portal.apply"
    label = "apply"
    verbose_name = _("Apply online")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Other channels (Open311's service definitions) read the apply-online pages' questions
        # through services.questions, which may not import the site.
        from portal.apply.questions import apply_page_questions
        from services import questions

        questions.register(apply_page_questions)
