"""How a published value reads on a page: numbers, "fewer than 5", "not published", "–"."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reports.published import Cell, threshold

register = template.Library()


@register.simple_tag
def figure(cell: Cell, kind: str = "count") -> str:
    if cell.suppressed:
        if kind == "count":
            return _("fewer than %(n)s") % {"n": threshold()}
        return _("not published")
    if not cell.available:
        return format_html(
            '<span aria-hidden="true">–</span><span class="govuk-visually-hidden">{}</span>',
            _("not applicable"),
        )
    if kind == "percent":
        return f"{number_format(cell.value, 1)}%"
    if kind == "days":
        return number_format(cell.value, 1 if cell.value % 1 else 0)
    return intcomma(cell.value)


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key)
