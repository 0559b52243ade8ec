"""The search world of ``tests/search`` (two councils, joint and restricted services,
residents with awkward names), for the desk's search pages too."""

from tests.search.conftest import backend, world  # noqa: F401 (fixtures)
