"""``manage.py generate_cases --count N [--seed S]``: synthetic volume for benchmarks and demos.

Creates realistic residents (UK names, ``+447400…`` mobiles, ``example.com`` addresses so nobody
real is ever contacted, postcodes in the councils' districts) and cases across both councils,
every channel and every status, with sensible timestamps, the SLA due time computed by the
councils' working calendars, a "created" timeline event for every case, status and
assignment events for worked cases, and inbound messages on some.

Each run ADDS ``N`` more cases (it never deletes); ``load_demo`` must have been run first
(the catalogue is needed). Nothing is sent: generated messages are inbound or already
delivered, and no task is queued.

Speed: on PostgreSQL rows go in with ``COPY`` (psycopg 3's ``cursor.copy``), one transaction
per batch, with ids and references drawn from the database's sequences in bulk, so 1,000,000
cases take minutes on two cores. Other databases (the SQLite demo) use ``bulk_create``.
"""

import bisect
import csv
import datetime
import itertools
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from services import reference
from services.models import (
    Case,
    Channel,
    Direction,
    EventKind,
    Message,
    MessageStatus,
    Priority,
    Resident,
    Service,
    StaffProfile,
    Status,
    TimelineEvent,
)
from services.sla import WorkingCalendar

POSTCODES_CSV = Path(__file__).resolve().parents[2] / "data" / "postcode_districts.csv"

FIRST_NAMES = [
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Noah",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "James",
    "William",
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Sophia",
    "Grace",
    "Freya",
    "Florence",
    "Emily",
    "Poppy",
    "Chloe",
    "Priya",
    "Aisha",
    "Fatima",
    "Zainab",
    "Hassan",
    "Omar",
    "Ayesha",
    "Imran",
    "Kwame",
    "Chidi",
    "Ngozi",
    "Amara",
    "Tunde",
    "Femi",
    "Ewa",
    "Piotr",
    "Kasia",
    "Tomasz",
    "Agnieszka",
    "Ioana",
    "Andrei",
    "Mihai",
    "Elena",
    "Joao",
    "Ana",
    "Rui",
    "Margaret",
    "David",
    "Susan",
    "Peter",
    "Linda",
    "Michael",
    "Janet",
    "Robert",
    "Patricia",
    "John",
    "Barbara",
    "Sean",
    "Siobhan",
    "Declan",
    "Aoife",
]
SURNAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Shah",
    "Hussain",
    "Ahmed",
    "Ali",
    "Begum",
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Nowak",
    "Kowalski",
    "Wisniewski",
    "Popescu",
    "Ionescu",
    "Silva",
    "Santos",
    "Murphy",
    "Kelly",
    "Byrne",
    "Hughes",
    "Edwards",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "King",
    "Lee",
    "Turner",
    "Hill",
    "Baker",
]
STREETS = [
    "Midsummer Boulevard",
    "Silbury Boulevard",
    "Saxon Gate",
    "Elder Gate",
    "Watling Street",
    "High Street",
    "Church Lane",
    "Station Road",
    "Victoria Street",
    "Abington Street",
    "Gold Street",
    "Wellingborough Road",
    "Kettering Road",
    "Harborough Road",
    "London Road",
    "Newport Road",
    "Bletchley Road",
    "Queensway",
]
LANGUAGES = [("en", 88), ("pl", 4), ("ro", 3), ("pt", 2), ("ur", 3)]
CHANNELS = [
    (Channel.WEB, 35),
    (Channel.VOICE, 20),
    (Channel.EMAIL, 18),
    (Channel.COUNTER, 12),
    (Channel.SMS, 11),
    (Channel.POST, 3),
    (Channel.FAX, 1),
]
# Status by the case's age: new cases are mostly untouched, a fortnight's are being worked,
# older ones are finished bar a small backlog. Over a year about 7% are open: a realistic
# queue for SLAs of a few working days.
STATUSES_BY_AGE = [
    (
        2,
        [
            (Status.RECEIVED, 40),
            (Status.OPEN, 35),
            (Status.IN_PROGRESS, 15),
            (Status.WAITING, 5),
            (Status.RESOLVED, 5),
        ],
    ),
    (
        20,
        [
            (Status.RECEIVED, 5),
            (Status.OPEN, 10),
            (Status.IN_PROGRESS, 25),
            (Status.WAITING, 10),
            (Status.RESOLVED, 25),
            (Status.CLOSED, 15),
            (Status.WITHDRAWN, 3),
            (Status.MERGED, 2),
            (Status.REFERRED, 5),
        ],
    ),
    (
        10_000,
        [
            (Status.CLOSED, 80),
            (Status.RESOLVED, 5),
            (Status.WITHDRAWN, 5),
            (Status.MERGED, 2),
            (Status.REFERRED, 4),
            (Status.IN_PROGRESS, 2),
            (Status.OPEN, 1),
            (Status.WAITING, 1),
        ],
    ),
]
PRIORITIES = [(Priority.LOW, 10), (Priority.NORMAL, 75), (Priority.HIGH, 12), (Priority.URGENT, 3)]
OPEN = {Status.RECEIVED, Status.OPEN, Status.IN_PROGRESS, Status.WAITING}
WORKED = {Status.IN_PROGRESS, Status.WAITING, Status.RESOLVED, Status.CLOSED}
SUMMARIES = [
    "{service}: reported on {street}",
    "{service} near {street}",
    "Question about {service}",
    "{service} – follow-up needed",
    "{service}: resident called about {street}",
]


