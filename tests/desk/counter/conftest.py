"""The counter world of ``tests/channels/counter`` (two councils, an office each, desks,
staff), for the counter's staff screens too."""

from tests.channels.counter.conftest import staff_client, world  # noqa: F401 (fixtures)
