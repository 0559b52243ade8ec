"""Equality monitoring results: responses and satisfaction per answer, suppressed like the rest.

The councils compare satisfaction between groups to see whether any group is served worse.
Figures come only from ``EqualityResponse``, which cannot be joined to a case or a person.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from reports.forms import EqualityForm
from reports.models import EqualityResponse
from reports.published import Cell, count_cell, share_cell

SATISFIED = (
    EqualityResponse.Satisfaction.VERY_SATISFIED,
    EqualityResponse.Satisfaction.SATISFIED,
)
CHARACTERISTICS = [
    "age_band",
    "sex",
    "gender_identity_same",
    "disability",
    "ethnicity",
    "religion",
    "sexual_orientation",
]


@dataclass
class AnswerRow:
    key: str
    label: str
    responses: Cell
    satisfied_share: Cell


@dataclass
class CharacteristicTable:
    field: str
    question: str
    rows: list[AnswerRow]


def results(responses=None) -> list[CharacteristicTable]:
    """One table per protected characteristic, every answer listed (not answered included)."""
    responses = responses if responses is not None else EqualityResponse.objects.all()
    labels = EqualityForm.Meta.labels
    tables = []
    for name in CHARACTERISTICS:
        field = EqualityResponse._meta.get_field(name)
        counts = {
            row[name]: row
            for row in responses.values(name).annotate(
                n=Count("id"),
                rated=Count("id", filter=~Q(satisfaction="")),
                satisfied=Count("id", filter=Q(satisfaction__in=SATISFIED)),
            )
        }
        rows = []
        for value, label in [*field.choices, ("", _("Not answered"))]:
            row = counts.get(value, {"n": 0, "rated": 0, "satisfied": 0})
            rows.append(
                AnswerRow(
                    key=value or "not_answered",
                    label=str(label),
                    responses=count_cell(row["n"]),
                    satisfied_share=share_cell(row["satisfied"], row["rated"]),
                )
            )
        tables.append(CharacteristicTable(name, str(labels[name]), rows))
    return tables
