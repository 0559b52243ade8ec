"""What staff typed into the one search box, taken apart once for every backend.

The desk has a single box: a reference read out on the phone ("100 000 013"), a caller's number
in any UK format, an email address, a postcode with any spacing, a misspelt name, part of an
address, or words from the case. Identifiers are recognised here and normalised with the same
functions the rest of the system stores them with (``services.reference``,
``services.actions.normalise_phone``, ``services.postcodes``), so a backend only ever compares
normalised values. Every identifier found must match, and so must every remaining word — each
somewhere (the name, a misspelling key of the name, the address or the case text) — and the
words rank the results. A title before a name ("Mrs Khan") is dropped.

Nothing a user types can make parsing fail: the text is cut to ``MAX_QUERY_LENGTH``, control
characters (PostgreSQL refuses NUL) are dropped, and operators such as ``&|!():*`` are just
punctuation between words.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from search.phonetics import fold, name_keys, name_words, word_keys
from services import postcodes, reference
from services.actions import normalise_phone
from services.actions.residents import InvalidPhoneNumber

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
MAX_WORD_LENGTH = 40

_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+\.[^\s@<>()\[\],;:\"']+")
_POSTCODE_IN_TEXT = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})(?![A-Za-z0-9])"
)
_PHONE_SHAPED = re.compile(r"^\+?[\d\s\-().]{10,20}$")
_WORD = re.compile(r"\w+", re.UNICODE)
# Labels staff type before an identifier ("ref 100 000 013", "tel 07400…"): not search words.
LABELS = frozenset(
    [
        "ref",
        "reference",
        "case",
        "no",
        "number",
        "tel",
        "telephone",
        "phone",
        "mobile",
        "email",
        "e",
        "mail",
        "postcode",
        "pc",
    ]
)
# A title before a name ("Mrs Khan") is not a word the name must contain.
TITLES = frozenset(["mr", "mrs", "ms", "miss", "mx", "dr"])


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    reference: str = ""
    # Shaped like a reference but the check digit is wrong: refuse, never guess another case.
    bad_reference: bool = False
    phone: str = ""
    email: str = ""
    postcode: str = ""
    district: str = ""
    words: tuple[str, ...] = ()
    keys: tuple[str, ...] = field(default=())
    # The misspelling keys of each word, in the order of ``words`` (empty for "12" or "of").
    keys_by_word: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return not (
            self.reference
            or self.bad_reference
            or self.phone
            or self.email
            or self.postcode
            or self.district
            or self.words
        )

    @property
    def finds_nothing(self) -> bool:
        """A query that must return no result at all (a reference with a bad check digit)."""
        return self.bad_reference

    @property
    def free_text(self) -> str:
        return " ".join(self.words)


def clean(text: str) -> str:
    """Drop control and format characters, collapse spaces, cut to a sane length."""
    text = unicodedata.normalize("NFC", text or "")[: MAX_QUERY_LENGTH * 2]
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


def parse(text: str) -> ParsedQuery:
    text = clean(text)
    if not text:
        return ParsedQuery(text="")

    if reference.looks_like_reference(text):
        try:
            return ParsedQuery(text=text, reference=reference.normalise(text))
        except reference.InvalidReference:
            return ParsedQuery(text=text, bad_reference=True)

    if _PHONE_SHAPED.match(text):
        try:
            return ParsedQuery(text=text, phone=normalise_phone(text))
        except InvalidPhoneNumber:
            pass

    rest = text
    found: dict[str, str] = {}
    references = reference.find_in_text(rest)
    if references:
        found["reference"] = references[0]
        rest = rest.replace(_spaced_match(rest, references[0]), " ")

    email = _EMAIL.search(rest)
    if email:
        found["email"] = email.group(0).lower()
        rest = rest[: email.start()] + " " + rest[email.end() :]

    postcode = _POSTCODE_IN_TEXT.search(rest)
    if postcode and postcodes.is_postcode(postcode.group(1) + postcode.group(2)):
        found["postcode"] = postcodes.normalise(postcode.group(1) + postcode.group(2))
        rest = rest[: postcode.start()] + " " + rest[postcode.end() :]
    elif not found and " " not in rest.strip():
        try:
            district = postcodes.district(rest)
        except postcodes.InvalidPostcode:
            district = ""
        if district and any(ch.isdigit() for ch in district):
            return ParsedQuery(text=text, district=district)

    words = [w[:MAX_WORD_LENGTH] for w in _WORD.findall(rest) if w.strip("_")]
    if found:
        words = [w for w in words if w.lower() not in LABELS]
    if len(words) > 1 and words[0].lower() in TITLES:
        words = words[1:]
    words = tuple(words[:MAX_WORDS])
    return ParsedQuery(
        text=text,
        reference=found.get("reference", ""),
        email=found.get("email", ""),
        postcode=found.get("postcode", ""),
        words=words,
        keys=tuple(name_keys(" ".join(words))),
        keys_by_word=tuple(keys_of_word(w) for w in words),
    )


def keys_of_word(word: str) -> tuple[str, ...]:
    """The misspelling keys one typed word can match (a word like "abc123def" has two parts)."""
    keys: set[str] = set()
    for part in name_words(word):
        keys |= word_keys(part)
    return tuple(sorted(keys))


def _spaced_match(text: str, digits: str) -> str:
    """The substring of ``text`` that spells ``digits`` with spaces or dashes between."""
    pattern = r"[\s\-]*".join(re.escape(d) for d in digits)
    match = re.search(pattern, text)
    return match.group(0) if match else digits


def folded_words(query: ParsedQuery) -> list[str]:
    return [fold(w) for w in query.words]
