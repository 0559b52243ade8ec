"""Rebuild every search document (cases and residents) with the configured backend.

The database backend rewrites documents in place; the Elasticsearch backend fills new
versioned indices and swaps the aliases when they are complete. Either way search keeps
answering while this runs.
"""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from search.backends import get_backend


class Command(BaseCommand):
    help = "Rebuild the search index for cases and residents (no downtime)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows per statement.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, batch_size, no_progress, **options):
        backend = get_backend()
        total = backend.count_for_rebuild()
        self.stdout.write(
            f"Reindexing {total:,} cases and residents with {type(backend).__name__}."
        )
        started = time.monotonic()
        ending, self.stdout.ending = self.stdout.ending, ""
        try:
            with tqdm(
                total=total,
                unit=" rows",
                unit_scale=True,
                file=self.stdout,
                disable=no_progress,
                mininterval=0.5,
                dynamic_ncols=True,
            ) as bar:
                done = backend.rebuild(bar.update, batch_size=batch_size)
        finally:
            self.stdout.ending = ending
        elapsed = max(time.monotonic() - started, 1e-6)
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {done:,} rows in {elapsed:.1f} s ({done / elapsed:,.0f} rows/s)."
            )
        )
