"""The case permission rules of ``services.permissions``, restated on search documents.

There is exactly one statement of who may see which case: ``services.permissions.case_filter``.
Search does not copy those rules; it *translates* the ``Q`` that function returns, lookup by
lookup, onto the fields a search document carries (a SQL condition on ``CaseDocument`` rows, an
Elasticsearch bool filter). A lookup it does not know raises ``UntranslatableRule`` instead of
being dropped, so if the rules grow a condition on a field search does not index, searching
fails loudly (and the permission tests fail) rather than leaking cases.

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
