"""Cleaning what a provider sends, once, at the entrance — the same way for every channel.

A webhook's fields are whatever a provider (or someone pretending to be one) put there: NUL
characters, which PostgreSQL refuses in ``text`` and ``jsonb`` and which would turn a request
into a 500; other control characters, which mean nothing in a name or a text and can hide
things from staff reading it; raw 8-bit bytes come back from a decoder as lone surrogates,
which no database encoding can store; sizes nobody meant; numbers written any way a phone
allows; integers with thirty digits. Each channel adapter runs every field through these
functions when it builds the neutral ``InboundMessage``, and intake runs the message through
``InboundMessage.clean`` (``services.actions.intake``) once more, so nothing unclean reaches a
model whichever adapter forgot.

Phone numbers become E.164 through ``phonenumbers`` (``07400 123456`` → ``+447400123456``);
a sender that is not a phone number (a short code, an alphanumeric sender id, "anonymous") is
kept, cleaned and cut to the length of ``Resident.phone``, never refused: it is still who wrote.
"""

import re
import unicodedata
from typing import Any

import phonenumbers

# C0 controls except tab, newline and carriage return; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")

MAX_PHONE = 20  # Resident.phone; E.164 needs at most 16
MAX_ADDRESS = 254  # an email address, a sender, a recipient (Message.sender / recipient)
MAX_IDENTIFIER = 64  # a provider's id: MessageSid, CallSid, AccountSid, RecordingSid
MAX_INTEGER = 2**31 - 1  # PostgreSQL integer


class InvalidPhoneNumber(ValueError):
    pass


def text(
    value: Any, max_length: int | None = None, *, nul: str = "", normalise: bool = False
) -> str:
    """``value`` as text safe to store: no control characters but tab and line breaks, no lone
    surrogates, at most ``max_length`` characters.

    ``nul`` replaces NUL characters (an entrance drops them; intake, the last line of defence,
    marks where one was with U+FFFD). ``normalise`` applies Unicode NFC (email headers, which
    arrive in every composed and decomposed form).
    """
    if value is None:
        return ""
    value = str(value)
    if _SURROGATES.search(value):
        # Raw 8-bit bytes decoded with "surrogateescape": read them as UTF-8, else Windows-1252.
        data = value.encode("utf-8", errors="surrogateescape")
        try:
            value = data.decode("utf-8")
        except UnicodeDecodeError:
            value = data.decode("cp1252", errors="replace")
        value = _SURROGATES.sub("\ufffd", value)
    if nul and "\x00" in value:
        value = value.replace("\x00", nul)
    value = _CONTROL.sub("", value)
    if normalise:
        value = unicodedata.normalize("NFC", value)
    return value[:max_length] if max_length is not None else value


def line(value: Any, max_length: int | None = None) -> str:
    """One line of text (an id, an address, a header value): cleaned and stripped."""
    return text(value).replace("\r", " ").replace("\n", " ").replace("\t", " ").strip()[:max_length]


def storable(value: Any) -> Any:
    """``value`` (text, or JSON made of dicts, lists and text) without NUL characters.

    For what is kept as it came — a raw payload, headers, provider metadata — where only NUL
    must go (PostgreSQL cannot hold it) and is replaced by U+FFFD so the loss shows; lone
    surrogates are replaced too.
    """
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "\ufffd")
        if _SURROGATES.search(value):
            value = _SURROGATES.sub("\ufffd", value)
        return value
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(storable(v) for v in value)
    return value


def normalise_phone(value: str, region: str = "GB") -> str:
    """Any UK (or international) format → E.164 ('07400 123456' → '+447400123456').

    Raises ``InvalidPhoneNumber`` for anything that is not a valid number: for forms, where the
    person typing can correct it.
    """
    try:
        number = phonenumbers.parse(line(value, 100), region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhoneNumber("Enter a telephone number, like 07400 123456.") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber("Enter a telephone number, like 07400 123456.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone(value: Any, region: str = "GB") -> str:
    """A sender or number dialled, from a provider: E.164 where it is a valid number, else the
    cleaned text (a short code, "anonymous", a sender id) cut to ``MAX_PHONE``. Never raises."""
    cleaned = line(value)
    if not cleaned:
        return ""
    try:
        return normalise_phone(cleaned, region)
    except InvalidPhoneNumber:
        return cleaned[:MAX_PHONE]


def integer(
    value: Any, *, minimum: int = 0, maximum: int = MAX_INTEGER, default: int | None = None
) -> int | None:
    """A provider's number (a duration, a queue position): ``default`` unless it is a whole
    number within [minimum, maximum] — thirty digits or a negative duration are not data."""
    cleaned = line(value, 40)
    if not cleaned or not cleaned.lstrip("-").isascii() or not cleaned.lstrip("-").isdigit():
        return default
    number = int(cleaned)
    return number if minimum <= number <= maximum else default
