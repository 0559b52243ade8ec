"""What goes into a search document, computed once for every backend.

Both backends index exactly these values, so a behaviour tested on one holds on the other:
identifiers are stored normalised (phone E.164, email lower case, postcode "MK9 3EJ"), names
carry their misspelling keys, and the case text holds the words staff remember (summary,
description, form answers, and the messages and notes on its timeline).

A document is defined twice, on purpose, and a test holds the two together
(``tests/search/test_documents.py``): ``case_fields`` / ``resident_fields`` build it in Python
for Elasticsearch and the SQLite demo; ``case_rows_sql`` / ``resident_rows_sql`` build the same
rows inside PostgreSQL, so the database backend writes thousands of documents per statement
(``INSERT … SELECT`` with the text aggregated and the ``tsvector`` computed in SQL). What
needs Python — misspelling keys (``jellyfish``), postcode and email normalisation — is
computed per batch by ``python_values`` and handed to that statement as arrays. Incremental
indexing and ``manage.py reindex`` run the very same statement, for a few ids or for a batch.
"""

import functools
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Prefetch

from search.models import CaseDocument, ResidentDocument
from search.permissions import TOKEN_PREFIXES
from search.phonetics import name_keys
from services import postcodes
from services.models import Case, Message, Resident, Service, TimelineEvent

MAX_BODY = 20_000
MAX_MESSAGES = 50


@functools.lru_cache(maxsize=65_536)
def _postcode(text: str) -> tuple[str, str]:
    try:
        code = postcodes.normalise(text)
    except postcodes.InvalidPostcode:
        return "", ""
    return code, code.split(" ")[0]


@functools.lru_cache(maxsize=65_536)
def keys_text(name: str) -> str:
    """The name's misspelling keys as stored (space-separated). Names repeat a lot: cached."""
    return " ".join(name_keys(name))


def _email(value: str | None) -> str:
    return (value or "").strip().lower()


def _answers_text(answers: Any) -> list[str]:
    if isinstance(answers, dict):
        return [t for v in answers.values() for t in _answers_text(v)]
    if isinstance(answers, list):
        return [t for v in answers for t in _answers_text(v)]
    if isinstance(answers, str):
        return [answers]
    return []


def resident_fields(resident: Resident) -> dict[str, Any]:
    postcode, district = _postcode(resident.postcode)
    return {
        "resident_id": resident.pk,
        "name": resident.name[:200],
        "name_keys": keys_text(resident.name),
        "email": _email(resident.email),
        "phone": resident.phone or "",
        "postcode": postcode,
        "district": district,
        "address": resident.address or "",
        "merged": resident.merged_into_id is not None,
    }


def case_queryset():
    """Cases with everything a document needs, in a handful of queries per batch."""
    return Case.objects.select_related("service", "resident").prefetch_related(
        Prefetch(
            "messages",
            queryset=Message.objects.only("id", "case_id", "subject", "body").order_by("-id"),
            to_attr="search_messages",
        ),
        Prefetch(
            "timeline",
            queryset=TimelineEvent.objects.exclude(body="").only("id", "case_id", "body"),
            to_attr="search_events",
        ),
    )


def resident_queryset():
    return Resident.objects.all()


def case_fields(case: Case) -> dict[str, Any]:
    resident = case.resident
    own_postcode, own_district = _postcode(case.postcode)
    resident_postcode, resident_district = _postcode(resident.postcode)
    messages = getattr(case, "search_messages", None)
    if messages is None:
        messages = list(case.messages.only("subject", "body").order_by("-id")[:MAX_MESSAGES])
    events = getattr(case, "search_events", None)
    if events is None:
        events = list(case.timeline.exclude(body="").only("body"))
    parts = [case.description, *_answers_text(case.answers)]
    parts += [f"{m.subject} {m.body}" for m in messages[:MAX_MESSAGES]]
    parts += [e.body for e in events]
    body = "\n".join(p for p in parts if p)[:MAX_BODY]
    service = case.service
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "resident_id": case.resident_id,
        "name": resident.name[:200],
        "name_keys": keys_text(resident.name),
        "email": _email(resident.email),
        "phone": resident.phone or "",
        "postcode": own_postcode or resident_postcode,
        "district": own_district or resident_district,
        "resident_postcode": resident_postcode,
        "resident_district": resident_district,
        "address": "\n".join(p for p in (case.location, resident.address) if p),
        "service_name": service.name,
        "summary": case.summary,
        "body": body,
        "status": case.status,
        "created_at": case.created_at,
        "service_id": service.pk,
        "responsible_council_id": case.responsible_council_id,
        "delivering_council_id": case.delivering_council_id,
        "team_id": case.team_id,
        "delivering_team_id": service.delivering_team_id,
        "joint": service.joint,
        "restricted": service.restricted,
    }


