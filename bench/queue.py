"""Benchmark of the staff desk queue at volume (a script, not a test).

    DATABASE_URL=postgres://portal:portal@127.0.0.1:5432/portal_bench python bench/queue.py

1. Makes sure the database holds the demo catalogue and at least ``--count`` cases (default
   1,000,000), adding what is missing with ``manage.py generate_cases`` (``--force`` adds
   ``--count`` more whatever is there).
2. Signs in as a demo member of staff and requests ``/desk/`` through the real URL
   resolver, middleware, view and templates (Django's test ``Client``, so no network noise),
   for the common filters and for a deep page reached through the keyset cursor.
3. Prints p50/p95/max per filter and the number of SQL queries per page.
4. Times the case page (timeline, the resident's other cases) for open cases with the longest
   timelines, and "next case" (``claim_next``, rolled back each time so nothing changes).

Use a database of its own: it is big, and the run is CPU-heavy on a small machine.
"""

import argparse
import html
import os
import re
import statistics
import sys
import time
from pathlib import Path

# The template isn't instrumented outside tests (no response.context): read the page itself.
NEXT_LINK = re.compile(r'href="(\?[^"]*after=[^"]*)" rel="next"')

# This file is called queue.py: take its directory off the path so that the standard
# library's ``queue`` (used by asgiref and Django) is not shadowed by it.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


def _percentiles(timings: list[float]) -> tuple[float, float, float]:
    timings = sorted(timings)
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    return statistics.median(timings), p95, timings[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000, help="Cases wanted.")
    parser.add_argument("--force", action="store_true", help="Add --count more cases anyway.")
    parser.add_argument("--requests", type=int, default=40, help="Timed requests per filter.")
    parser.add_argument("--warmup", type=int, default=3, help="Untimed requests per filter.")
    parser.add_argument("--user", default="supervisor@mk.example.org", help="Demo staff user.")
    parser.add_argument("--deep", type=int, default=200, help="Pages to walk for the deep page.")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database of its own (e.g. portal_bench).")
        return 2

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from desk.queue import visible_cases
    from services import actions
    from services.models import Case, Council, Service, TimelineEvent

    # A web process keeps its connection (CONN_MAX_AGE in production); the test settings
    # close it after every request, which would time the TCP handshake, not the page.
    connection.settings_dict["CONN_MAX_AGE"] = None

    if not Service.objects.exists():
        print("No catalogue yet: running load_demo.")
        call_command("load_demo", random_passwords=False)
    existing = Case.objects.count()
    wanted = args.count if args.force else max(0, args.count - existing)
    if wanted:
        print(f"{existing:,} cases present; generating {wanted:,} more.")
        call_command("generate_cases", count=wanted, seed=existing)
    else:
        print(f"{existing:,} cases present: nothing to generate (use --force to add more).")

    user = get_user_model().objects.get(email=args.user)
    client = Client()
    client.force_login(user)
    profile = user.staff_profile
    team = profile.teams.order_by("id").first()
    mkc = Council.objects.get(code="MKC")

    filters = {
        "no filter": "",
        "council": f"council={mkc.pk}",
        "team": f"team={team.pk}" if team else "",
        "assigned to me": "assigned=me",
        "unassigned": "assigned=unassigned",
        "breached": "sla=breached",
        "status in progress": "status=in_progress",
        "team + unassigned + at risk": f"team={team.pk}&assigned=unassigned&sla=at_risk"
        if team
        else "sla=at_risk",
    }

    # The deep page: walk the cursor from the start of the unfiltered queue.
    url = "/desk/"
    for _ in range(args.deep):
        response = client.get(url)
        match = NEXT_LINK.search(response.content.decode())
        if not match:
            break
        url = "/desk/" + html.unescape(match.group(1))
    filters[f"deep page (after {args.deep} pages)"] = url.partition("?")[2]

    cores = os.cpu_count()
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    print(f"\nQueue page as {args.user}, {Case.objects.count():,} cases, {cores} cores")
    print(f"{'filter':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8} {'rows':>6}")
    worst = 0.0
    query_counts = set()
    for name, query in filters.items():
        url = f"/desk/?{query}" if query else "/desk/"
        for _ in range(args.warmup):
            client.get(url)
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        rows = response.content.decode().count('<tr class="govuk-table__row">') - 1
        timings.sort()
        p50 = statistics.median(timings)
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        worst = max(worst, p95)
        query_counts.add(len(captured))
        print(f"{name:40} {p50:8.1f} {p95:8.1f} {timings[-1]:8.1f} {len(captured):8d} {rows:6d}")
    print(
        f"\nworst p95: {worst:.1f} ms (target < 150 ms); queries per page: {sorted(query_counts)}"
    )

    # The case page, for open cases with the longest timelines the user may see.
    candidates = list(
        visible_cases(user)
        .filter(status__in=["open", "in_progress"])
        .order_by("due_at")
        .values_list("pk", flat=True)[:500]
    )
    busy = list(
        TimelineEvent.objects.filter(case_id__in=candidates)
        .values_list("case__reference")
        .annotate(events=Count("id"))
        .order_by("-events")[:5]
    )
    print(f"\n{'page':40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    timings, counts = [], set()
    per_case = max(1, args.requests // len(busy))
    for reference, _events in busy:
        url = f"/desk/cases/{reference}/"
        assert client.get(url).status_code == 200, url
        for _ in range(per_case):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.add(len(captured))
    p50, p95, top = _percentiles(timings)
    label = f"case page ({len(busy)} cases, {len(timings)} requests)"
    print(f"{label:40} {p50:8.1f} {p95:8.1f} {top:8.1f} {sorted(counts)!s:>8}")

    # "Next case": claim and roll back, so every attempt sees the same queue.
    timings, counts = [], set()
    for _ in range(args.requests):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                claimed = actions.claim_next(user)
                timings.append((time.perf_counter() - start) * 1000)
            transaction.set_rollback(True)
        counts.add(len(captured))
    p50, p95, top = _percentiles(timings)
    label = "next case (claim_next)" + ("" if claimed else ": nothing to claim")
    print(f"{label:40} {p50:8.1f} {p95:8.1f} {top:8.1f} {sorted(counts)!s:>8}")
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
