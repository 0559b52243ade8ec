"""Template tags for linking service pages to their apply-online pages."""

from django import template

from portal.apply.models import ApplyPage

register = template.Library()


@register.simple_tag
def apply_pages_for(page):
    """The live apply-online pages under a service page (for its start button).

    Apply-online pages live under the English service page; a translated service page (served
    at the same address) shows the same start buttons.
    """
    from portal.pages.translations import english_version

    if page is None or not getattr(page, "pk", None):
        return ApplyPage.objects.none()
    return ApplyPage.objects.live().public().child_of(english_version(page))
