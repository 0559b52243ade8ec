"""``manage.py check_translations``: fail when a catalogue would not compile, or when a
translation's placeholders differ from the English ones.

Runs GNU ``msgfmt --check`` on every ``.po`` under ``LOCALE_PATHS``: ``--check-format``
compares ``%(name)s`` / ``{name}`` placeholders of entries marked ``python-format`` or
``python-brace-format`` (Django's ``makemessages`` marks them) with the msgid's.
"""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Check every translation catalogue compiles and keeps the English placeholders."

    def handle(self, *args, **options):
        msgfmt = shutil.which("msgfmt")
        if msgfmt is None:
            raise CommandError("msgfmt (GNU gettext) is needed: apt-get install gettext")
        catalogues = sorted(p for root in settings.LOCALE_PATHS for p in Path(root).rglob("*.po"))
        failures = []
        for po in catalogues:
            result = subprocess.run(  # noqa: S603 - fixed program, our own files
                [msgfmt, "--check", "--output-file=/dev/null", str(po)],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                failures.append(f"{po}:\n{result.stderr.strip()}")
        if failures:
            raise CommandError("Translation catalogues with errors:\n" + "\n".join(failures))
        self.stdout.write(f"{len(catalogues)} catalogues checked: all compile, placeholders match.")