class Weighted:
    """Weighted choice with precomputed cumulative weights (``random.choices`` per call is
    slower in a loop of millions)."""

    def __init__(self, pairs):
        self.values = [value for value, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class ServiceRoute:
    """Where a generated case of a service goes: precomputed once per service."""

    service: Service
    responsible_id: int | None
    delivering_id: int | None
    team_id: int | None
    office_id: int | None
    referral_body_id: int | None
    calendar: WorkingCalendar | None
    staff: list[int]


def _districts() -> dict[str, list[str]]:
    """Council code → its postcode districts (straddling ones included for both)."""
    by_council: dict[str, list[str]] = {}
    with POSTCODES_CSV.open(newline="") as handle:
        rows = csv.reader(line for line in handle if not line.startswith("#"))
        next(rows)
        for district, councils, *_ in rows:
            for code in councils.split():
                by_council.setdefault(code, []).append(district)
    return by_council


class Writer:
    """Writes rows (dicts keyed by attribute name) for one model: COPY or bulk_create."""

    def __init__(self, model: type[models.Model], *, with_ids: bool = True):
        self.model = model
        # Rows without ids let the database number them (timeline events: nothing refers
        # to them); rows with ids took theirs from the sequence first (``next_ids``).
        self.fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in self.fields if not f.primary_key}
        self.json_fields = {f.attname for f in self.fields if isinstance(f, models.JSONField)}
        self.postgres = connection.vendor == "postgresql"
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    def next_ids(self, count: int) -> list[int]:
        """Ids drawn from the table's own sequence, so later ordinary inserts never collide."""
        if count == 0:
            return []
        table = self.model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        if self.postgres:
            from psycopg.types.json import Jsonb

            with connection.cursor() as cursor, cursor.cursor.copy(self.copy_sql) as copy:
                for row in rows:
                    values = []
                    for f in self.fields:
                        value = row.get(f.attname, self.defaults.get(f.attname))
                        if f.attname in self.json_fields and value is not None:
                            value = Jsonb(value)
                        values.append(value)
                    copy.write_row(values)
        else:
            objects = [self.model(**{**self.defaults, **row}) for row in rows]
            self.model.objects.bulk_create(objects, batch_size=500)


class Progress:
    """A one-line progress bar with counts and rate, through the command's stdout."""

    def __init__(self, stdout, total: int):
        self.stdout = stdout
        self.total = total
        self.started = time.monotonic()
        self.tty = hasattr(stdout, "isatty") and stdout.isatty()
        self.last_line = -1

    def update(self, done: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        width = 30
        filled = int(width * done / self.total) if self.total else width
        eta = (self.total - done) / rate if rate else 0
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{self.total:,} cases "
            f"{rate:,.0f}/s, {elapsed:,.0f}s elapsed, ~{eta:,.0f}s left"
        )
        if self.tty:
            self.stdout.write(f"\r{line}", ending="")
            self.stdout.flush()
        else:
            decile = int(10 * done / self.total) if self.total else 10
            if decile != self.last_line or done == self.total:
                self.last_line = decile
                self.stdout.write(line)

    def finish(self) -> float:
        if self.tty:
            self.stdout.write("")
        return time.monotonic() - self.started


