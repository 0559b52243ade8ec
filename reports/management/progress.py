"""A progress bar with counts and rate, for the reports commands."""

import time


class ProgressBar:
    def __init__(self, stdout, noun: str = "cases"):
        self.stdout = stdout
        self.noun = noun
        self.started = time.monotonic()
        self.tty = hasattr(stdout, "isatty") and stdout.isatty()
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        width = 30
        filled = int(width * done / total) if total else width
        line = (
            f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {self.noun} "
            f"{rate:,.0f}/s, {elapsed:,.1f}s"
        )
        if self.tty:
            self.stdout.write(f"\r{line}", ending="")
            self.stdout.flush()
            if done >= total:
                self.stdout.write("")
            return
        decile = int(10 * done / total) if total else 10
        if decile != self.shown:
            self.shown = decile
            self.stdout.write(line)