def batched(iterable: Iterable, size: int):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- the same documents, built by PostgreSQL -------------------------------------------------


def python_values(case_ids: list[int], resident_ids: list[int]) -> dict[str, list]:
    """What the SQL statements need from Python, for these cases and residents: the
    residents' keys, emails and postcodes (also for the residents of the cases), and the
    cases' own postcodes. Read in two small queries; returned as parallel lists (arrays)."""
    from django.db import connection

    residents: dict[int, tuple] = {}
    cases: list[tuple] = []
    with connection.cursor() as cursor:
        if case_ids:
            cursor.execute(
                f"SELECT c.id, c.postcode, r.id, r.name, r.email, r.postcode "  # noqa: S608
                f"FROM {Case._meta.db_table} c JOIN {Resident._meta.db_table} r "
                "ON r.id = c.resident_id WHERE c.id = ANY(%s)",
                [list(case_ids)],
            )
            for case_id, case_postcode, *resident in cursor.fetchall():
                cases.append((case_id, case_postcode))
                residents[resident[0]] = tuple(resident)
        wanted = [i for i in resident_ids if i not in residents]
        if wanted:
            cursor.execute(
                f"SELECT id, name, email, postcode FROM {Resident._meta.db_table} "  # noqa: S608
                "WHERE id = ANY(%s)",
                [wanted],
            )
            for row in cursor.fetchall():
                residents[row[0]] = tuple(row)
    values: dict[str, list] = {
        "r_id": [],
        "r_keys": [],
        "r_email": [],
        "r_postcode": [],
        "r_district": [],
        "c_id": [],
        "c_postcode": [],
        "c_district": [],
    }
    for resident_id, name, email, postcode in residents.values():
        code, district = _postcode(postcode or "")
        values["r_id"].append(resident_id)
        values["r_keys"].append(keys_text(name or ""))
        values["r_email"].append(_email(email))
        values["r_postcode"].append(code)
        values["r_district"].append(district)
    for case_id, postcode in cases:
        code, district = _postcode(postcode or "")
        values["c_id"].append(case_id)
        values["c_postcode"].append(code)
        values["c_district"].append(district)
    return values


_PY_RESIDENTS = (
    "unnest(%(r_id)s::bigint[], %(r_keys)s::text[], %(r_email)s::text[], "
    "%(r_postcode)s::text[], %(r_district)s::text[]) AS py(id, name_keys, email, postcode, district)"
)
_PY_CASES = (
    "unnest(%(c_id)s::bigint[], %(c_postcode)s::text[], %(c_district)s::text[]) "
    "AS pc(id, postcode, district)"
)


def _upsert(model, select: str) -> str:
    table = model._meta.db_table
    key = model._meta.pk.column
    columns = [f.column for f in model._meta.concrete_fields]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c != key)
    # Table and column names come from the model; values are always parameters.
    names = ", ".join(columns)
    insert = f"INSERT INTO {table} ({names}) SELECT {names} FROM ({select}) AS doc "  # noqa: S608
    return f"{insert}ON CONFLICT ({key}) DO UPDATE SET {updates}"


def resident_rows_sql() -> str:
    """Upsert the documents of the residents in ``python_values(…)["r_id"]``.

    Mirrors ``resident_fields``; the vector: name and its keys (A), address (C)."""
    resident = Resident._meta.db_table
    select = f"""
        SELECT r.id AS resident_id,
               left(r.name, 200) AS name,
               py.name_keys,
               py.email,
               coalesce(r.phone, '') AS phone,
               py.postcode,
               py.district,
               coalesce(r.address, '') AS address,
               r.merged_into_id IS NOT NULL AS merged,
               setweight(to_tsvector('simple', left(r.name, 200)), 'A')
                 || setweight(to_tsvector('simple', py.name_keys), 'A')
                 || setweight(to_tsvector('simple', coalesce(r.address, '')), 'C')
                 AS search_vector,
               now() AS indexed_at
        FROM {resident} r JOIN {_PY_RESIDENTS} ON py.id = r.id
    """  # noqa: S608 (table names from the models; values are parameters)
    return _upsert(ResidentDocument, select)


