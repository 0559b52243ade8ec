"""Benchmark of the published performance figures at volume (a script, not a test).

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal_reportsbench \
        python bench/performance.py [--count 1000000]

1. Makes sure the database holds the demo catalogue and at least ``--count`` cases, adding
   what is missing with ``manage.py generate_cases`` (``--count 0`` uses what is there).
2. Rebuilds the summary tables (``reports.figures.rebuild``, as ``manage.py rebuild_reports``
   does) and prints how long it took and how many summary rows it wrote.
3. Requests the public pages and the CSV/JSON downloads through the real URL resolver,
   middleware, views and templates (Django's test ``Client``: no network noise) and prints
   p50/p95/max per URL against the 200 ms target, and the number of SQL queries.

Use a database of its own: it is big, and loading it is CPU-heavy on a small machine.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

# bench/ holds a queue.py, which would shadow the standard library's queue module: run from
# the repository root instead of this script's directory.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

TARGET_MS = 200
URLS = [
    "/how-we-are-doing/",
    "/how-we-are-doing/?council=MKC",
    "/how-we-are-doing/?council=NCC&channel=web",
    "/how-we-are-doing/?service=complaint",
    "/how-we-are-doing/data.csv",
    "/how-we-are-doing/data.json",
    "/how-we-are-doing/data.csv?by=service",
    "/how-we-are-doing/data.json?by=channel&council=MKC",
    "/how-we-are-doing/data.json?by=council",
    "/how-we-are-doing/equality/results/",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="Cases wanted (0: as is).")
    parser.add_argument("--requests", type=int, default=30, help="Timed requests per URL.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per URL.")
    parser.add_argument("--skip-rebuild", action="store_true", help="Use the existing summaries.")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database of its own (e.g. portal_reportsbench).")
        return 2

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from reports import figures
    from reports.management.progress import ProgressBar
    from reports.models import MonthlyFigure
    from services.models import Case, Service

    # A web process keeps its connection (CONN_MAX_AGE in production); the test settings
    # close it after every request, which would time the TCP handshake, not the page.
    connection.settings_dict["CONN_MAX_AGE"] = None

    if not Service.objects.exists():
        print("No catalogue yet: running load_demo --skip-pages.")
        call_command("load_demo", "--skip-pages")
    existing = Case.objects.count()
    if args.count and existing < args.count:
        print(f"{existing:,} cases; adding {args.count - existing:,} with generate_cases.")
        call_command("generate_cases", "--count", str(args.count - existing))
    cases = Case.objects.count()
    print(f"Cases in the database: {cases:,}")

    if not args.skip_rebuild:

        class Out:
            def write(self, text, ending="\n"):
                sys.stdout.write(text + ending)

            def flush(self):
                sys.stdout.flush()

        started = time.perf_counter()
        run = figures.rebuild(progress=ProgressBar(Out()))
        elapsed = time.perf_counter() - started
        print(
            f"Rebuilt the summaries from {run.cases_read:,} cases in {elapsed:,.1f}s "
            f"({run.cases_read / max(elapsed, 1e-6):,.0f} cases/s); "
            f"{MonthlyFigure.objects.count():,} summary rows."
        )

    client = Client()
    print("\nCold: the cache cleared before each request (first request after a rebuild):")
    from django.core.cache import cache

    client.get("/how-we-are-doing/equality/results/")  # load templates and URL modules once
    for url in URLS:
        cache.clear()
        started = time.perf_counter()
        assert client.get(url).status_code == 200, url
        print(f"  {url:<58} {(time.perf_counter() - started) * 1000:>7.1f} ms")
    print(f"\n{'URL':<58} {'p50':>7} {'p95':>7} {'max':>7} {'SQL':>4}  target {TARGET_MS} ms")
    worst = 0.0
    for url in URLS:
        for _ in range(args.warmup):
            assert client.get(url).status_code == 200, url
        timings = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, url
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
        worst = max(worst, p95)
        print(
            f"{url:<58} {p50:>6.1f} {p95:>6.1f} {timings[-1]:>6.1f} {len(queries):>4}  "
            f"{'ok' if p95 < TARGET_MS else 'SLOW'}"
        )
    print(
        f"\nWorst p95: {worst:.1f} ms ({'under' if worst < TARGET_MS else 'OVER'} {TARGET_MS} ms)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
