"""Benchmark the database search backend: p50/p95 per kind of query. A script, not a test.

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal_searchbench \\
        python bench/search.py --cases 1000000

Uses its own database. Brings it to ``--cases`` cases with ``manage.py load_demo`` and
``manage.py generate_cases`` (which writes with COPY, so no indexing task runs), then builds
the search documents with the backend's ``rebuild`` (as ``manage.py reindex`` does), unless
they are already complete. Then it times ``--runs`` searches of each kind, drawn from the
data, as a caseworker of one council (so the permission filter is in every query):

* reference: a real reference, typed with spaces;
* phone: a resident's number typed "07400 123 456";
* postcode: a postcode typed lower case without the space;
* name: a resident's full name with two neighbouring letters swapped in the surname;
* free text: two words from a case summary.
"""

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is bench/search.py: bench/ must not shadow the ``search`` app (or ``queue``).
sys.path[0] = str(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--skip-setup", action="store_true", help="Use the data as it is.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from search.backends.database import DatabaseBackend
    from search.models import CaseDocument, ResidentDocument
    from services.models import Case, Resident, StaffProfile

    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL (set DATABASE_URL).")
    backend = DatabaseBackend()
    if not args.skip_setup:
        call_command("migrate", verbosity=0)
        if not StaffProfile.objects.exists():
            call_command("load_demo", stdout=sys.stderr)
        missing = args.cases - Case.objects.count()
        if missing > 0:
            call_command("generate_cases", count=missing, seed=args.seed, stdout=sys.stderr)
        if CaseDocument.objects.count() != Case.objects.count() or (
            ResidentDocument.objects.count() != Resident.objects.count()
        ):
            call_command("reindex", stdout=sys.stderr)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE case_search_casedocument")
            cursor.execute("ANALYZE case_search_residentdocument")

    rng = random.Random(args.seed)
    profile = StaffProfile.objects.filter(user__is_superuser=False, role="caseworker").first()
    user = (profile or StaffProfile.objects.first()).user
    total = CaseDocument.objects.count()
    max_id = CaseDocument.objects.order_by("-pk").values_list("pk", flat=True).first()

    def sample_cases(n: int) -> list[dict]:
        rows: list[dict] = []
        while len(rows) < n:
            start = rng.randrange(1, max_id + 1)
            row = (
                CaseDocument.objects.filter(pk__gte=start)
                .order_by("pk")
                .values("reference", "phone", "postcode", "name", "summary")
                .first()
            )
            if row:
                rows.append(row)
        return rows

    samples = sample_cases(args.runs)
    queries = {
        "reference": [
            f"{r['reference'][:3]} {r['reference'][3:6]} {r['reference'][6:]}" for r in samples
        ],
        "phone": [
            "0" + r["phone"][3:7] + " " + r["phone"][7:10] + " " + r["phone"][10:]
            for r in samples
            if r["phone"].startswith("+44")
        ],
        "postcode": [r["postcode"].replace(" ", "").lower() for r in samples if r["postcode"]],
        "name (typo)": [
            " ".join(r["name"].split()[:-1] + [typo(r["name"].split()[-1], rng)])
            for r in samples
            if r["name"]
        ],
        "free text": [
            " ".join(
                rng.sample([w for w in r["summary"].split() if len(w) > 3] or ["bin"], k=1) * 1
            )
            + " "
            + rng.choice([w for w in r["summary"].split() if len(w) > 3] or ["missed"])
            for r in samples
        ],
    }

    load = os.getloadavg()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"PostgreSQL {connection.pg_version // 10000}; {total:,} case documents, "
        f"{ResidentDocument.objects.count():,} resident documents; user: {user} "
        f"({'superuser' if user.is_superuser else 'staff, permission-filtered'})"
    )
    print(f"{'kind':<14}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}{'hits/q':>9}")
    for kind, texts in queries.items():
        backend.search(user, texts[0])  # warm the plan cache
        timings, hits = [], 0
        for text in texts:
            started = time.perf_counter()
            results = backend.search(user, text)
            timings.append((time.perf_counter() - started) * 1000)
            hits += len(results.cases) + len(results.residents)
        print(
            f"{kind:<14}{len(texts):>5}{percentile(timings, 50):>10.1f}"
            f"{percentile(timings, 95):>10.1f}{max(timings):>10.1f}{hits / len(texts):>9.1f}"
        )
    after = os.getloadavg()
    print(
        f"load average (1, 5, 15 min) before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}"
    )


if __name__ == "__main__":
    main()