class Command(BaseCommand):
    help = (
        "Add N synthetic residents' cases across both councils, every channel and status "
        "(for benchmarks). Each run adds N more. Needs load_demo first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="How many cases to add.")
        parser.add_argument("--seed", type=int, default=None, help="Random seed (repeatable).")
        parser.add_argument("--batch", type=int, default=10_000, help="Cases per transaction.")
        parser.add_argument(
            "--cases-per-resident",
            type=float,
            default=2.5,
            help="On average, how many cases each new resident has.",
        )

    def handle(self, *args, count, seed, batch, cases_per_resident, **options):
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        routes = self._routes()
        if not routes:
            raise CommandError(
                "There are no services to create cases for. Run `manage.py load_demo` first."
            )
        self.rng = random.Random(seed)
        self.now = timezone.now().replace(microsecond=0)
        self.channels = Weighted(CHANNELS)
        self.statuses = [(days, Weighted(pairs)) for days, pairs in STATUSES_BY_AGE]
        self.priorities = Weighted(PRIORITIES)
        self.languages = Weighted(LANGUAGES)
        self.districts = _districts()
        self.routes = routes
        self.routes_by_council: dict[int | None, list[ServiceRoute]] = {}
        for route in routes:
            self.routes_by_council.setdefault(route.delivering_id, []).append(route)
        self.council_codes = dict(
            (route.delivering_id, route.service.lead_council.code)
            for route in routes
            if route.delivering_id
        )
        self.due_cache: dict[tuple, datetime.datetime] = {}
        self.writers = {model: Writer(model) for model in (Resident, Case, Message)}
        self.writers[TimelineEvent] = Writer(TimelineEvent, with_ids=False)
        # The services a resident of each council may ask for: their council's, joint ones
        # and referrals (which go to another body).
        self.routes_for_code = {
            code: [
                r
                for r in routes
                if r.delivering_id is None
                or r.service.joint
                or self.council_codes.get(r.delivering_id) == code
            ]
            or routes
            for code in ("MKC", "NCC")
        }

        self.stdout.write(
            f"Adding {count:,} cases over {len(routes)} services "
            f"({'COPY' if connection.vendor == 'postgresql' else 'bulk_create'}, "
            f"batches of {batch:,})."
        )
        progress = Progress(self.stdout, count)
        done = 0
        totals = {"residents": 0, "events": 0, "messages": 0}
        while done < count:
            size = min(batch, count - done)
            with transaction.atomic():
                made = self._batch(size, cases_per_resident)
            for key, value in made.items():
                totals[key] += value
            done += size
            progress.update(done)
        elapsed = progress.finish()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in self.writers:
                    # VACUUM too: index-only scans (the queue counts) need the visibility map.
                    if connection.in_atomic_block:
                        cursor.execute(f"ANALYZE {model._meta.db_table}")
                    else:
                        cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {count:,} cases, {totals['residents']:,} residents, "
                f"{totals['events']:,} timeline events and {totals['messages']:,} messages "
                f"in {elapsed:,.1f}s ({count / max(elapsed, 1e-6):,.0f} cases/s)."
            )
        )

    # --- set-up ------------------------------------------------------------------------------

    def _routes(self) -> list[ServiceRoute]:
        calendars: dict[int, WorkingCalendar] = {}
        staff_by_team: dict[int, list[int]] = {}
        staff_by_council: dict[int, list[int]] = {}
        for profile in StaffProfile.objects.filter(user__is_active=True).prefetch_related("teams"):
            staff_by_council.setdefault(profile.council_id, []).append(profile.user_id)
            for team in profile.teams.all():
                staff_by_team.setdefault(team.pk, []).append(profile.user_id)
        routes = []
        services = Service.objects.filter(active=True).select_related(
            "responsible_council", "delivering_council", "delivering_team__office"
        )
        for service in services.prefetch_related("referral_bodies"):
            council = service.lead_council
            if council is not None and council.pk not in calendars:
                calendars[council.pk] = WorkingCalendar.for_council(council)
            team = service.delivering_team
            bodies = list(service.referral_bodies.all())
            routes.append(
                ServiceRoute(
                    service=service,
                    responsible_id=service.responsible_council_id,
                    delivering_id=council.pk if council else None,
                    team_id=team.pk if team else None,
                    office_id=team.office_id if team else None,
                    referral_body_id=bodies[0].pk if bodies else None,
                    calendar=calendars.get(council.pk) if council else None,
                    staff=staff_by_team.get(team.pk if team else -1)
                    or staff_by_council.get(council.pk if council else -1, []),
                )
            )
        return routes

    # --- one batch ---------------------------------------------------------------------------

    def _due(self, route: ServiceRoute, created: datetime.datetime) -> datetime.datetime:
        """SLA due time; memoised on what it depends on (council, local day, after hours)."""
        local = timezone.localtime(created)
        calendar = route.calendar
        key = (
            route.delivering_id,
            local.date(),
            local.time() < calendar.end,
            route.service.sla_days,
        )
        due = self.due_cache.get(key)
        if due is None:
            due = self.due_cache[key] = calendar.due(created, route.service.sla_days)
        return due

    def _resident(self, rid: int) -> dict:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        code = rng.choice(("MKC", "NCC", "NCC"))  # Northamptonshire is the bigger county
        district = rng.choice(self.districts.get(code) or ["MK9"])
        postcode = f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        has_email = rng.random() < 0.8
        has_phone = rng.random() < 0.85
        created = self.now - datetime.timedelta(seconds=rng.randint(0, 400 * 86400))
        language = self.languages.pick(rng)
        return {
            "id": rid,
            "name": f"{first} {last}",
            "email": f"{first}.{last}.{rid}@example.com".lower() if has_email else "",
            "email_verified": has_email and rng.random() < 0.6,
            "email_bouncing": has_email and rng.random() < 0.01,
            "phone": f"+447400{rng.randint(0, 999_999):06d}" if has_phone else "",
            "phone_verified": has_phone and rng.random() < 0.5,
            "address": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
            "postcode": postcode,
            "preferred_channel": rng.choice((Channel.EMAIL, Channel.EMAIL, Channel.SMS))
            if has_email
            else (Channel.SMS if has_phone else Channel.POST),
            "language": language,
            "consent_sms": rng.random() < 0.9,
            "consent_email": rng.random() < 0.95,
            "accessibility_needs": "Large print letters, please" if rng.random() < 0.02 else "",
            "created_at": created,
            "updated_at": created,
            "_council": code,
        }

    def _batch(self, size: int, cases_per_resident: float) -> dict[str, int]:
        rng = self.rng
        writers = self.writers
        resident_count = max(1, round(size / max(cases_per_resident, 1.0)))
        residents = [self._resident(rid) for rid in writers[Resident].next_ids(resident_count)]
        case_ids = writers[Case].next_ids(size)
        references = reference.allocate(size)
        cases, events, messages = [], [], []
        for case_id, ref in zip(case_ids, references, strict=True):
            resident = rng.choice(residents)
            route = rng.choice(self.routes_for_code.get(resident["_council"]) or self.routes)
            age_days = rng.uniform(0, 365)
            status = next(w for days, w in self.statuses if age_days < days).pick(rng)
            if route.delivering_id is None:
                status = rng.choice((Status.REFERRED, Status.REFERRED, Status.CLOSED))
            elif status == Status.REFERRED and route.referral_body_id is None:
                status = Status.CLOSED
            created = self.now - datetime.timedelta(days=age_days, seconds=rng.randint(0, 3600))
            channel = self.channels.pick(rng)
            due = (
                self._due(route, created) if route.calendar and status != Status.REFERRED else None
            )
            assignee = None
            if route.staff and (status in WORKED or (status == Status.OPEN and rng.random() < 0.5)):
                assignee = rng.choice(route.staff)
            finished = created + datetime.timedelta(days=rng.uniform(0, min(age_days, 20)))
            paused = (
                created + datetime.timedelta(days=rng.uniform(0, min(age_days, 5)))
                if status == Status.WAITING
                else None
            )
            street = rng.choice(STREETS)
            case = {
                "id": case_id,
                "reference": ref,
                "service_id": route.service.pk,
                "responsible_council_id": route.responsible_id,
                "delivering_council_id": route.delivering_id,
                "resident_id": resident["id"],
                "origin_channel": channel,
                "status": status,
                "priority": self.priorities.pick(rng),
                "office_id": route.office_id,
                "team_id": route.team_id,
                "assignee_id": assignee,
                "summary": rng.choice(SUMMARIES).format(service=route.service.name, street=street)[
                    :200
                ],
                "description": "",
                "answers": {},
                "location": street if rng.random() < 0.5 else "",
                "postcode": resident["postcode"],
                "language": resident["language"],
                "referral_body_id": route.referral_body_id if status == Status.REFERRED else None,
                "merged_into_id": None,
                "created_at": created,
                "updated_at": max(created, finished if status not in OPEN else created),
                "due_at": due,
                "paused_at": paused,
                "breached_at": due
                if due and status in OPEN and due < self.now and not paused
                else None,
                "resolved_at": finished if status in (Status.RESOLVED, Status.CLOSED) else None,
                "closed_at": finished
                if status in (Status.CLOSED, Status.WITHDRAWN, Status.MERGED, Status.REFERRED)
                else None,
                "first_contact_resolution": status == Status.CLOSED and rng.random() < 0.3,
            }
            cases.append(case)
            events.append(
                {
                    "case_id": case_id,
                    "kind": EventKind.CREATED,
                    "created_at": created,
                    "actor_label": "Generated",
                    "channel": channel,
                    "visible_to_resident": True,
                    "body": case["summary"],
                    "data": {"generated": True},
                }
            )
            if assignee:
                events.append(
                    {
                        "case_id": case_id,
                        "kind": EventKind.ASSIGNMENT,
                        "created_at": created + datetime.timedelta(minutes=rng.randint(5, 600)),
                        "actor_id": assignee,
                        "body": "Claimed as next case",
                        "data": {"claimed": True},
                    }
                )
            if status not in (Status.RECEIVED, Status.OPEN):
                events.append(
                    {
                        "case_id": case_id,
                        "kind": EventKind.STATUS,
                        "created_at": paused or finished,
                        "actor_id": assignee,
                        "actor_label": "" if assignee else "Generated",
                        "visible_to_resident": True,
                        "data": {"from": Status.OPEN, "to": status},
                    }
                )
            if channel in (Channel.EMAIL, Channel.SMS) and rng.random() < 0.6:
                messages.append((case, resident, channel, created))
        message_rows = self._messages(messages, events)
        writers[Resident].write(
            [{k: v for k, v in r.items() if k != "_council"} for r in residents]
        )
        writers[Case].write(cases)
        writers[Message].write(message_rows)
        writers[TimelineEvent].write(events)
        return {"residents": len(residents), "events": len(events), "messages": len(message_rows)}

    def _messages(self, wanted, events: list[dict]) -> list[dict]:
        """Inbound messages that opened some cases (email/SMS), with their timeline events."""
        ids = self.writers[Message].next_ids(len(wanted))
        rows = []
        for message_id, (case, resident, channel, created) in zip(ids, wanted, strict=True):
            sender = resident["email"] if channel == Channel.EMAIL else resident["phone"]
            provider_id = (
                f"<gen-{message_id}@mail.example.com>"
                if channel == Channel.EMAIL
                else f"SMgen{message_id:032d}"
            )
            rows.append(
                {
                    "id": message_id,
                    "channel": channel,
                    "direction": Direction.IN,
                    "provider_id": provider_id,
                    "case_id": case["id"],
                    "resident_id": resident["id"],
                    "sender": sender or "unknown",
                    "recipient": "contact@mk.example.org"
                    if channel == Channel.EMAIL
                    else "+447400000001",
                    "subject": case["summary"] if channel == Channel.EMAIL else "",
                    "body": f"Hello, {case['summary'].lower()}. Please can someone help?",
                    "language": resident["language"],
                    "status": MessageStatus.RECEIVED,
                    "created_at": created,
                    "status_changed_at": created,
                    "context": {},
                    "headers": {},
                    "metadata": {"generated": True},
                }
            )
            events.append(
                {
                    "case_id": case["id"],
                    "kind": EventKind.MESSAGE_IN,
                    "created_at": created,
                    "actor_label": resident["name"],
                    "channel": channel,
                    "visible_to_resident": True,
                    "message_id": message_id,
                    "body": rows[-1]["body"],
                    "data": {},
                }
            )
        return rows


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Run through manage.py generate_cases")
