"""The case permission rules of ``services.permissions``, restated on search documents.

There is exactly one statement of who may see which case: ``services.permissions.case_filter``.
Search does not copy those rules; it *translates* the ``Q`` that function returns, lookup by
lookup, onto the fields a search document carries (a SQL condition on ``CaseDocument`` rows, an
Elasticsearch bool filter). A lookup it does not know raises ``UntranslatableRule`` instead of
being dropped, so if the rules grow a condition on a field search does not index, searching
fails loudly (and the permission tests fail) rather than leaking cases.

On PostgreSQL the rule is stated a third way, as a ``tsquery`` over permission tokens that each
case document's ``search_vector`` carries (``tsquery_filter``; ``"zzrc3"`` for responsible
council 3, ``"zzr1"`` for restricted, …): word matching and permission are then decided
together inside the GIN index, so a word found in 60,000 cases of the other council costs an
index intersection, not 60,000 row visits. It only narrows: the SQL condition is still applied
to every row, so the token form can never widen what a user sees.

Joint working needs no reindex: a document carries the councils of its case (``zzrc``/``zzdc``
tokens), and which councils a member of staff serves (their own and their office's,
``services.permissions.councils_served``) is read at query time, when ``case_filter`` is built;
an agent of an office serving both councils gets ``responsible_council_id__in=[…]``, which
translates to ``( zzrc1 | zzrc2 )``. Changing what an office serves takes effect on the next
search.

Residents are people, not cases: any member of staff may find any resident (the contact centre
must recognise every caller), but a resident's cases are listed through the case rules.
"""

from typing import Any

from django.db.models import Q
from elasticsearch.dsl import query as es

from services import permissions

# Case lookup (as written in services.permissions) → search document field.
CASE_FIELDS = {
    "responsible_council_id": "responsible_council_id",
    "responsible_council": "responsible_council_id",
    "delivering_council_id": "delivering_council_id",
    "delivering_council": "delivering_council_id",
    "team_id": "team_id",
    "team": "team_id",
    "service__joint": "joint",
    "service__restricted": "restricted",
    "service__delivering_team_id": "delivering_team_id",
    "service__delivering_team": "delivering_team_id",
    "service_id": "service_id",
    "service": "service_id",
}


class UntranslatableRule(LookupError):
    """``case_filter`` uses a lookup that search documents cannot express."""


def _split(lookup: str) -> tuple[str, str]:
    if lookup in CASE_FIELDS:
        return CASE_FIELDS[lookup], "exact"
    field, _, operator = lookup.rpartition("__")
    if field in CASE_FIELDS and operator in ("exact", "in"):
        return CASE_FIELDS[field], operator
    raise UntranslatableRule(f"Search documents cannot express the case rule {lookup!r}.")


def _plain(value: Any) -> Any:
    """Model instances → primary keys; querysets → lists (evaluated once, here)."""
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "__iter__") and not isinstance(value, (str, bytes)):
        return [_plain(v) for v in value]
    return value


def document_q(rule: Q) -> Q:
    """``rule`` (on ``Case``) as the same condition on ``CaseDocument``."""
    children = []
    for child in rule.children:
        if isinstance(child, Q):
            children.append(document_q(child))
        else:
            lookup, value = child
            field, operator = _split(lookup)
            key = field if operator == "exact" else f"{field}__in"
            children.append(Q(**{key: _plain(value)}))
    result = Q()
    for child in children:
        result = (result & child) if rule.connector == Q.AND else (result | child)
    if rule.connector == Q.OR and not children:
        result = Q()
    return ~result if rule.negated else result


# Document field → the prefix of its permission token in ``search_vector``.
TOKEN_PREFIXES = {
    "responsible_council_id": "zzrc",
    "delivering_council_id": "zzdc",
    "team_id": "zzt",
    "delivering_team_id": "zzdt",
    "service_id": "zzs",
    "joint": "zzj",
    "restricted": "zzr",
}
# A token no document has: the tsquery for "no case at all" (an empty ``__in``).
NOTHING = "zznone"


def permission_token(field: str, value: Any) -> str:
    """``("team_id", 5)`` → ``"zzt5"``; ``("restricted", True)`` → ``"zzr1"`` and
    ``("restricted", False)`` → ``"!zzr1"``: a yes/no field has a token only when it is true.
    (A ``zzr0`` token would be in 96% of the documents, and reading its posting list cost
    80 ms on every search; ``!zzr1`` reads the short list of the restricted ones.)"""
    if isinstance(value, bool):
        return f"{TOKEN_PREFIXES[field]}1" if value else f"!{TOKEN_PREFIXES[field]}1"
    if not isinstance(value, int):
        raise UntranslatableRule(f"No permission token for {field}={value!r}.")
    return f"{TOKEN_PREFIXES[field]}{value}"


def permission_tokens(doc: dict[str, Any]) -> list[str]:
    """The permission tokens of a case document (fields that are NULL or false have none)."""
    return [
        permission_token(field, doc[field])
        for field in TOKEN_PREFIXES
        if doc.get(field) is not None and doc[field] is not False
    ]


def _join(operator: str, parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "( " + operator.join(parts) + " )"


def tsquery_filter(rule: Q) -> str | None:
    """``rule`` (on ``Case``) as tsquery text over permission tokens; ``None`` when the rule
    lets everything through (nothing to add)."""
    parts: list[str | None] = []
    for child in rule.children:
        if isinstance(child, Q):
            parts.append(tsquery_filter(child))
        else:
            lookup, value = child
            field, operator = _split(lookup)
            value = _plain(value)
            if operator == "in":
                tokens = [permission_token(field, v) for v in value]
                parts.append("( " + " | ".join(tokens) + " )" if tokens else NOTHING)
            else:
                parts.append(permission_token(field, value))
    if rule.connector == Q.AND:
        required = [p for p in parts if p is not None]
        combined = _join(" & ", required) if required else None
    else:
        combined = None if (not parts or None in parts) else _join(" | ", parts)
    if rule.negated:
        return NOTHING if combined is None else f"!{combined}"
    return combined


def elasticsearch_filter(rule: Q) -> es.Query:
    """``rule`` (on ``Case``) as an Elasticsearch filter on the indexed document fields."""
    parts: list[es.Query] = []
    for child in rule.children:
        if isinstance(child, Q):
            parts.append(elasticsearch_filter(child))
        else:
            lookup, value = child
            field, operator = _split(lookup)
            value = _plain(value)
            if operator == "in":
                parts.append(es.Terms(**{field: list(value)}))
            else:
                parts.append(es.Term(**{field: value}))
    if not parts:
        combined: es.Query = es.MatchAll()
    elif rule.connector == Q.AND:
        combined = es.Bool(filter=parts)
    else:
        combined = es.Bool(should=parts, minimum_should_match=1)
    return es.Bool(must_not=[combined]) if rule.negated else combined


def case_rule(user) -> Q | None:
    """The user's case rule from ``services.permissions``; ``None`` means no case at all."""
    return permissions.case_filter(user)


def may_find_residents(user) -> bool:
    return permissions.sees_everything(user) or permissions.is_staff_member(user)
