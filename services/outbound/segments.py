"""How long a text message is: encoding, characters and segments (pure text logic, no I/O).

An SMS carries 140 bytes. Text that fits the GSM 03.38 alphabet ("GSM-7") is packed at 7 bits
a character: 160 characters in one message. Anything else (Welsh ŵ, Polish ł, Urdu, an emoji)
makes the *whole* message UCS-2, 16 bits a unit: 70 units. A longer text is split into
concatenated segments, each losing room to the header that glues them back together: 153
GSM-7 characters or 67 UCS-2 units per segment. Providers bill per segment, so the desk reply
form and the template preview show the count before anyone presses send.

Two details that naive counters get wrong, and residents would notice as garbled text:

* characters of the GSM-7 *extension table* (``^ { } \\ [ ] ~ | €`` and form feed) take two
  septets (an escape and the character) and the pair is never split across segments;
* UCS-2 counts UTF-16 code units, so an emoji outside the Basic Multilingual Plane takes two,
  and a surrogate pair is never split across segments either.
"""

from dataclasses import dataclass

GSM7 = "gsm7"
UCS2 = "ucs2"

# GSM 03.38 basic character set (the escape, 0x1B, is left out: it is not a character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# GSM 03.38 extension table: each costs an escape septet plus itself.
GSM7_EXTENSION = frozenset("^{}\\[]~|€\f")

SINGLE = {GSM7: 160, UCS2: 70}
CONCATENATED = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SegmentInfo:
    """What a text costs to send.

    ``characters`` counts what a person sees (code points); ``units`` counts what the network
    sees (septets for GSM-7, UTF-16 code units for UCS-2); ``remaining`` is how many more
    units fit before another segment is needed (0 for an empty text's "segment" too).
    """

    encoding: str
    characters: int
    units: int
    segments: int
    remaining: int
    per_segment: int

    @property
    def is_unicode(self) -> bool:
        return self.encoding == UCS2


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _unit_sizes(text: str, encoding: str) -> list[int]:
    """The size of each character in units, kept whole when splitting into segments."""
    if encoding == GSM7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def describe(text: str) -> SegmentInfo:
    """Encoding, length and segment count of ``text`` as an SMS.

    Line endings are counted as given; Twilio sends ``\\r\\n`` as two characters, and the
    desk form normalises to ``\\n`` before sending, so callers should pass the text they send.
    """
    text = text or ""
    encoding = GSM7 if is_gsm7(text) else UCS2
    sizes = _unit_sizes(text, encoding)
    units = sum(sizes)
    if units <= SINGLE[encoding]:
        segments = 1 if units else 0
        per_segment = SINGLE[encoding]
        remaining = SINGLE[encoding] - units
    else:
        per_segment = CONCATENATED[encoding]
        segments, used = 1, 0
        for size in sizes:
            if used + size > per_segment:  # an escape pair or surrogate pair never splits
                segments += 1
                used = 0
            used += size
        remaining = per_segment - used
    return SegmentInfo(
        encoding=encoding,
        characters=len(text),
        units=units,
        segments=segments,
        remaining=remaining,
        per_segment=per_segment,
    )


def non_gsm_characters(text: str) -> list[str]:
    """The distinct characters that force UCS-2, in order: shown to editors as a hint."""
    return list(dict.fromkeys(ch for ch in text or "" if ch not in GSM7_BASIC | GSM7_EXTENSION))
