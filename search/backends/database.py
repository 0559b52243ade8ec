"""The default backend: search documents in the project's own database.

On PostgreSQL, one statement per kind (cases, residents), on one table each:

* identifiers (reference, phone, email, postcode, district) are equality tests on normalised
  columns with B-tree indexes;
* every word must match — AND across the words — and a word matches by its spelling (the
  ``simple`` and ``english`` forms) *or* by one of its misspelling keys (``search.phonetics``),
  OR within the word. Keys are tokens of the same weighted ``tsvector`` as the text (name and
  keys A, service and summary B, address C, case text D), so the whole match is one
  ``@@`` on one GIN index. A word PostgreSQL's English configuration ignores ("the", "of")
  is not required;
* the permission rule is in the same ``WHERE`` (``search.permissions.document_q``);
* at most ``CANDIDATE_LIMIT`` + 1 matches are taken, ranked (``ts_rank`` plus ``pg_trgm``
  similarity of the name and address, computed for those rows only: no trigram index), counted
  and cut to the page in the same statement, so a common word cannot make a search slow and
  a count above the limit is shown as "more than".

Documents are written set-based: ``search.documents.case_rows_sql`` builds thousands of rows
per ``INSERT … SELECT``, for the few ids of an indexing task and for every batch of
``manage.py reindex`` alike.

On any other database (the embedded SQLite demo) the same rules run with ``icontains`` in
place of full text: slower, simpler, and good enough for a demo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache, reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL

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
from search.permissions import case_rule, document_q, may_find_residents, tsquery_filter
from search.phonetics import fold, name_words
from search.query import ParsedQuery
from services.models import Case, Resident

_KEY = re.compile(r"^z[a-z0-9]+$")
CASE_FIELDS = [f.attname for f in CaseDocument._meta.concrete_fields]
RESIDENT_FIELDS = [f.attname for f in ResidentDocument._meta.concrete_fields]
_NOT_SHOWN = ("search_vector", "indexed_at")
# ts_rank weights for D, C, B, A (case text, address, service and summary, name and keys).
RANK_WEIGHTS = [0.1, 0.3, 0.6, 1.0]
# Word matches read to test the permission rule on, before asking the index to leave out the
# cases the user may not see (see DatabaseBackend._cases_by_words_first).
EXAMINE_LIMIT = 5000
# For the one statement of a word search. The GIN index is always the way in for words: with
# the LIMIT, the planner otherwise picks a sequential scan whenever it expects many matches,
# assuming they are spread evenly — but words cluster by council and service, and a word found
# only in the other council's cases made it read all 1,000,000 rows (1.3 s) to return
# nothing. A common word ("report", 370,000 documents) overflows a 4 MB bitmap, which then
# turns lossy and has every row of those pages re-tested: 16 MB keeps it exact.
PLAN_WORDS = "SET LOCAL enable_seqscan = off; SET LOCAL work_mem = '16MB'"
PLAN_DEFAULTS = "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL work_mem TO DEFAULT"


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


@lru_cache(maxsize=4096)
def _forms(word: str) -> tuple[str, str]:
    """The word as PostgreSQL's ``simple`` and ``english`` configurations see it, as tsquery
    text ("'missing'", "'miss'"; "" for a stop word). A pure function of the word and the
    dictionaries, so cached per process."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT plainto_tsquery('simple', %s)::text, plainto_tsquery('english', %s)::text",
            [word, word],
        )
        simple, english = cursor.fetchone()
    return simple, english


def score_expression(any_word: str, text: str, table: str) -> tuple[str, list]:
    """How well a document matches, in SQL over ``table``'s columns: the weighted full-text
    rank of any query word (×4) plus the trigram similarity of the name (×2) and of the
    address to the text typed. Only ever computed for the bounded candidate set."""
    sql = (
        f"ts_rank(%s::real[], {table}.search_vector, to_tsquery('simple', %s)) * 4"
        f" + coalesce(similarity({table}.name, %s), 0) * 2"
        f" + coalesce(similarity({table}.address, %s), 0)"
    )
    return sql, [RANK_WEIGHTS, any_word, text, text]


