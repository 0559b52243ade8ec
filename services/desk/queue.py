"""The shared queue: filters, counts and keyset pagination over the cases a user may see.

Every query starts from ``services.permissions.visible_cases(user)``, so the rows, the counts
and the cursor never include a case the user may not see. Pages are cut with a keyset cursor
on ``(due_at, id)`` — never ``OFFSET`` — so page 10,000 costs what page 1 costs, and a case
that changes while an agent pages through does not shift the rest of the list.

The number of SQL queries for a page is constant: the rows (with everything the template
shows joined in), one aggregate for the counts, and the small lists the filter menus need.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from services import permissions
from services.models import Case, Channel, Council, Office, Service, Status, Team
from services.models.cases import ACTIVE_STATUSES, OPEN_STATUSES
from services.sla import AT_RISK_WINDOW, SlaState

PAGE_SIZE = 50

# The statuses filter: a status, or one of two groups. "Open" is the working queue.
STATUS_OPEN = "open_all"
STATUS_ANY = "any"
STATUS_CHOICES = [
    (STATUS_OPEN, _("All open cases")),
    (STATUS_ANY, _("Every status")),
    *Status.choices,
]
SLA_CHOICES = [
    ("", _("Any")),
    (SlaState.ON_TRACK, _("On track")),
    (SlaState.AT_RISK, _("At risk")),
    (SlaState.BREACHED, _("Target missed")),
    (SlaState.PAUSED, _("Paused (waiting for resident)")),
]
SLA_LABELS = dict(SLA_CHOICES)
ASSIGNED_CHOICES = [
    ("", _("Anyone or nobody")),
    ("me", _("Assigned to me")),
    ("unassigned", _("Unassigned")),
]


def sla_condition(state: str, now: datetime.datetime) -> Q:
    """The SQL form of ``services.sla.state_of``: the two must always agree."""
    # ``state_of`` also calls a case with ``paused_at`` set paused, but the actions set
    # ``paused_at`` exactly while a case is waiting, so the status alone says it — and it is
    # indexed, where ``paused_at IS NOT NULL`` would scan the whole queue.
    paused = Q(status=Status.WAITING)
    running = Q(status__in=ACTIVE_STATUSES, paused_at__isnull=True, due_at__isnull=False)
    if state == SlaState.PAUSED:
        return paused
    if state == SlaState.BREACHED:
        return running & Q(due_at__lte=now)
    if state == SlaState.AT_RISK:
        return running & Q(due_at__gt=now, due_at__lte=now + AT_RISK_WINDOW)
    if state == SlaState.ON_TRACK:
        return running & Q(due_at__gt=now + AT_RISK_WINDOW)
    raise ValueError(f"Unknown SLA state {state!r}")


class CursorField(forms.CharField):
    """``<due_at ISO or '-'>_<id>``: where the previous page stopped."""

    default_error_messages = {"invalid": _("That page link is broken. Start from the first page.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        due_text, sep, id_text = value.rpartition("_")
        if not sep or not id_text.isdigit() or len(id_text) > 18:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if due_text == "-":
            return (None, int(id_text))
        try:
            due = parse_datetime(due_text)
        except ValueError:
            due = None
        if due is None or timezone.is_naive(due):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return (due, int(id_text))


def encode_cursor(case: Case) -> str:
    due = case.due_at.isoformat() if case.due_at else "-"
    return f"{due}_{case.pk}"


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string. Unknown values are errors, not 500s."""

    council = forms.ModelChoiceField(
        queryset=Council.objects.all(), required=False, empty_label=_("Any"), label=_("Council")
    )
    office = forms.ModelChoiceField(
        queryset=Office.objects.all(), required=False, empty_label=_("Any"), label=_("Office")
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("council"),
        required=False,
        empty_label=_("Any"),
        label=_("Team"),
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.all(), required=False, empty_label=_("Any"), label=_("Service")
    )
    channel = forms.ChoiceField(
        choices=[("", _("Any")), *Channel.choices], required=False, label=_("Channel")
    )
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label=_("Status"))
    sla = forms.ChoiceField(choices=SLA_CHOICES, required=False, label=_("Target time"))
    assigned = forms.ChoiceField(choices=ASSIGNED_CHOICES, required=False, label=_("Assigned"))
    after = CursorField(required=False, widget=forms.HiddenInput)

    def clean_status(self):
        return self.cleaned_data.get("status") or STATUS_OPEN


