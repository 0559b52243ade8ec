"""UK postcodes: validate, normalise, and find the district (outward code).

Written here because no maintained package does just this for the UK: it is one regular
expression from the published format (outward code, then a digit and two letters), plus
normalising the spacing and case people type.
"""

import re

_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})$")
_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


class InvalidPostcode(ValueError):
    pass


def normalise(text: str) -> str:
    """'mk93ej ' → 'MK9 3EJ'. Raises InvalidPostcode for anything that is not a postcode."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    match = _POSTCODE.match(compact)
    if not match:
        raise InvalidPostcode("Enter a real postcode, like MK9 3EJ.")
    return f"{match.group(1)} {match.group(2)}"


def district(text: str) -> str:
    """The outward code of a full postcode or of a district typed on its own ('nn1' → 'NN1')."""
    compact = re.sub(r"\s+", "", (text or "").upper())
    if _DISTRICT.match(compact):
        return compact
    return normalise(text).split(" ")[0]


def is_postcode(text: str) -> bool:
    try:
        normalise(text)
    except InvalidPostcode:
        return False
    return True


# A postcode inside free text: word boundaries, optional space, any case ("nn1 1aa", "MK196AA").
_IN_TEXT = re.compile(
    r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][ABD-HJLNP-UW-Z]{2})(?![A-Z0-9])",
    re.IGNORECASE,
)


def find_in_text(text: str) -> str:
    """The first full postcode in free text (a text message, an email, an address), or "".

    'Bin not emptied at 4 High St, nn1 1aa' → 'NN1 1AA'. Only full postcodes count: a district
    on its own ('NN1') is too easily a word or a code of something else.
    """
    for match in _IN_TEXT.finditer(text or ""):
        candidate = f"{match.group(1)}{match.group(2)}"
        if is_postcode(candidate):
            return normalise(candidate)
    return ""
