"""``manage.py check_translations`` refuses catalogues that would break or mislead residents.

Each test writes a small catalogue into a temporary ``LOCALE_PATHS`` and runs the real command
(GNU msgfmt and the compiled-catalogue comparison).
"""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext")

HEADER = r"""msgid ""
msgstr ""
"Project-Id-Version: portal\n"
"PO-Revision-Date: 2026-11-22 02:00+0000\n"
"Last-Translator: Test <test@example.org>\n"
"Language-Team: Polish\n"
"Language: pl\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"
"""

GOOD = r"""
#, python-format
msgid "Your reference is %(reference)s."
msgstr "Twój numer sprawy to %(reference)s."

#, python-format
msgid "We aim to reply within %(days)s working day."
msgid_plural "We aim to reply within %(days)s working days."
msgstr[0] "Odpowiemy w ciągu %(days)s dnia roboczego."
msgstr[1] "Odpowiemy w ciągu %(days)s dni roboczych."
msgstr[2] "Odpowiemy w ciągu %(days)s dni roboczych."

msgid "Zoom in up to 400% and it still works"
msgstr "Powiększ do 400% i nadal działa"

#, fuzzy, python-format
msgid "Hello %(name)s"
msgstr "Cześć %(imie)s"
"""


def _check(tmp_path, settings, body):
    directory = tmp_path / "pl" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "django.po").write_text(HEADER + body, encoding="utf-8")
    settings.LOCALE_PATHS = [tmp_path]
    out = StringIO()
    call_command("check_translations", stdout=out)
    return out.getvalue()


def test_a_good_catalogue_passes(tmp_path, settings):
    # A fuzzy entry is not used by Django, so its placeholders do not matter yet.
    assert "1 catalogues checked" in _check(tmp_path, settings, GOOD)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            '#, python-format\nmsgid "Your reference is %(reference)s."\n'
            'msgstr "Twój numer sprawy to %(numer)s."\n',
            "'numer'",
        ),
        (
            '#, python-format\nmsgid "Your reference is %(reference)s."\n'
            'msgstr "Twój numer sprawy."\n',
            "'reference'",
        ),
        (
            '#, python-brace-format\nmsgid "Hello {name}"\nmsgstr "Cześć {imie}"\n',
            "'imie'",
        ),
        (
            # The format flag is gone: msgfmt would not look, the compiled comparison does.
            'msgid "Due on %(date)s"\nmsgstr "Termin: %(data)s"\n',
            "placeholders differ",
        ),
        (
            '#, python-format\nmsgid "One day"\nmsgid_plural "%(days)s days"\n'
            'msgstr[0] "Jeden dzień"\nmsgstr[1] "%(days)s dni"\n',
            "plural forms",
        ),
        ('msgid "Broken\nmsgstr "Zepsute"\n', "django.po"),
    ],
    ids=[
        "placeholder-renamed",
        "placeholder-dropped",
        "brace-placeholder-renamed",
        "unflagged-placeholder-renamed",
        "missing-plural-form",
        "does-not-compile",
    ],
)
def test_a_broken_catalogue_fails_naming_the_file_and_the_reason(tmp_path, settings, body, reason):
    with pytest.raises(CommandError) as raised:
        _check(tmp_path, settings, body)
    message = str(raised.value)
    assert "pl/LC_MESSAGES/django.po" in message
    assert reason in message
