"""The Elasticsearch backend, through elasticsearch-dsl.

Two indices (cases, residents), each reached through an alias (``<prefix>-cases``) that points
at one versioned index (``<prefix>-cases-20260101120000``). ``rebuild`` fills a new version with
bulk requests and then moves the alias in one atomic ``update_aliases`` call, so searches never
see a half-built index; old versions are deleted after the swap. Changes made while a rebuild
runs are indexed again once the alias has moved.

Analysis for UK data: postcodes and phone numbers have normalisers (any spacing or case, any
punctuation), names are folded (``asciifolding``) and matched with fuzziness as well as by the
misspelling keys of ``search.phonetics`` (the same keys the database backend uses), and case
text is stemmed as English. The permission rule of ``services.permissions`` becomes a bool
filter on the indexed council, team, joint and restricted fields (``search.permissions``), in
the same request as the match — hits, counts and suggestions are all filtered.

No test patches this backend out: its mappings and the query bodies it builds are tested
without a server, and the behavioural suite runs against a real server when
``ELASTICSEARCH_URL`` is set.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    Index,
    Keyword,
    Long,
    Search,
    Text,
    analyzer,
    char_filter,
    normalizer,
    token_filter,
)
from elasticsearch.dsl import query as es
from elasticsearch.helpers import bulk

from search import documents
from search.backends.base import (
    CANDIDATE_LIMIT,
    Progress,
    SearchBackend,
    SearchResults,
    case_hit,
    resident_hit,
)
from search.permissions import case_rule, elasticsearch_filter, may_find_residents
from search.query import ParsedQuery
from services.models import Case, Resident

REQUEST_TIMEOUT = 5

# --- analysis -----------------------------------------------------------------------------------
postcode_normaliser = normalizer(
    "uk_postcode",
    char_filter=[char_filter("strip_spaces", "pattern_replace", pattern=r"\s+", replacement="")],
    filter=["uppercase"],
)
phone_normaliser = normalizer(
    "uk_phone",
    char_filter=[
        char_filter("phone_digits", "pattern_replace", pattern=r"[^0-9+]", replacement="")
    ],
)
lowercase_normaliser = normalizer("lower", filter=["lowercase", "trim"])
person_name = analyzer("person_name", tokenizer="standard", filter=["lowercase", "asciifolding"])
address_text = analyzer("address_text", tokenizer="standard", filter=["lowercase", "asciifolding"])
case_text = analyzer(
    "case_text",
    tokenizer="standard",
    filter=[
        token_filter("english_possessive", "stemmer", language="possessive_english"),
        "lowercase",
        "asciifolding",
        token_filter("english_stop", "stop", stopwords="_english_"),
        token_filter("english_stemmer", "stemmer", language="english"),
    ],
)


class ResidentDoc(Document):
    resident_id = Long()
    name = Text(analyzer=person_name, fields={"raw": Keyword(normalizer=lowercase_normaliser)})
    name_keys = Keyword()
    email = Keyword(normalizer=lowercase_normaliser)
    phone = Keyword(normalizer=phone_normaliser)
    postcode = Keyword(normalizer=postcode_normaliser)
    district = Keyword(normalizer=postcode_normaliser)
    address = Text(analyzer=address_text)
    merged = Boolean()


class CaseDoc(Document):
    case_id = Long()
    reference = Keyword()
    resident_id = Long()
    name = Text(analyzer=person_name, fields={"raw": Keyword(normalizer=lowercase_normaliser)})
    name_keys = Keyword()
    email = Keyword(normalizer=lowercase_normaliser)
    phone = Keyword(normalizer=phone_normaliser)
    postcode = Keyword(normalizer=postcode_normaliser)
    district = Keyword(normalizer=postcode_normaliser)
    resident_postcode = Keyword(normalizer=postcode_normaliser)
    resident_district = Keyword(normalizer=postcode_normaliser)
    address = Text(analyzer=address_text)
    service_name = Text(analyzer=case_text)
    summary = Text(analyzer=case_text)
    body = Text(analyzer=case_text)
    status = Keyword()
    created_at = Date()
    # What the permission rules test (search.permissions).
    service_id = Long()
    responsible_council_id = Long()
    delivering_council_id = Long()
    team_id = Long()
    delivering_team_id = Long()
    joint = Boolean()
    restricted = Boolean()


KINDS = {"cases": CaseDoc, "residents": ResidentDoc}


def versioned_index(name: str, document: type[Document]) -> Index:
    index = Index(name)
    index.settings(number_of_shards=1, number_of_replicas=settings_replicas())
    index.document(document)
    return index


def settings_replicas() -> int:
    return int(getattr(settings, "PORTAL_SEARCH_REPLICAS", 0))


def _source(fields: dict[str, Any]) -> dict[str, Any]:
    source = dict(fields)
    source["name_keys"] = source["name_keys"].split()
    if isinstance(source.get("created_at"), datetime):
        source["created_at"] = source["created_at"].isoformat()
    return source


class ElasticsearchBackend(SearchBackend):
    def __init__(self, client: Elasticsearch | None = None):
        self._client = client
        self.prefix = getattr(settings, "PORTAL_SEARCH_INDEX_PREFIX", "portal")

    @property
    def client(self) -> Elasticsearch:
        if self._client is None:
            self._client = Elasticsearch(
                settings.ELASTICSEARCH_URL, request_timeout=REQUEST_TIMEOUT
            )
        return self._client

    def alias(self, kind: str) -> str:
        return f"{self.prefix}-{kind}"

    # --- indices and aliases ------------------------------------------------------------------
    def new_index_name(self, kind: str) -> str:
        return f"{self.alias(kind)}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"

    def index_body(self, kind: str) -> dict[str, Any]:
        """Settings (analysers) and mappings of a new version of ``kind``'s index."""
        return versioned_index("unused", KINDS[kind]).to_dict()

    def create_indices(self) -> None:
        """Create the first version of each index behind its alias, if there is none."""
        for kind in KINDS:
            if not self.client.indices.exists_alias(name=self.alias(kind)):
                name = self.new_index_name(kind)
                self.client.indices.create(index=name, **self.index_body(kind))
                self.client.indices.put_alias(index=name, name=self.alias(kind))

    def drop_indices(self) -> None:
        for kind in KINDS:
            self.client.indices.delete(index=f"{self.alias(kind)}-*", ignore_unavailable=True)

    def refresh(self) -> None:
        for kind in KINDS:
            self.client.indices.refresh(index=self.alias(kind))

    def swap_actions(self, kind: str, new: str, old: Iterable[str]) -> list[dict[str, Any]]:
        """One atomic alias move: add the new version, remove every old one."""
        alias = self.alias(kind)
        return [{"add": {"index": new, "alias": alias}}] + [
            {"remove": {"index": name, "alias": alias}} for name in old
        ]

    def _current(self, kind: str) -> list[str]:
        try:
            return list(self.client.indices.get_alias(name=self.alias(kind)).keys())
        except NotFoundError:
            return []

    # --- indexing -------------------------------------------------------------------------------
    def _bulk(self, index: str, key: str, rows: Iterable[dict[str, Any]]) -> int:
        actions = ({"_index": index, "_id": row[key], "_source": _source(row)} for row in rows)
        done, _errors = bulk(self.client, actions, chunk_size=1000, raise_on_error=True)
        return done

    def _delete(self, index: str, ids: Iterable[int]) -> None:
        actions = [{"_op_type": "delete", "_index": index, "_id": i} for i in ids]
        if actions:
            bulk(self.client, actions, raise_on_error=False)

    def index_cases(self, case_ids: Iterable[int]) -> int:
        self.create_indices()
        ids = list(case_ids)
        rows = [documents.case_fields(c) for c in documents.case_queryset().filter(pk__in=ids)]
        found = {r["case_id"] for r in rows}
        self._delete(self.alias("cases"), [i for i in ids if i not in found])
        return self._bulk(self.alias("cases"), "case_id", rows)

    def index_residents(self, resident_ids: Iterable[int]) -> int:
        self.create_indices()
        ids = list(resident_ids)
        rows = [documents.resident_fields(r) for r in Resident.objects.filter(pk__in=ids)]
        found = {r["resident_id"] for r in rows}
        self._delete(self.alias("residents"), [i for i in ids if i not in found])
        done = self._bulk(self.alias("residents"), "resident_id", rows)
        case_ids = set(Case.objects.filter(resident_id__in=ids).values_list("id", flat=True))
        stale = Search(using=self.client, index=self.alias("cases")).filter(
            "terms", resident_id=ids
        )
        case_ids |= {int(hit.meta.id) for hit in stale.source(False).scan()}
        if case_ids:
            self.index_cases(sorted(case_ids))
        return done

    def remove_case(self, case_id: int) -> None:
        self._delete(self.alias("cases"), [case_id])

    def remove_resident(self, resident_id: int) -> None:
        self._delete(self.alias("residents"), [resident_id])

    def rebuild(self, progress: Progress | None = None, *, batch_size: int = 2000) -> int:
        started = timezone.now()
        done = 0
        new = {kind: self.new_index_name(kind) for kind in KINDS}
        for kind, name in new.items():
            self.client.indices.create(index=name, **self.index_body(kind))
        ids = Resident.objects.order_by("pk").values_list("pk", flat=True).iterator(batch_size)
        for batch in documents.batched(ids, batch_size):
            rows = [documents.resident_fields(r) for r in Resident.objects.filter(pk__in=batch)]
            self._bulk(new["residents"], "resident_id", rows)
            done += len(batch)
            if progress:
                progress(len(batch))
        ids = Case.objects.order_by("pk").values_list("pk", flat=True).iterator(batch_size)
        for batch in documents.batched(ids, batch_size):
            rows = [
                documents.case_fields(c) for c in documents.case_queryset().filter(pk__in=batch)
            ]
            self._bulk(new["cases"], "case_id", rows)
            done += len(batch)
            if progress:
                progress(len(batch))
        for kind, name in new.items():
            self.client.indices.refresh(index=name)
            old = self._current(kind)
            self.client.indices.update_aliases(actions=self.swap_actions(kind, name, old))
            for stale in old:
                self.client.indices.delete(index=stale, ignore_unavailable=True)
        # What changed while the new version was being filled.
        self.index_residents(
            Resident.objects.filter(updated_at__gte=started).values_list("pk", flat=True)
        )
        self.index_cases(Case.objects.filter(updated_at__gte=started).values_list("pk", flat=True))
        return done

    # --- queries --------------------------------------------------------------------------------
    def _identifiers(self, query: ParsedQuery, kind: str) -> list[es.Query]:
        filters: list[es.Query] = []
        if query.reference:
            filters.append(es.Term(reference=query.reference))
        if query.phone:
            filters.append(es.Term(phone=query.phone))
        if query.email:
            filters.append(es.Term(email=query.email))
        for value, fields in (
            (query.postcode, ("postcode", "resident_postcode")),
            (query.district, ("district", "resident_district")),
        ):
            if value:
                fields = fields if kind == "cases" else fields[:1]
                filters.append(
                    es.Bool(should=[es.Term(**{f: value}) for f in fields], minimum_should_match=1)
                )
        return filters

    def _words(self, query: ParsedQuery, kind: str) -> list[es.Query]:
        """One clause per word, all required (as in the database backend): a word matches
        by its spelling in any text field, fuzzily in the name or address, or by one of its
        misspelling keys. A stop word ("the") analyses to nothing in the ``english`` analyser
        and then matches everything, so it is not required."""
        text_fields = ["name^3", "address"]
        if kind == "cases":
            text_fields += ["summary^2", "service_name^2", "body", "reference"]
        clauses: list[es.Query] = []
        keys_by_word = query.keys_by_word or tuple(() for _ in query.words)
        for word, keys in zip(query.words, keys_by_word, strict=True):
            should: list[es.Query] = [
                es.MultiMatch(query=word, fields=text_fields, boost=4),
                es.Match(name={"query": word, "fuzziness": "AUTO", "boost": 2}),
                es.Match(address={"query": word, "fuzziness": "AUTO"}),
                es.Match(
                    name={
                        "query": word,
                        "analyzer": "english",
                        "zero_terms_query": "all",
                        "boost": 0,
                    }
                ),
            ]
            if keys:
                should.append(es.Terms(name_keys=list(keys), boost=3))
            clauses.append(es.Bool(should=should, minimum_should_match=1))
        return clauses

    def build_search(self, user, query: ParsedQuery, kind: str, *, limit: int) -> Search | None:
        """The request for one kind, or None when the user may see none of that kind."""
        filters: list[es.Query]
        if kind == "cases":
            rule = case_rule(user)
            if rule is None:
                return None
            filters = [elasticsearch_filter(rule)]
        else:
            if not may_find_residents(user) or query.reference:
                return None
            filters = [es.Term(merged=False)]
        filters += self._identifiers(query, kind)
        must = self._words(query, kind) if query.words else [es.MatchAll()]
        key = "case_id" if kind == "cases" else "resident_id"
        search = Search(using=self.client, index=self.alias(kind)).query(
            es.Bool(filter=filters, must=must)
        )
        return search.sort("_score", {key: "desc"}).extra(track_total_hits=CANDIDATE_LIMIT + 1)[
            :limit
        ]

    def run(self, user, query: ParsedQuery, *, limit: int) -> SearchResults:
        found: dict[str, tuple[list, int]] = {}
        for kind in KINDS:
            search = self.build_search(user, query, kind, limit=limit)
            if search is None:
                found[kind] = ([], 0)
                continue
            response = search.execute()
            rows = [(hit.to_dict(), hit.meta.score or 0.0) for hit in response]
            found[kind] = (rows, response.hits.total.value)
        cases, case_count = found["cases"]
        residents, resident_count = found["residents"]
        return SearchResults(
            query=query,
            cases=[case_hit(query, _flat(row), score) for row, score in cases],
            residents=[resident_hit(query, _flat(row), score) for row, score in residents],
            case_count=case_count,
            resident_count=resident_count,
            case_count_capped=case_count > CANDIDATE_LIMIT,
            resident_count_capped=resident_count > CANDIDATE_LIMIT,
        )


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["name_keys"] = " ".join(row.get("name_keys") or [])
    return row
