"""The default backend: search documents in the project's own database.

On PostgreSQL, one query per kind (cases, residents), on one table each:

* identifiers (reference, phone, email, postcode, district) are equality tests on normalised
  columns with B-tree indexes;
* words must match at least one of: the weighted ``tsvector`` (name A, service and summary B,
  address C, case text D; ``simple`` and ``english`` configurations, so names are not stemmed
  and case text is), the misspelling keys (``keys_vector``, see ``search.phonetics``), or
  ``pg_trgm`` similarity of the name or the address (GIN trigram indexes);
* the permission rule is in the same ``WHERE`` (``search.permissions.document_q``);
* at most ``CANDIDATE_LIMIT`` matches are ranked (``ts_rank`` + trigram similarity + keys), so
  a common word cannot make a search slow.

On any other database (the embedded SQLite demo) the same structure runs with ``icontains``
in place of full text and trigrams: slower, simpler, and good enough for a demo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from search import documents
from search.backends.base import (
    CANDIDATE_LIMIT,
    Progress,
    SearchBackend,
    SearchResults,
    case_hit,
    resident_hit,
)
from search.models import CaseDocument, ResidentDocument
from search.permissions import case_rule, document_q, may_find_residents
from search.query import ParsedQuery
from services.models import Case, Resident

_KEY = re.compile(r"^z[a-z0-9]+$")
CASE_FIELDS = [f.attname for f in CaseDocument._meta.concrete_fields]
RESIDENT_FIELDS = [f.attname for f in ResidentDocument._meta.concrete_fields]
_VECTOR_FIELDS = ("search_vector", "keys_vector", "indexed_at")


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def case_vector() -> SearchVector:
    return (
        SearchVector("name", config="simple", weight="A")
        + SearchVector("reference", config="simple", weight="A")
        + SearchVector("service_name", "summary", config="english", weight="B")
        + SearchVector("address", config="simple", weight="C")
        + SearchVector("body", config="english", weight="D")
    )


def resident_vector() -> SearchVector:
    return SearchVector("name", config="simple", weight="A") + SearchVector(
        "address", config="simple", weight="C"
    )


def keys_vector() -> SearchVector:
    return SearchVector("name_keys", config="simple")


class DatabaseBackend(SearchBackend):
    # --- indexing ---------------------------------------------------------------------------
    def _write(self, model, rows: list[dict], vector: SearchVector, key: str) -> None:
        if not rows:
            return
        fields = [f for f in rows[0] if f != key]
        with transaction.atomic():
            model.objects.bulk_create(
                [model(**row) for row in rows],
                update_conflicts=True,
                unique_fields=[key],
                update_fields=fields,
            )
            if _is_postgres():
                # Vectors are computed by PostgreSQL from the stored columns, in one UPDATE.
                model.objects.filter(pk__in=[r[key] for r in rows]).update(
                    search_vector=vector, keys_vector=keys_vector()
                )

    def index_cases(self, case_ids: Iterable[int]) -> int:
        ids = list(case_ids)
        rows = [documents.case_fields(c) for c in documents.case_queryset().filter(pk__in=ids)]
        self._write(CaseDocument, rows, case_vector(), "case_id")
        found = {r["case_id"] for r in rows}
        CaseDocument.objects.filter(pk__in=[i for i in ids if i not in found]).delete()
        return len(rows)

    def index_residents(self, resident_ids: Iterable[int]) -> int:
        ids = list(resident_ids)
        rows = [documents.resident_fields(r) for r in Resident.objects.filter(pk__in=ids)]
        self._write(ResidentDocument, rows, resident_vector(), "resident_id")
        found = {r["resident_id"] for r in rows}
        ResidentDocument.objects.filter(pk__in=[i for i in ids if i not in found]).delete()
        # Case documents carry the resident's name, phone and email; a merge moves cases
        # with a bulk update, so documents still naming the old resident are redone too.
        case_ids = set(Case.objects.filter(resident_id__in=ids).values_list("id", flat=True))
        case_ids |= set(
            CaseDocument.objects.filter(resident_id__in=ids).values_list("case_id", flat=True)
        )
        if case_ids:
            self.index_cases(sorted(case_ids))
        return len(rows)

    def remove_case(self, case_id: int) -> None:
        CaseDocument.objects.filter(pk=case_id).delete()

    def remove_resident(self, resident_id: int) -> None:
        ResidentDocument.objects.filter(pk=resident_id).delete()

    def rebuild(self, progress: Progress | None = None, *, batch_size: int = 2000) -> int:
        """Upsert every document in batches, then drop documents of deleted rows.

        Rows are written in place, so search keeps answering throughout; a document is at
        worst as old as it was before the rebuild started.
        """
        done = 0
        ids = Resident.objects.order_by("pk").values_list("pk", flat=True).iterator(batch_size)
        for batch in documents.batched(ids, batch_size):
            rows = [documents.resident_fields(r) for r in Resident.objects.filter(pk__in=batch)]
            self._write(ResidentDocument, rows, resident_vector(), "resident_id")
            done += len(batch)
            if progress:
                progress(len(batch))
        ids = Case.objects.order_by("pk").values_list("pk", flat=True).iterator(batch_size)
        for batch in documents.batched(ids, batch_size):
            cases = documents.case_queryset().filter(pk__in=batch)
            self._write(
                CaseDocument, [documents.case_fields(c) for c in cases], case_vector(), "case_id"
            )
            done += len(batch)
            if progress:
                progress(len(batch))
        CaseDocument.objects.exclude(case_id__in=Case.objects.values("pk")).delete()
        ResidentDocument.objects.exclude(resident_id__in=Resident.objects.values("pk")).delete()
        return done

    # --- searching --------------------------------------------------------------------------
    def run(self, user, query: ParsedQuery, *, limit: int) -> SearchResults:
        cases, case_count = [], 0
        rule = case_rule(user)
        if rule is not None:
            base = CaseDocument.objects.filter(document_q(rule))
            cases, case_count = self._search(base, query, limit, kind="case")
        residents, resident_count = [], 0
        if may_find_residents(user) and not query.reference:
            base = ResidentDocument.objects.filter(merged=False)
            residents, resident_count = self._search(base, query, limit, kind="resident")
        return SearchResults(
            query=query,
            cases=[case_hit(query, row, score) for row, score in cases],
            residents=[resident_hit(query, row, score) for row, score in residents],
            case_count=case_count,
            resident_count=resident_count,
            case_count_capped=case_count > CANDIDATE_LIMIT,
            resident_count_capped=resident_count > CANDIDATE_LIMIT,
        )

    def _identifiers(self, query: ParsedQuery, kind: str) -> Q:
        """Every identifier in the query must match. A case's postcode may be the case's own
        (a fly-tip elsewhere) or its resident's."""
        condition = Q()
        if query.reference:
            condition &= Q(reference=query.reference)
        if query.phone:
            condition &= Q(phone=query.phone)
        if query.email:
            condition &= Q(email=query.email)
        if query.postcode:
            place = Q(postcode=query.postcode)
            if kind == "case":
                place |= Q(resident_postcode=query.postcode)
            condition &= place
        if query.district:
            place = Q(district=query.district)
            if kind == "case":
                place |= Q(resident_district=query.district)
            condition &= place
        return condition

    def _search(self, base: QuerySet, query: ParsedQuery, limit: int, *, kind: str):
        model = base.model
        fields = CASE_FIELDS if kind == "case" else RESIDENT_FIELDS
        fields = [f for f in fields if f not in _VECTOR_FIELDS]
        filtered = base.filter(self._identifiers(query, kind))
        if not query.words:
            order = ("-pk",) if kind == "case" else ("name", "pk")
            candidates = list(filtered.order_by(*order).values(*fields)[: CANDIDATE_LIMIT + 1])
            return [(row, 1.0) for row in candidates[:limit]], len(candidates)
        if _is_postgres():
            return self._rank_postgres(model, filtered, query, limit, fields)
        return self._rank_fallback(filtered, query, limit, fields, kind)

    def _rank_postgres(self, model, filtered: QuerySet, query: ParsedQuery, limit, fields):
        text = query.free_text
        every_word = SearchQuery(text, config="simple") | SearchQuery(text, config="english")
        any_word = reduce(
            or_,
            [
                SearchQuery(w, config="simple") | SearchQuery(w, config="english")
                for w in query.words
            ],
        )
        condition = Q(search_vector=every_word)
        condition |= Q(name__trigram_similar=text) | Q(address__trigram_word_similar=text)
        score = SearchRank(F("search_vector"), any_word, weights=[0.1, 0.3, 0.6, 1.0]) * Value(4.0)
        score += Coalesce(TrigramSimilarity("name", text), Value(0.0)) * Value(2.0)
        score += Coalesce(TrigramSimilarity("address", text), Value(0.0))
        keys = [k for k in query.keys if _KEY.match(k)]
        if keys:
            key_query = SearchQuery(" | ".join(keys), config="simple", search_type="raw")
            condition |= Q(keys_vector=key_query)
            score += SearchRank(F("keys_vector"), key_query) * Value(3.0)
        candidates = filtered.filter(condition).values("pk")[: CANDIDATE_LIMIT + 1]
        count = candidates.count()
        rows = (
            model.objects.filter(pk__in=candidates)
            .annotate(score=score)
            .order_by("-score", "-pk")
            .values(*fields, "score")[:limit]
        )
        return [(row, row.pop("score")) for row in rows], count

    def _rank_fallback(self, filtered: QuerySet, query: ParsedQuery, limit, fields, kind):
        text_fields = ["name", "address"] + (
            ["summary", "body", "service_name"] if kind == "case" else []
        )
        condition = Q()
        for word in query.words:
            found = reduce(or_, [Q(**{f"{f}__icontains": word}) for f in text_fields])
            condition &= found
        keys = [k for k in query.keys if _KEY.match(k)]
        if keys:
            condition |= reduce(or_, [Q(name_keys__contains=k) for k in keys])
        matches = filtered.filter(condition).order_by("-pk")
        rows = list(matches.values(*fields)[: CANDIDATE_LIMIT + 1])
        return [(row, 1.0) for row in rows[:limit]], len(rows)
