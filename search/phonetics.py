"""Keys that make misspelt names find each other.

Trigram similarity alone does not bring "Mohammed" and "Muhammad" together (they share three
trigrams of fifteen), nor "Smith" and "Smtih". Two keys per name word do, and both are exact
tokens that an inverted index (a PostgreSQL GIN index on a ``tsvector``, an Elasticsearch
``keyword`` field) looks up in microseconds:

* the Metaphone code (``jellyfish``): Mohammed, Muhammad, Mohamed → ``MHMT``; Katherine,
  Catherine, Kathryn → ``K0RN``;
* the word's letters in sorted order: any transposition ("Smtih", "Jnoes") keeps it.

Keys are computed in Python, so every backend matches on exactly the same keys.
"""

import re
import unicodedata

import jellyfish

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_WORD_LENGTH = 3
MAX_WORDS = 12


def fold(text: str) -> str:
    """Lower case without accents: 'Zoë Łukasz' → 'zoe lukasz' (Ł has no decomposition)."""
    text = (text or "").replace("ł", "l").replace("Ł", "L").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def name_words(text: str) -> list[str]:
    """The words of a name worth keying: letters only, three or more of them."""
    words = [w for w in _WORD.findall(fold(text)) if len(w) >= MIN_WORD_LENGTH]
    return [w for w in words if w.isascii()][:MAX_WORDS]


def word_keys(word: str) -> set[str]:
    """The keys of one (folded) word. Prefixes keep the two kinds apart; both are plain
    lower-case alphanumeric tokens, which every text parser keeps whole."""
    keys = {"zs" + "".join(sorted(word))}
    code = jellyfish.metaphone(word).lower()
    if code:
        keys.add("zp" + code)
    return keys


def name_keys(text: str) -> list[str]:
    """All keys of a name, sorted (stable documents, stable tests)."""
    keys: set[str] = set()
    for word in name_words(text):
        keys |= word_keys(word)
    return sorted(keys)


def sounds_like(query_word: str, name: str) -> bool:
    """True when ``query_word`` shares a key with a word of ``name`` (used to explain a match)."""
    wanted = word_keys(fold(query_word))
    return any(wanted & word_keys(word) for word in name_words(name))
