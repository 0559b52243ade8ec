"""Case references: numeric, keypad-friendly, with a check digit.

A reference is an eight-digit serial followed by a Damm check digit (``python-stdnum``). Damm
catches every single mistyped digit and every swap of two neighbouring digits, so a slip on a
phone keypad is refused instead of finding another resident's case. References are shown in
threes ("100 000 013") for reading aloud. The council is not part of it: cases move.

Serials come from a PostgreSQL sequence (``nextval`` never hands the same number out twice,
whatever the concurrency; gaps after a rollback are harmless). The embedded SQLite demo takes
``max + 1`` inside its single-writer transaction, and the unique index is the final guard.
"""

import re
import unicodedata

from django.db import connection
from stdnum import damm

SEQUENCE = "services_case_reference_seq"
FIRST_SERIAL = 10_000_000
SERIAL_DIGITS = 8
LENGTH = SERIAL_DIGITS + 1

_NON_DIGITS = re.compile(r"[\s\-./]+")


class InvalidReference(ValueError):
    """What was typed is not a reference: wrong length, letters, or a wrong check digit."""


def make_reference(serial: int) -> str:
    digits = str(serial)
    if len(digits) != SERIAL_DIGITS:
        raise ValueError(f"Serial {serial} is out of range for {SERIAL_DIGITS} digits.")
    return digits + damm.calc_check_digit(digits)


def normalise(text: str) -> str:
    """Return the reference in ``text`` as bare digits, or raise InvalidReference.

    Spaces, dashes and dots people type or read out are ignored; anything else is refused,
    and so is a reference whose check digit does not match — before any database lookup.
    """
    digits = _ascii_digits(_NON_DIGITS.sub("", _without_marks(text)))
    if not digits.isascii() or not digits.isdigit() or len(digits) != LENGTH:
        raise InvalidReference("A case reference has 9 digits.")
    if not damm.is_valid(digits):
        raise InvalidReference("That reference has a mistyped digit.")
    return digits


def _ascii_digits(text: str) -> str:
    """Digits from any script (fullwidth, Arabic-Indic as Urdu keyboards type them) → 0-9."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _without_marks(text: str | None) -> str:
    """Drop invisible formatting characters (category Cf: the left-to-right mark around a
    reference in Urdu text, zero-width spaces) that a copy and paste brings along."""
    return "".join(ch for ch in (text or "") if unicodedata.category(ch) != "Cf")


def looks_like_reference(text: str) -> bool:
    """True when ``text`` is shaped like a reference (digits), valid or not."""
    digits = _ascii_digits(_NON_DIGITS.sub("", _without_marks(text)))
    return digits.isascii() and digits.isdigit() and len(digits) == LENGTH


def find_in_text(text: str) -> list[str]:
    """Valid references mentioned in free text (an SMS, an email subject), in order, once each."""
    found: list[str] = []
    for match in re.finditer(r"(?<!\d)(\d[\d \-]{7,14}\d)(?!\d)", text or ""):
        candidate = _NON_DIGITS.sub("", match.group(1))
        if len(candidate) == LENGTH and damm.is_valid(candidate) and candidate not in found:
            found.append(candidate)
    return found


def format_reference(reference: str) -> str:
    return " ".join(reference[i : i + 3] for i in range(0, len(reference), 3))


def allocate(count: int = 1) -> list[str]:
    """Allocate ``count`` new references. Call inside the transaction that creates the cases."""
    if count < 1:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, %s)",  # noqa: S608
                [count],
            )
            serials = [row[0] for row in cursor.fetchall()]
        else:
            cursor.execute("SELECT MAX(reference) FROM services_case")
            (highest,) = cursor.fetchone()
            start = int(highest[:SERIAL_DIGITS]) + 1 if highest else FIRST_SERIAL
            serials = list(range(start, start + count))
    return [make_reference(serial) for serial in serials]
