"""Fixtures shared by the whole suite.

The database is PostgreSQL when ``DATABASE_URL`` is set (CI always sets it) and SQLite
otherwise; tests that need PostgreSQL's concurrency mark themselves with ``postgres_only``.
"""

import os

import pytest
from django.db import connection

from services.outbound.backends import locmem

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "browser" in str(item.fspath).split(os.sep):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL); CI always runs it")


@pytest.fixture(autouse=True)
def catalogue_cache():
    """Each test starts with empty catalogue and prompt-recording caches (rows from a
    rolled-back test are gone)."""
    from channels.voice.prompts import forget_recordings
    from services import lookups

    lookups.clear()
    forget_recordings()
    yield
    lookups.clear()
    forget_recordings()


@pytest.fixture(autouse=True)
def outbox():
    """What the locmem channel backends 'sent' during the test."""
    locmem.reset()
    yield locmem.outbox
    locmem.reset()


@pytest.fixture
def demo(db):
    """The full demo data set: both councils, catalogue, pages, staff."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    from services.models import Council

    return {c.code: c for c in Council.objects.all()}


@pytest.fixture
def catalogue(db):
    """The demo councils, offices, teams, services, contact points and staff — no CMS pages.

    Much faster than ``demo``; use it when a test needs the catalogue but not the site.
    """
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", "--skip-pages", stdout=StringIO())
    from services.models import Council

    return {c.code: c for c in Council.objects.all()}