def word_tsquery(query: ParsedQuery) -> tuple[str, str]:
    """The match (every word, each by spelling or keys) and the rank query (any of them), as
    tsquery text for ``to_tsquery('simple', …)``. Empty when no word can be searched."""
    groups: list[str] = []
    for word, keys in zip(query.words, query.keys_by_word or [()] * len(query.words), strict=True):
        simple, english = _forms(word)
        if not english:
            continue  # a stop word ("the", "of"): not required, as in the English text
        alternatives = [f"( {simple} )"] if simple else []
        alternatives.append(f"( {english} )")
        alternatives += [k for k in keys if _KEY.match(k)]
        group = "( " + " | ".join(alternatives) + " )"
        if group not in groups:  # "report report": one word, looked up once
            groups.append(group)
    return " & ".join(groups), " | ".join(groups)


class DatabaseBackend(SearchBackend):
    # --- indexing ---------------------------------------------------------------------------
    def _write_python(self, model, rows: list[dict], key: str) -> None:
        """Other databases (the SQLite demo): the Python definition, row by row."""
        if rows:
            fields = [f for f in rows[0] if f != key]
            model.objects.bulk_create(
                [model(**row) for row in rows],
                update_conflicts=True,
                unique_fields=[key],
                update_fields=fields,
            )

    def write_cases(self, case_ids: list[int]) -> int:
        """(Re)write the documents of these cases; the one way a case document is written."""
        if not case_ids:
            return 0
        if not _is_postgres():
            rows = [
                documents.case_fields(c) for c in documents.case_queryset().filter(pk__in=case_ids)
            ]
            self._write_python(CaseDocument, rows, "case_id")
            return len(rows)
        values = documents.python_values(case_ids, [])
        with connection.cursor() as cursor:
            cursor.execute(documents.case_rows_sql(), values)
        return len(values["c_id"])

    def write_residents(self, resident_ids: list[int]) -> int:
        """(Re)write the documents of these residents (not their cases')."""
        if not resident_ids:
            return 0
        if not _is_postgres():
            rows = [
                documents.resident_fields(r) for r in Resident.objects.filter(pk__in=resident_ids)
            ]
            self._write_python(ResidentDocument, rows, "resident_id")
            return len(rows)
        values = documents.python_values([], resident_ids)
        with connection.cursor() as cursor:
            cursor.execute(documents.resident_rows_sql(), values)
        return len(values["r_id"])

    def index_cases(self, case_ids: Iterable[int]) -> int:
        ids = sorted(set(case_ids))
        with transaction.atomic():
            done = self.write_cases(ids)
            if done < len(ids):
                found = set(Case.objects.filter(pk__in=ids).values_list("pk", flat=True))
                CaseDocument.objects.filter(pk__in=[i for i in ids if i not in found]).delete()
        return done

    def index_residents(self, resident_ids: Iterable[int]) -> int:
        ids = sorted(set(resident_ids))
        with transaction.atomic():
            done = self.write_residents(ids)
            if done < len(ids):
                found = set(Resident.objects.filter(pk__in=ids).values_list("pk", flat=True))
                ResidentDocument.objects.filter(pk__in=[i for i in ids if i not in found]).delete()
        # Case documents carry the resident's name, phone and email; a merge moves cases
        # with a bulk update, so documents still naming the old resident are redone too.
        case_ids = set(Case.objects.filter(resident_id__in=ids).values_list("id", flat=True))
        case_ids |= set(
            CaseDocument.objects.filter(resident_id__in=ids).values_list("case_id", flat=True)
        )
        if case_ids:
            self.index_cases(case_ids)
        return done

    def remove_case(self, case_id: int) -> None:
        CaseDocument.objects.filter(pk=case_id).delete()

    def remove_resident(self, resident_id: int) -> None:
        ResidentDocument.objects.filter(pk=resident_id).delete()

    def rebuild(self, progress: Progress | None = None, *, batch_size: int = 5000) -> int:
        """Upsert every document, ``batch_size`` rows per statement (one transaction each),
        then drop documents of deleted rows and refresh the planner's statistics.

        Rows are written in place, so search keeps answering throughout; a document is at
        worst as old as it was before the rebuild started.
        """
        done = 0
        for model, write in ((Resident, self.write_residents), (Case, self.write_cases)):
            last = 0
            while True:
                batch = list(
                    model.objects.filter(pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:batch_size]
                )
                if not batch:
                    break
                with transaction.atomic():
                    write(batch)
                last = batch[-1]
                done += len(batch)
                if progress:
                    progress(len(batch))
        # NOT EXISTS (an anti-join), not NOT IN: a million ids do not fit a hashed subplan.
        CaseDocument.objects.filter(~Exists(Case.objects.filter(pk=OuterRef("case_id")))).delete()
        ResidentDocument.objects.filter(
            ~Exists(Resident.objects.filter(pk=OuterRef("resident_id")))
        ).delete()
        if _is_postgres():
            # Fresh statistics for the planner (and, outside a transaction, the visibility
            # map and the GIN pending list cleaned up by VACUUM).
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
            with connection.cursor() as cursor:
                for model in (CaseDocument, ResidentDocument):
                    cursor.execute(f"{command} {model._meta.db_table}")
        return done

    # --- searching --------------------------------------------------------------------------
    def run(self, user, query: ParsedQuery, *, limit: int) -> SearchResults:
        cases, case_count = [], 0
        rule = case_rule(user)
        if rule is not None:
            visible = document_q(rule)
            base = CaseDocument.objects.filter(visible)
            cases, case_count = None, 0
            permission = tsquery_filter(rule)
            if query.words and permission and _is_postgres():
                found = self._cases_by_words_first(visible, query, limit)
                if found is not None:
                    cases, case_count = found
            if cases is None:
                cases, case_count = self._search(
                    base, query, limit, kind="case", permission=permission
                )
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

    def _search(
        self, base: QuerySet, query: ParsedQuery, limit: int, *, kind: str, permission=None
    ):
        fields = CASE_FIELDS if kind == "case" else RESIDENT_FIELDS
        fields = [f for f in fields if f not in _NOT_SHOWN]
        filtered = base.filter(self._identifiers(query, kind))
        if _is_postgres():
            return self._search_postgres(filtered, query, limit, fields, kind, permission)
        return self._search_fallback(filtered, query, limit, fields, kind)

    def _search_postgres(
        self, filtered: QuerySet, query: ParsedQuery, limit, fields, kind, permission
    ):
        """Candidates, rank, count and page in one statement.

        The inner query (Django's, so the permission ``Q`` is compiled as everywhere else)
        takes at most ``CANDIDATE_LIMIT`` + 1 matching rows with their score; the outer one
        counts them (a window over that bounded set), keeps the best ``limit`` and only then
        reads their displayed fields. With words, the permission rule is also part of the
        tsquery (``permission``, see ``search.permissions.tsquery_filter``), so the GIN index
        leaves out the cases the user may not see before any row is read.
        """
        model = filtered.model
        key = model._meta.pk.attname
        if query.words:
            match, any_word = word_tsquery(query)
            if not match:
                return [], 0  # only stop words: nothing to look for
            if permission:
                match = f"( {match} ) & {permission}"
            filtered = filtered.filter(
                search_vector=SearchQuery(match, config="simple", search_type="raw")
            )
            score_sql, score_params = score_expression(
                any_word, query.free_text, model._meta.db_table
            )
            score = RawSQL(score_sql, score_params, output_field=FloatField())  # noqa: S611
            candidates = filtered.annotate(score=score).values(key, "score")
            order = f"top.score DESC, top.{key} DESC"
        else:
            # Identifiers only: the newest cases, residents by name.
            candidates = filtered.annotate(
                score=Value(1.0, output_field=FloatField()), sort_name=F("name")
            )
            if kind == "case":
                candidates = candidates.order_by(f"-{key}").values(key, "score")
                order = f"top.{key} DESC"
            else:
                candidates = candidates.order_by("name", key).values(key, "score", "sort_name")
                order = f"top.sort_name, top.{key}"
        inner, params = candidates[: CANDIDATE_LIMIT + 1].query.sql_with_params()
        table = model._meta.db_table
        columns = ", ".join(f"d.{model._meta.get_field(f).column}" for f in fields)
        sql = (
            f"SELECT {columns}, top.score, top.total FROM ("  # noqa: S608 (names from models)
            f"SELECT *, count(*) OVER () AS total FROM ({inner}) AS top "
            f"ORDER BY {order} LIMIT %s) AS top "
            f"JOIN {table} d ON d.{key} = top.{key} ORDER BY {order}"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            if query.words:
                cursor.execute(PLAN_WORDS)
            cursor.execute(sql, [*params, limit])
            rows = cursor.fetchall()
            if query.words:
                cursor.execute(PLAN_DEFAULTS)
        if not rows:
            return [], 0
        total = rows[0][-1]
        hits = [(dict(zip(fields, row[:-2], strict=True)), float(row[-2])) for row in rows]
        return hits, total

    def _cases_by_words_first(self, visible: Q, query: ParsedQuery, limit: int):
        """Word matches first, the permission rule on the rows: the cheap way when the user
        may see a fair share of what the words match.

        The GIN index finds the word matches alone (a word in 200,000 documents: ~30 ms;
        with the permission tokens ANDed in, ~100 ms), then at most ``EXAMINE_LIMIT`` of
        them are read and the rule is tested on each. That settles it when 1,001 visible
        matches turn up, or when every match was examined. Only when the examined rows are
        mostly ones the user may not see (the words belong to the other council's services)
        is it not settled: ``None``, and the caller asks the index with the permission
        tokens, which leaves those rows out without reading them.
        """
        model = CaseDocument
        key = model._meta.pk.attname
        table = model._meta.db_table
        match, any_word = word_tsquery(query)
        if not match:
            return [], 0
        fields = [f for f in CASE_FIELDS if f not in _NOT_SHOWN]
        examined = (
            model.objects.filter(self._identifiers(query, "case"))
            .filter(search_vector=SearchQuery(match, config="simple", search_type="raw"))
            .annotate(visible=ExpressionWrapper(visible, output_field=BooleanField()))
            .values(key, "visible")[:EXAMINE_LIMIT]
        )
        examined_sql, examined_params = examined.query.sql_with_params()
        score_sql, score_params = score_expression(any_word, query.free_text, "d")
        columns = ", ".join(f"d.{model._meta.get_field(f).column}" for f in fields)
        sql = (
            f"WITH examined AS MATERIALIZED ({examined_sql}), "  # noqa: S608 (names from models)
            f"candidates AS MATERIALIZED (SELECT {key} FROM examined WHERE visible "
            f"LIMIT {CANDIDATE_LIMIT + 1}), "
            f"scored AS (SELECT c.{key}, {score_sql} AS score FROM candidates c "
            f"JOIN {table} d ON d.{key} = c.{key}) "
            f"SELECT counts.total, counts.examined, top.score, {columns} FROM ("
            "SELECT (SELECT count(*) FROM candidates) AS total, "
            "(SELECT count(*) FROM examined) AS examined) AS counts "
            f"LEFT JOIN (SELECT * FROM scored ORDER BY score DESC, {key} DESC LIMIT %s) AS top "
            f"ON true LEFT JOIN {table} d ON d.{key} = top.{key} "
            f"ORDER BY top.score DESC, top.{key} DESC"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(PLAN_WORDS)  # see PLAN_WORDS
            cursor.execute(sql, [*examined_params, *score_params, limit])
            rows = cursor.fetchall()
            cursor.execute(PLAN_DEFAULTS)
        total, examined_count = rows[0][0], rows[0][1]
        if total <= CANDIDATE_LIMIT and examined_count >= EXAMINE_LIMIT:
            return None  # mostly invisible matches, and more of them: not settled
        hits = [
            (dict(zip(fields, row[3:], strict=True)), float(row[2]))
            for row in rows
            if row[2] is not None
        ]
        return hits, total

    def _search_fallback(self, filtered: QuerySet, query: ParsedQuery, limit, fields, kind):
        """Other databases (the demo): every word in some text field, or its misspelling keys.
        No dictionary here: a long word is looked for without its last three letters
        ("missing" finds "missed"), and words of one or two letters are not required."""
        text_fields = ["name", "address"] + (
            ["summary", "body", "service_name"] if kind == "case" else []
        )
        condition = Q()
        for word, keys in zip(query.words, query.keys_by_word, strict=True):
            if len(word) < 3 and len(query.words) > 1:
                continue
            stem = word if len(word) <= 4 else word[: max(4, len(word) - 3)]
            found = reduce(or_, [Q(**{f"{f}__icontains": stem}) for f in text_fields])
            for k in keys:
                if _KEY.match(k):
                    found |= Q(name_keys__contains=k)
            condition &= found
        order = ("-pk",) if kind == "case" or query.words else ("name", "pk")
        matches = filtered.filter(condition).order_by(*order)
        rows = list(matches.values(*fields)[: CANDIDATE_LIMIT + 1])
        # A little ranking: names spelt as typed first (newest first among equals).
        words = {fold(w) for w in query.words}
        scored = [(row, float(len(words & set(name_words(row["name"]))))) for row in rows]
        scored.sort(key=lambda pair: -pair[1])
        return scored[:limit], len(rows)
