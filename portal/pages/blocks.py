"""Content blocks editors build pages from, each rendered with GOV.UK Frontend markup."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=120)
    size = blocks.ChoiceBlock(
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3"))], default="h2"
    )

    class Meta:
        icon = "title"
        template = "pages/blocks/heading.html"
        description = _("A section heading (the page title is the only heading 1)")


class InsetTextBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(features=["bold", "link"])

    class Meta:
        icon = "openquote"
        template = "pages/blocks/inset_text.html"
        description = _("Indented text for something residents must not miss")


class WarningTextBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300)

    class Meta:
        icon = "warning"
        template = "pages/blocks/warning_text.html"
        description = _("A warning with an exclamation icon, for legal or safety points")


class DetailsBlock(blocks.StructBlock):
    summary = blocks.CharBlock(max_length=120)
    text = blocks.RichTextBlock(features=["bold", "link", "ul", "ol"])

    class Meta:
        icon = "collapse-down"
        template = "pages/blocks/details.html"
        description = _("Extra help residents can open if they need it")


class ButtonBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False)
    start = blocks.BooleanBlock(required=False, help_text=_("Show as a start button."))

    class Meta:
        icon = "link"
        template = "pages/blocks/button.html"
        description = _("A button that links to a page or another website")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise ValidationError(_("Choose a page or enter a web address, not both."))
        return value


class ContactBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=80, default=_("Contact us"))
    phone = blocks.CharBlock(required=False, max_length=30)
    email = blocks.EmailBlock(required=False)
    hours = blocks.CharBlock(required=False, max_length=120)

    class Meta:
        icon = "mail"
        template = "pages/blocks/contact.html"
        description = _("How to get in touch about this service")


class BaseStreamBlock(blocks.StreamBlock):
    """The one set of blocks shared by every page with a body."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ul", "ol", "document-link"],
        icon="pilcrow",
        template="pages/blocks/paragraph.html",
        description=_("Text with links and lists"),
    )
    inset_text = InsetTextBlock()
    warning_text = WarningTextBlock()
    details = DetailsBlock()
    button = ButtonBlock()
    contact = ContactBlock()