@dataclass
class QueuePage:
    cases: list[Case]
    counts: dict = field(default_factory=dict)
    next_cursor: str | None = None
    total: "Figure | None" = None


def filtered_cases(user, data: dict, now: datetime.datetime) -> QuerySet[Case]:
    """Visible cases narrowed by the cleaned filters (the cursor is applied separately)."""
    cases = permissions.visible_cases(user)
    if data.get("council"):
        # The council that works the case: what a supervisor's "our queue" means.
        cases = cases.filter(delivering_council=data["council"])
    for name in ("office", "team", "service"):
        if data.get(name):
            cases = cases.filter(**{name: data[name]})
    if data.get("channel"):
        cases = cases.filter(origin_channel=data["channel"])
    status = data.get("status") or STATUS_OPEN
    if status == STATUS_OPEN:
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status != STATUS_ANY:
        cases = cases.filter(status=status)
    if data.get("sla"):
        cases = cases.filter(sla_condition(data["sla"], now))
    if data.get("assigned") == "me":
        cases = cases.filter(assignee=user)
    elif data.get("assigned") == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    return cases


# Counts stop at this many: "1,000+ breached" is as actionable as the exact figure, and
# counting a capped bucket is an index range scan that stops early, so the page costs the
# same with a hundred open cases or a million. The supervisor view has exact figures.
COUNT_CAP = 1000


def _capped_count_sql(cases: QuerySet[Case], cap: int) -> tuple[str, tuple]:
    sql, params = cases.order_by().values("id")[: cap + 1].query.sql_with_params()
    return f"(SELECT COUNT(*) FROM ({sql}) AS capped)", params  # noqa: S608