def _permission_tokens_sql(alias: str) -> str:
    """``search.permissions.permission_tokens`` in SQL: ``'zzrc' || d.responsible_council_id``
    and so on (NULL columns give no token; a yes/no column has ``zzr1`` when true, none when
    false)."""
    parts = []
    for field, prefix in TOKEN_PREFIXES.items():
        column = f"{alias}.{field}"
        if isinstance(CaseDocument._meta.get_field(field), models.BooleanField):
            parts.append(f"CASE WHEN {column} THEN '{prefix}1' END")
        else:
            parts.append(f"'{prefix}' || {column}")
    return f"concat_ws(' ', {', '.join(parts)})"


def case_rows_sql() -> str:
    """Upsert the documents of the cases in ``python_values(…)["c_id"]``.

    Mirrors ``case_fields`` field by field: the body is the description, the form answers'
    strings (depth first, as ``_answers_text``), the latest ``MAX_MESSAGES`` messages (newest
    first) and the timeline's texts (in timeline order), non-empty parts joined by newlines
    and cut to ``MAX_BODY`` characters. The vector: name, its keys and the reference (A),
    service and summary (B, English), address (C), body (D, English), and the permission
    tokens (``search.permissions.tsquery_filter``).
    """
    case = Case._meta.db_table
    resident = Resident._meta.db_table
    service = Service._meta.db_table
    message = Message._meta.db_table
    event = TimelineEvent._meta.db_table
    select = f"""
        SELECT d.*,
               setweight(to_tsvector('simple', d.name), 'A')
                 || setweight(to_tsvector('simple', d.name_keys), 'A')
                 || setweight(to_tsvector('simple', d.reference), 'A')
                 || setweight(to_tsvector('english', d.service_name || ' ' || d.summary), 'B')
                 || setweight(to_tsvector('simple', d.address), 'C')
                 || setweight(to_tsvector('english', d.body), 'D')
                 || to_tsvector('simple', {_permission_tokens_sql("d")})
                 AS search_vector,
               now() AS indexed_at
        FROM (
            SELECT c.id AS case_id,
                   c.reference,
                   c.resident_id,
                   left(r.name, 200) AS name,
                   py.name_keys,
                   py.email,
                   coalesce(r.phone, '') AS phone,
                   coalesce(nullif(pc.postcode, ''), py.postcode) AS postcode,
                   coalesce(nullif(pc.district, ''), py.district) AS district,
                   py.postcode AS resident_postcode,
                   py.district AS resident_district,
                   concat_ws(E'\\n', nullif(c.location, ''), nullif(r.address, '')) AS address,
                   s.name AS service_name,
                   c.summary,
                   left(concat_ws(E'\\n', nullif(c.description, ''), answers.text,
                                  messages.text, events.text), {MAX_BODY}) AS body,
                   c.status,
                   c.created_at,
                   s.id AS service_id,
                   c.responsible_council_id,
                   c.delivering_council_id,
                   c.team_id,
                   s.delivering_team_id,
                   s.joint,
                   s.restricted
            FROM {case} c
            JOIN {_PY_CASES} ON pc.id = c.id
            JOIN {resident} r ON r.id = c.resident_id
            JOIN {_PY_RESIDENTS} ON py.id = r.id
            JOIN {service} s ON s.id = c.service_id
            LEFT JOIN LATERAL (
                SELECT string_agg(a.value #>> '{{}}', E'\\n' ORDER BY a.n) AS text
                FROM jsonb_path_query(
                    c.answers, 'strict $.** ? (@.type() == "string")'
                ) WITH ORDINALITY AS a(value, n)
                WHERE a.value #>> '{{}}' <> ''
            ) answers ON true
            LEFT JOIN LATERAL (
                SELECT string_agg(m.subject || ' ' || m.body, E'\\n' ORDER BY m.id DESC) AS text
                FROM (
                    SELECT id, subject, body FROM {message}
                    WHERE case_id = c.id ORDER BY id DESC LIMIT {MAX_MESSAGES}
                ) m
            ) messages ON true
            LEFT JOIN LATERAL (
                SELECT string_agg(e.body, E'\\n' ORDER BY e.created_at, e.id) AS text
                FROM {event} e WHERE e.case_id = c.id AND e.body <> ''
            ) events ON true
        ) d
    """  # noqa: S608 (table names from the models; values are parameters)
    return _upsert(CaseDocument, select)
