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
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from desk.catalogue import Catalogue
from desk.catalogue import load as load_catalogue
from desk.templatetags.desk import SLA_TAGS, person
from services import permissions, sla
from services.models import Case, Channel, Priority, Service, Status
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
    if state == SlaState.PAUSED:
        return Q(status=Status.WAITING)
    return Q(status__in=ACTIVE_STATUSES) & _clock_condition(state, now)


def _clock_condition(state: str, now: datetime.datetime) -> Q:
    """The part of a running (not paused) SLA state that is not about the status."""
    running = Q(paused_at__isnull=True, due_at__isnull=False)
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


def _flat_attrs(attrs: dict) -> str:
    """Django's ``attrs.html``: ``False`` leaves the attribute out, ``True`` writes it bare."""
    return mark_safe(  # noqa: S308 - every part is built by format_html
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


class QuickSelect(forms.Select):
    """Django's ``Select`` — same context, same markup — written out in Python.

    The filter menus hold a hundred options; through the templates every option is two
    template renders, which was a sixth of the queue page's time.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], _flat_attrs(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            parts.extend(
                format_html(
                    # The option template's own closing newline, as Django writes it.
                    '\n  <option value="{}"{}>{}</option>\n',
                    str(option["value"]),
                    _flat_attrs(option["attrs"]),
                    option["label"],
                )
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is built by format_html


class CatalogueChoiceField(forms.ChoiceField):
    """A choice of catalogue row (council, office, team, service) from the loaded catalogue.

    Like ``ModelChoiceField`` it cleans to the object, but from memory: choosing a team costs
    no query.
    """

    widget = QuickSelect

    def __init__(self, *, label):
        super().__init__(required=False, label=label)
        self.objects: dict[int, object] = {}

    def set_objects(self, objects: dict) -> None:
        self.objects = objects
        self.choices = [("", _("Any")), *((pk, str(obj)) for pk, obj in objects.items())]

    def clean(self, value):
        value = super().clean(value)  # one of the choices, or empty
        return self.objects[int(value)] if value else None


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string. Unknown values are errors, not 500s."""

    council = CatalogueChoiceField(label=_("Council"))
    office = CatalogueChoiceField(label=_("Office"))
    team = CatalogueChoiceField(label=_("Team"))
    service = CatalogueChoiceField(label=_("Service"))
    channel = forms.ChoiceField(
        choices=[("", _("Any")), *Channel.choices],
        required=False,
        label=_("Channel"),
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES, required=False, label=_("Status"), widget=QuickSelect
    )
    sla = forms.ChoiceField(
        choices=SLA_CHOICES, required=False, label=_("Target time"), widget=QuickSelect
    )
    assigned = forms.ChoiceField(
        choices=ASSIGNED_CHOICES, required=False, label=_("Assigned"), widget=QuickSelect
    )
    after = CursorField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, catalogue: Catalogue | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue or load_catalogue()
        self.fields["council"].set_objects(self.catalogue.councils)
        self.fields["office"].set_objects(self.catalogue.offices)
        self.fields["team"].set_objects(self.catalogue.teams)
        self.fields["service"].set_objects(self.catalogue.services)

    def clean_status(self):
        return self.cleaned_data.get("status") or STATUS_OPEN


@dataclass
class QueuePage:
    cases: list[Case]
    counts: dict = field(default_factory=dict)
    next_cursor: str | None = None
    total: "Figure | None" = None


def _join_free(rule: Q) -> Q:
    """``rule`` with each condition on the case's service turned into a sub-select on services.

    ``service__restricted=False`` becomes ``service_id IN (SELECT id FROM services_service WHERE
    NOT restricted)``. The rows are the same — every case has exactly one service, so the join
    and the sub-select agree whatever the value, NULLs included, as long as nothing negates the
    condition (a negated part is left as it is). What changes is the plan: with no join,
    PostgreSQL plans each of the count's sub-counts in a third of the time, and the permission
    is still decided in the query, against the services table as it is now.
    """
    if rule.negated:
        return rule
    children = []
    for child in rule.children:
        if isinstance(child, Q):
            children.append(_join_free(child))
            continue
        lookup, value = child
        path = lookup.removeprefix("service__")
        if lookup.startswith("service__") and _single_valued(path):
            services = Service.objects.filter(**{path: value})
            children.append(Q(service_id__in=services.values("pk")))
        else:
            children.append(child)
    return Q(*children, _connector=rule.connector)


def _single_valued(path: str) -> bool:
    """Whether ``path`` (a lookup on ``Service``) crosses only single-valued relations, so
    that one condition in a sub-select means what it means across the join."""
    model = Service
    for part in path.split("__"):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return True  # the rest is a lookup: exact, in, isnull…
        if model_field.many_to_many or model_field.one_to_many:
            return False
        if not model_field.is_relation:
            return True
        model = model_field.related_model
    return True


def visible_cases(user) -> QuerySet[Case]:
    """``services.permissions.visible_cases`` — the same rule, without the join to services.

    The councils part (the user's own council and the ones their office serves, an equality or
    an ``IN`` list) is on the case's own columns and passes through unchanged."""
    rule = permissions.case_filter(user)
    if rule is None:
        return Case.objects.none()
    return Case.objects.filter(_join_free(rule))


def _statuses(data: dict) -> tuple[str, ...]:
    """The statuses the status filter lets through."""
    status = data.get("status") or STATUS_OPEN
    if status == STATUS_OPEN:
        return tuple(OPEN_STATUSES)
    if status == STATUS_ANY:
        return tuple(Status.values)
    return (status,)


def _status_q(statuses) -> Q:
    statuses = tuple(statuses)
    return Q(status=statuses[0]) if len(statuses) == 1 else Q(status__in=statuses)


def _sla_q(state: str, now: datetime.datetime, statuses: tuple[str, ...]) -> Q | None:
    """``sla_condition(state) & status in statuses`` with a single status condition, or ``None``
    when no case can match.

    Stating the status once matters: ``status IN (open ones) AND status IN (active ones)``
    makes PostgreSQL multiply the two selectivities, underestimate the rows tenfold and pick a
    bitmap scan, which reads the whole range before the ``LIMIT`` can stop it.
    """
    if state == SlaState.PAUSED:
        return Q(status=Status.WAITING) if Status.WAITING in statuses else None
    running = [s for s in statuses if s in ACTIVE_STATUSES]
    if not running:
        return None
    return _status_q(running) & _clock_condition(state, now)


def narrowed_cases(user, data: dict) -> QuerySet[Case]:
    """Visible cases narrowed by every filter but status and target time."""
    cases = visible_cases(user)
    if data.get("council"):
        # The council that works the case: what a supervisor's "our queue" means.
        cases = cases.filter(delivering_council=data["council"])
    for name in ("office", "team", "service"):
        if data.get(name):
            cases = cases.filter(**{name: data[name]})
    if data.get("channel"):
        cases = cases.filter(origin_channel=data["channel"])
    if data.get("assigned") == "me":
        cases = cases.filter(assignee=user)
    elif data.get("assigned") == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    return cases


def filtered_cases(user, data: dict, now: datetime.datetime) -> QuerySet[Case]:
    """Visible cases narrowed by the cleaned filters (the cursor is applied separately)."""
    return _by_status_and_time(narrowed_cases(user, data), data, now)


def _by_status_and_time(cases: QuerySet[Case], data: dict, now) -> QuerySet[Case]:
    statuses = _statuses(data)
    if data.get("sla"):
        condition = _sla_q(data["sla"], now, statuses)
        return cases.none() if condition is None else cases.filter(condition)
    return cases.filter(_status_q(statuses))


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
    sla: str = "",
) -> dict:
    """Cases per status and per SLA state for the current filter, in one SQL query.

    ``cases`` is narrowed by every filter but status and target time (``narrowed_cases``);
    ``statuses`` and ``sla`` are those two filters. Each figure is counted up to ``cap`` (+1 to
    know it was reached): a figure above the cap is reported as ``cap`` with ``capped`` set,
    shown as "1,000+".

    Only buckets that can hold a case are sent to PostgreSQL: with a target-time filter the
    other target-time buckets are empty by definition, and the chosen one is the total. The
    total is the sum of the status buckets (they partition it), capped the same way: if any
    bucket reached the cap the sum does too.
    """
    cap = COUNT_CAP if cap is None else cap
    statuses = tuple(statuses)
    sla_filter = _sla_q(sla, now, statuses) if sla else Q()
    buckets: list[tuple[str, QuerySet[Case]]] = []
    for value in statuses:
        if sla:
            condition = _sla_q(sla, now, (value,))
            if condition is not None:
                buckets.append((f"status_{value}", cases.filter(condition)))
        else:
            buckets.append((f"status_{value}", cases.filter(status=value)))
    if not sla:
        for state, _label in SLA_CHOICES[1:]:
            if state == SlaState.PAUSED and Status.WAITING in statuses:
                continue  # the same cases as the "waiting" bucket: counted once, below
            condition = _sla_q(state, now, statuses)
            if condition is not None:
                buckets.append((f"sla_{state}", cases.filter(condition)))
    if sla_filter is not None:
        undated = cases.filter(_status_q(statuses), sla_filter, due_at__isnull=True)
        buckets.append(("undated", undated))
    row = {}
    if buckets:
        parts, params = [], []
        for _name, queryset in buckets:
            part, part_params = _capped_count_sql(queryset, cap)
            parts.append(part)
            params.extend(part_params)
        with connections[cases.db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            values = cursor.fetchone()
        row = {name: value for (name, _), value in zip(buckets, values, strict=True)}
    total = sum(row.get(f"status_{value}", 0) for value in statuses)
    if not sla and Status.WAITING in statuses:
        row[f"sla_{SlaState.PAUSED}"] = row[f"status_{Status.WAITING}"]
    if sla:
        for state, _label in SLA_CHOICES[1:]:
            row[f"sla_{state}"] = total if state == sla else 0

    def figure(value: int) -> Figure:
        return Figure(min(value, cap), value > cap)

    return {
        "total": figure(total),
        "undated": row.get("undated", 0),
        "statuses": [
            (value, label, figure(row[f"status_{value}"]))
            for value, label in Status.choices
            if row.get(f"status_{value}")
        ],
        "sla": [
            (state, label, figure(row.get(f"sla_{state}", 0))) for state, label in SLA_CHOICES[1:]
        ],
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


def present(cases: list[Case], now: datetime.datetime) -> None:
    """Give each row what the queue template prints, worked out once per page.

    ``get_status_display()`` and friends hash every translated label of the field on every
    call, and an inclusion tag renders a template per row; for fifty rows that was a third of
    the page's time. Labels are translated once here, in the request's language.
    """
    statuses = {value: str(label) for value, label in Status.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    states = {state: (str(label), css) for state, (label, css) in SLA_TAGS.items()}
    for case in cases:
        case.status_label = statuses.get(case.status, case.status)
        case.channel_label = channels.get(case.origin_channel, case.origin_channel)
        case.priority_label = (
            priorities.get(case.priority) if case.priority >= Priority.HIGH else ""
        )
        case.sla_label, case.sla_css = states[sla.state_of(case, now)]
        case.assignee_name = person(case.assignee)
        case.desk_url = reverse("desk:case", args=[case.reference])


def queue_page(
    user,
    data: dict,
    *,
    now: datetime.datetime | None = None,
    catalogue: Catalogue | None = None,
) -> QueuePage:
    """One page of the queue, most urgent first (due soonest; cases with no due time last).

    The page is read in two parts so that each is a plain range scan of an index on
    ``(due_at, id)``: the cases with a due time after the cursor, then — only when that part
    runs out and the counts say there are any — the cases without one (referrals), by id.
    An ``OR due_at IS NULL`` in one query would stop PostgreSQL using the index range.
    """
    now = now or timezone.now()
    narrowed = narrowed_cases(user, data)
    cases = _by_status_and_time(narrowed, data, now)
    counts = counts_for(narrowed, now, statuses=_statuses(data), sla=data.get("sla") or "")
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
    attach_catalogue(rows, (catalogue or load_catalogue()).for_relation())
    present(rows, now)
    return QueuePage(cases=rows, counts=counts, next_cursor=next_cursor, total=counts["total"])
