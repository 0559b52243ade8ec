"""Message templates in the Wagtail admin, with an SMS length preview.

Editors manage what residents are told (per kind, channel and language). For texts the edit
page shows, computed from the saved body, whether it is GSM-7 or UCS-2 (Unicode), its
characters and how many segments it costs, and which characters force Unicode — so an editor
sees that a curly apostrophe or an emoji turns one text into three before it is sent to
thousands of residents. Computed on the server: no script on the page.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, Panel
from wagtail.admin.viewsets.model import ModelViewSet

from services.models import Channel, MessageTemplate
from services.outbound.segments import describe, non_gsm_characters


class SegmentPreviewPanel(Panel):
    """Read-only: encoding, characters and segments of the saved SMS body."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "sms/segment_preview_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            instance = self.instance
            body = getattr(instance, "body", "") or ""
            context.update(
                is_sms=getattr(instance, "channel", "") == Channel.SMS,
                saved=bool(getattr(instance, "pk", None)),
                info=describe(body),
                forcing=non_gsm_characters(body),
            )
            return context


class MessageTemplateViewSet(ModelViewSet):
    model = MessageTemplate
    icon = "mail"
    menu_label = _("Message templates")
    add_to_admin_menu = True
    menu_order = 300
    search_backend_name = None
    list_display = ["kind", "channel", "language"]
    list_filter = ["kind", "channel", "language"]
    search_fields = ["body", "subject"]
    copy_view_enabled = True
    panels = [
        FieldPanel("kind"),
        FieldPanel("channel"),
        FieldPanel("language"),
        FieldPanel("subject"),
        FieldPanel("body"),
        SegmentPreviewPanel(heading=_("Length as a text message")),
    ]


@hooks.register("register_admin_viewset")
def register_message_templates():
    return MessageTemplateViewSet("message_templates")