def counts_for(
    cases: QuerySet[Case],
    now: datetime.datetime,
    cap: int | None = None,
    statuses: tuple[str, ...] = tuple(Status.values),
) -> dict:
    """Cases per status and per SLA state for the current filter, in one SQL query.

    Each figure is counted up to ``cap`` (+1 to know it was reached): a figure above the cap is
    reported as ``cap`` with ``capped`` set, shown as "1,000+".
    """
    cap = COUNT_CAP if cap is None else cap
    # Only the statuses the filter allows: a bucket that cannot match would still be scanned.
    buckets: list[tuple[str, QuerySet[Case]]] = [
        (f"status_{value}", cases.filter(status=value)) for value in statuses
    ]
    buckets += [
        (f"sla_{state}", cases.filter(sla_condition(state, now))) for state, _ in SLA_CHOICES[1:]
    ]
    buckets += [("total", cases), ("undated", cases.filter(due_at__isnull=True))]
    parts, params = [], []
    for _name, queryset in buckets:
        part, part_params = _capped_count_sql(queryset, cap)
        parts.append(part)
        params.extend(part_params)
    with connections[cases.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        values = cursor.fetchone()
    row = {name: value for (name, _), value in zip(buckets, values, strict=True)}

    def figure(name: str) -> Figure:
        return Figure(min(row[name], cap), row[name] > cap)

    return {
        "total": figure("total"),
        "undated": row["undated"],
        "statuses": [
            (value, label, figure(f"status_{value}"))
            for value, label in Status.choices
            if row.get(f"status_{value}")
        ],
        "sla": [(state, label, figure(f"sla_{state}")) for state, label in SLA_CHOICES[1:]],
    }


@dataclass(frozen=True)
class Figure:
    """A figure for the queue: exact, or a lower bound when ``capped``."""

    value: int
    capped: bool = False

    def __int__(self) -> int:
        return self.value

    def __eq__(self, other):
        if isinstance(other, int):
            return not self.capped and self.value == other
        return super().__eq__(other)

    def __hash__(self):
        return hash((self.value, self.capped))

    def __str__(self) -> str:
        text = intcomma(self.value)
        return f"{text}+" if self.capped else str(text)


# Rows join only what can be large (residents, users). The catalogue (services, teams,
# offices, councils) is small and already loaded for the filter menus: the rows take their
# names from there. Each extra join costs PostgreSQL planning time on every page view.
_ROW_RELATIONS = ("resident", "assignee")
_ROW_FIELDS = (
    "id",
    "reference",
    "summary",
    "status",
    "priority",
    "origin_channel",
    "due_at",
    "paused_at",
    "created_at",
    "service_id",
    "team_id",
    "office_id",
    "delivering_council_id",
    "resident__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)


def _rows(cases: QuerySet[Case], order: tuple[str, ...], limit: int) -> list[Case]:
    return list(cases.select_related(*_ROW_RELATIONS).only(*_ROW_FIELDS).order_by(*order)[:limit])


def attach_catalogue(cases: list[Case], catalogue: dict[str, dict]) -> None:
    """Set each row's service, team, office and council from the already-loaded catalogue.

    ``catalogue`` maps a relation name to ``{id: object}``; rows whose object is not in it
    (a service added since the menus loaded) keep Django's lazy lookup.
    """
    for case in cases:
        for name, objects in catalogue.items():
            obj = objects.get(getattr(case, f"{name}_id"))
            if obj is not None:
                setattr(case, name, obj)


def queue_page(
    user, data: dict, *, now: datetime.datetime | None = None, catalogue: dict | None = None
) -> QueuePage:
    """One page of the queue, most urgent first (due soonest; cases with no due time last).

    The page is read in two parts so that each is a plain range scan of an index on
    ``(due_at, id)``: the cases with a due time after the cursor, then — only when that part
    runs out and the counts say there are any — the cases without one (referrals), by id.
    An ``OR due_at IS NULL`` in one query would stop PostgreSQL using the index range.
    """
    now = now or timezone.now()
    cases = filtered_cases(user, data, now)
    status = data.get("status") or STATUS_OPEN
    statuses = (
        tuple(OPEN_STATUSES)
        if status == STATUS_OPEN
        else tuple(Status.values)
        if status == STATUS_ANY
        else (status,)
    )
    counts = counts_for(cases, now, statuses=statuses)
    cursor = data.get("after")
    want = PAGE_SIZE + 1
    rows: list[Case] = []
    if cursor is None or cursor[0] is not None:
        dated = cases.filter(due_at__isnull=False)
        if cursor is not None:
            due, last_id = cursor
            # due_at >= d narrows the index range; the OR only trims ties on the boundary.
            dated = dated.filter(Q(due_at__gte=due), Q(due_at__gt=due) | Q(id__gt=last_id))
        rows = _rows(dated, ("due_at", "id"), want)
    if len(rows) < want and counts["undated"]:
        undated = cases.filter(due_at__isnull=True)
        if cursor is not None and cursor[0] is None:
            undated = undated.filter(id__gt=cursor[1])
        rows += _rows(undated, ("id",), want - len(rows))
    next_cursor = encode_cursor(rows[PAGE_SIZE - 1]) if len(rows) > PAGE_SIZE else None
    rows = rows[:PAGE_SIZE]
    if catalogue is None:
        catalogue = {
            "service": {o.pk: o for o in Service.objects.all()},
            "team": {o.pk: o for o in Team.objects.all()},
            "office": {o.pk: o for o in Office.objects.all()},
            "delivering_council": {o.pk: o for o in Council.objects.all()},
        }
    attach_catalogue(rows, catalogue)
    return QueuePage(cases=rows, counts=counts, next_cursor=next_cursor, total=counts["total"])
