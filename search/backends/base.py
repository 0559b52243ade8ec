"""The one search interface the desk, the suggestions endpoint and the indexing tasks use.

Callers ask ``get_backend()`` and never test which backend is configured. A backend:

* keeps documents current: ``index_case`` / ``remove_case`` / ``index_resident`` /
  ``remove_resident`` (called from background tasks after commit, never from a request), and
  ``rebuild`` for ``manage.py reindex``;
* answers ``search(user, text)`` and ``suggest(user, text)`` with the user's permissions applied
  *inside* the query (``search.permissions`` translates ``services.permissions.case_filter``),
  so a case the user may not see is never returned, counted or suggested;
* says why each result matched (``explain``, shared, so both backends give the same reasons).

What the text means (reference, phone, email, postcode, words) is decided once, by
``search.query.parse``; documents hold the values of ``search.documents``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from search.phonetics import fold, name_words, sounds_like
from search.query import ParsedQuery, parse
from services.reference import format_reference

Kind = Literal["case", "resident"]
Progress = Callable[[int], None]

# Rank at most this many matches per query: a word found in 300,000 cases must not cost a
# sort of 300,000 rows. Counts above it are shown as "more than".
CANDIDATE_LIMIT = 1000
DEFAULT_LIMIT = 20
SUGGEST_LIMIT = 8


@dataclass(frozen=True)
class Hit:
    """One result, ready to show: what it is, where it links, and why it matched."""

    kind: Kind
    id: int
    title: str
    detail: str
    url: str
    reasons: tuple[str, ...]
    score: float = 0.0
    status: str = ""


@dataclass(frozen=True)
class SearchResults:
    query: ParsedQuery
    cases: list[Hit] = field(default_factory=list)
    residents: list[Hit] = field(default_factory=list)
    case_count: int = 0
    resident_count: int = 0
    # True when there are more matches than were counted (CANDIDATE_LIMIT).
    case_count_capped: bool = False
    resident_count_capped: bool = False
    message: str = ""

    @property
    def empty(self) -> bool:
        return not (self.cases or self.residents)


@dataclass(frozen=True)
class Suggestion:
    kind: Kind
    label: str
    url: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "label": self.label, "url": self.url}


def case_url(reference: str) -> str:
    return f"/desk/cases/{reference}/"


def resident_url(resident_id: int) -> str:
    return f"/desk/residents/{resident_id}/"


def _word_in(word: str, text: str) -> bool:
    """A query word found in ``text`` (folded), allowing the English endings stemming drops."""
    folded = fold(text)
    stem = word if len(word) <= 4 else word[: max(4, len(word) - 3)]
    return any(token.startswith(stem) for token in folded.replace("\n", " ").split())


def explain(query: ParsedQuery, doc: dict[str, Any], kind: Kind) -> tuple[str, ...]:
    """Why ``doc`` matched ``query``, in words staff understand ("phone", "name ≈ Muhammad").

    Worked out from the normalised query and the document's own fields, so the reasons are
    the same whichever backend found the document.
    """
    reasons: list[str] = []
    if query.reference and doc.get("reference") == query.reference:
        reasons.append(_("reference"))
    if query.phone and doc.get("phone") == query.phone:
        reasons.append(_("phone"))
    if query.email and doc.get("email") == query.email:
        reasons.append(_("email"))
    if query.postcode and query.postcode in (doc.get("postcode"), doc.get("resident_postcode")):
        reasons.append(_("postcode"))
    if query.district and query.district in (doc.get("district"), doc.get("resident_district")):
        reasons.append(_("postcode area"))
    name = doc.get("name") or ""
    words = [fold(w) for w in query.words]
    name_tokens = set(name_words(name)) | {fold(t) for t in name.split()}
    exact = [w for w in words if w in name_tokens]
    close = [w for w in words if w not in name_tokens and sounds_like(w, name)]
    if exact:
        reasons.append(_("name"))
    elif close:
        reasons.append(_("name ≈ %(name)s") % {"name": name})
    rest = [w for w in words if w not in exact and w not in close]
    if rest and any(_word_in(w, doc.get("address") or "") for w in rest):
        reasons.append(_("address"))
    if kind == "case":
        case_text = " ".join(
            str(doc.get(k) or "") for k in ("summary", "body", "service_name", "reference")
        )
        if rest and any(_word_in(w, case_text) for w in rest):
            reasons.append(_("words in the case"))
    if query.words and not reasons:
        # The backend's fuzzier matching (trigram similarity, fuzziness) found it.
        reasons.append(_("name ≈ %(name)s") % {"name": name} if name else _("similar words"))
    return tuple(reasons)


def case_hit(query: ParsedQuery, doc: dict[str, Any], score: float = 0.0) -> Hit:
    from services.models import Status

    status = str(Status(doc["status"]).label) if doc.get("status") in Status.values else ""
    detail = " · ".join(p for p in (doc.get("service_name"), doc.get("name")) if p)
    return Hit(
        kind="case",
        id=doc["case_id"],
        title=f"{format_reference(doc['reference'])} {doc.get('summary') or ''}".strip(),
        detail=detail,
        url=case_url(doc["reference"]),
        reasons=explain(query, doc, "case"),
        score=score,
        status=status,
    )


def resident_hit(query: ParsedQuery, doc: dict[str, Any], score: float = 0.0) -> Hit:
    detail = " · ".join(p for p in (doc.get("postcode"), doc.get("phone"), doc.get("email")) if p)
    return Hit(
        kind="resident",
        id=doc["resident_id"],
        title=doc.get("name") or _("Unnamed resident"),
        detail=detail,
        url=resident_url(doc["resident_id"]),
        reasons=explain(query, doc, "resident"),
        score=score,
    )


def refused(query: ParsedQuery) -> SearchResults | None:
    """Results for queries that must find nothing, with the reason to show."""
    if query.bad_reference:
        return SearchResults(
            query=query,
            message=_(
                "That looks like a case reference but a digit is wrong (the check digit does "
                "not match). Check the reference and try again."
            ),
        )
    if query.is_empty:
        return SearchResults(query=query)
    return None


class SearchBackend(ABC):
    """Implement this to add a search engine. Every method may be called from a worker."""

    # --- keeping the index current --------------------------------------------------------
    @abstractmethod
    def index_cases(self, case_ids: Iterable[int]) -> int:
        """(Re)index these cases from the database; ids that no longer exist are removed."""

    @abstractmethod
    def index_residents(self, resident_ids: Iterable[int]) -> int:
        """(Re)index these residents (and the cases that show their name and phone)."""

    @abstractmethod
    def remove_case(self, case_id: int) -> None: ...

    @abstractmethod
    def remove_resident(self, resident_id: int) -> None: ...

    @abstractmethod
    def rebuild(self, progress: Progress | None = None, *, batch_size: int = 2000) -> int:
        """Index everything again. Searching keeps working meanwhile."""

    def count_for_rebuild(self) -> int:
        from services.models import Case, Resident

        return Case.objects.count() + Resident.objects.count()

    def index_case(self, case_id: int) -> None:
        self.index_cases([case_id])

    def index_resident(self, resident_id: int) -> None:
        self.index_residents([resident_id])

    # --- searching --------------------------------------------------------------------------
    def search(self, user, text: str, *, limit: int = DEFAULT_LIMIT) -> SearchResults:
        query = parse(text)
        done = refused(query)
        if done is not None:
            return done
        return self.run(user, query, limit=max(1, min(limit, 100)))

    @abstractmethod
    def run(self, user, query: ParsedQuery, *, limit: int) -> SearchResults:
        """Search for a parsed, non-empty query with the user's permissions inside."""

    def suggest(self, user, text: str, *, limit: int = SUGGEST_LIMIT) -> list[Suggestion]:
        """A few likely results for a search box as staff type (permission-filtered too)."""
        query = parse(text)
        if refused(query) is not None:
            return []
        results = self.run(user, query, limit=limit)
        hits = sorted(results.cases + results.residents, key=lambda h: -h.score)[:limit]
        return [
            Suggestion(
                kind=h.kind, label=f"{h.title} ({h.detail})" if h.detail else h.title, url=h.url
            )
            for h in hits
        ]


@cache
def _backend(path: str) -> SearchBackend:
    return import_string(path)()


def get_backend() -> SearchBackend:
    return _backend(settings.PORTAL_SEARCH_BACKEND)
