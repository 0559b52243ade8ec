"""The councils' names and numbers in templates, read from the ``Council`` rows.

Councils are data, not code: a message never names them, it takes them as a placeholder
("A joint service of %(councils)s."), so a council that is renamed, joins or leaves needs no
new translation. The rows come from the catalogue cache (``services.lookups``), so a page costs
no query while the cache is warm.
"""

import phonenumbers
from django import template
from django.utils.translation import pgettext

from services import lookups

register = template.Library()


def _join(names: list[str], conjunction: str) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    # The last two are joined in each language's own way; the rest with its list separator.
    first = pgettext("separator in a list of names", ", ").join(names[:-1])
    if conjunction == "or":
        return pgettext("a list of names", "%(first)s or %(last)s") % {
            "first": first,
            "last": names[-1],
        }
    return pgettext("a list of names", "%(first)s and %(last)s") % {
        "first": first,
        "last": names[-1],
    }


@register.simple_tag
def council_names(conjunction: str = "and") -> str:
    """Every council's full name: "Milton Keynes Council and Northamptonshire County Council"."""
    councils = sorted(lookups.councils_by_code().values(), key=lambda council: council.name)
    return _join([council.name for council in councils], conjunction)


def _national(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


@register.simple_tag
def council_phones() -> list[dict]:
    """The councils' public numbers as residents dial them ("01632 960001"), one per number."""
    councils = sorted(lookups.councils_by_code().values(), key=lambda council: council.name)
    seen, phones = set(), []
    for council in councils:
        if council.phone and council.phone not in seen:
            seen.add(council.phone)
            phones.append({"council": council.name, "phone": _national(council.phone)})
    return phones
