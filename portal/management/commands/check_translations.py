"""``manage.py check_translations``: fail when a catalogue would not compile, when a
translation's placeholders differ from the English ones, or when a plural form is missing.

Two passes over every ``.po`` under ``LOCALE_PATHS``:

1. GNU ``msgfmt --check``: the catalogue compiles; its header is complete (``Plural-Forms``) and
   every plural entry has as many forms as ``nplurals`` says; ``--check-format`` compares the
   ``%(name)s`` / ``{name}`` placeholders of entries marked ``python-format`` or
   ``python-brace-format`` (Django's ``makemessages`` marks them) with the msgid's.
2. Our own comparison of the compiled catalogue — exactly what Django will use, fuzzy entries
   left out — for entries that lost their format flag: a translation naming a placeholder the
   English text does not have raises ``KeyError`` in a resident's page, and one dropping a
   placeholder loses the reference or date it carried.
"""

import gettext
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# %(name)s with optional flags, width and precision; and {name} for str.format text.
NAMED = re.compile(r"%\((\w+)\)[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
POSITIONAL = re.compile(r"%(?!\()[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
BRACED = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


def placeholders(text: str, *, braces: bool) -> tuple:
    text = text.replace("%%", "")
    named = tuple(sorted(set(NAMED.findall(text))))
    positional = len(POSITIONAL.findall(text))
    braced = tuple(sorted(set(BRACED.findall(text)))) if braces else ()
    return named, positional, braced


def placeholder_problems(catalogue: dict) -> list[str]:
    """Singular entries whose translation's placeholders differ from the msgid's."""
    problems = []
    for msgid, msgstr in catalogue.items():
        if not isinstance(msgid, str) or not msgid or not msgstr:
            continue  # the header, plural forms (msgfmt checks those), untranslated
        braces = bool(BRACED.search(msgid))
        if placeholders(msgid, braces=braces) != placeholders(msgstr, braces=braces):
            problems.append(f"placeholders differ: {msgid!r} → {msgstr!r}")
    return problems


class Command(BaseCommand):
    help = (
        "Check every translation catalogue compiles, has its plural forms and keeps placeholders."
    )

    def handle(self, *args, **options):
        msgfmt = shutil.which("msgfmt")
        if msgfmt is None:
            raise CommandError("msgfmt (GNU gettext) is needed: apt-get install gettext")
        catalogues = sorted(p for root in settings.LOCALE_PATHS for p in Path(root).rglob("*.po"))
        failures = []
        with tempfile.TemporaryDirectory() as tmp:
            for number, po in enumerate(catalogues):
                compiled = Path(tmp) / f"{number}.mo"
                result = subprocess.run(  # noqa: S603 - fixed program, our own files
                    [msgfmt, "--check", f"--output-file={compiled}", str(po)],
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if result.returncode != 0:
                    failures.append(f"{po}:\n{result.stderr.strip()}")
                    continue
                with compiled.open("rb") as handle:
                    catalogue = gettext.GNUTranslations(handle)._catalog
                problems = placeholder_problems(catalogue)
                if problems:
                    failures.append(f"{po}:\n" + "\n".join(problems))
        if failures:
            raise CommandError("Translation catalogues with errors:\n" + "\n".join(failures))
        self.stdout.write(
            f"{len(catalogues)} catalogues checked: all compile, plural forms complete, "
            "placeholders match."
        )
