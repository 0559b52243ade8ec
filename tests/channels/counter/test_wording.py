"""Waits written as whole sentences, so each language can word "about" and "under" its own way."""

import datetime
import shutil
import subprocess

import pytest
from django.utils import translation

from channels.counter import queue
from channels.counter.templatetags.counter_tags import expected_wait, minutes, new_visitor_wait


@pytest.mark.parametrize(
    ("wait", "ticket", "office"),
    [
        (
            datetime.timedelta(0),
            "Expected wait: under a minute.",
            "A new visitor would wait under a minute.",
        ),
        (
            datetime.timedelta(minutes=1),
            "Expected wait: about 1 minute.",
            "A new visitor would wait about 1 minute.",
        ),
        (
            datetime.timedelta(minutes=12),
            "Expected wait: about 12 minutes.",
            "A new visitor would wait about 12 minutes.",
        ),
    ],
)
def test_waits_are_whole_sentences(wait, ticket, office):
    with translation.override("en"):
        assert expected_wait(wait) == ticket
        assert new_visitor_wait(wait) == office
        assert "about under" not in expected_wait(datetime.timedelta(seconds=20))


def test_a_figure_on_its_own_is_still_a_duration():
    with translation.override("en"):
        assert minutes(datetime.timedelta(seconds=20)) == "under a minute"
        assert minutes(90 * 60) == "90 minutes"
        assert minutes(None) == "–"


POLISH = r"""msgid ""
msgstr ""
"Language: pl\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=UTF-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

#, python-format
msgid "%(counter)s person waiting"
msgid_plural "%(counter)s people waiting"
msgstr[0] "%(counter)s osoba czeka"
msgstr[1] "%(counter)s osoby czekają"
msgstr[2] "%(counter)s osób czeka"
"""


@pytest.fixture
def polish(tmp_path, settings):
    """A small compiled Polish catalogue, so the test does not depend on the real one's state."""
    if shutil.which("msgfmt") is None:
        pytest.skip("needs GNU gettext")
    directory = tmp_path / "pl" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    (directory / "django.po").write_text(POLISH, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", directory / "django.mo", directory / "django.po"], check=True)
    settings.LOCALE_PATHS = [tmp_path]
    return "pl"


def test_display_counts_the_waiting_in_the_plural_forms_of_the_language(
    client, settings, world, polish
):
    # Polish has three forms (1 osoba, 2 osoby, 5 osób): the page and display.js's updates
    # (from display.json) both use them, where two fixed strings in JavaScript could not.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = polish
    for _ in range(2):
        queue.issue_ticket(world.counter, world.office, reason=world.tax)
    assert client.get("/counter/mk-shop/display.json").json()["waiting_text"] == "2 osoby czekają"
    assert "2 osoby czekają" in client.get("/counter/mk-shop/display/").content.decode()
    for _ in range(3):
        queue.issue_ticket(world.counter, world.office, reason=world.tax)
    assert client.get("/counter/mk-shop/display.json").json()["waiting_text"] == "5 osób czeka"
