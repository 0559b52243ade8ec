"""A property-based fuzz of the case API from its own schema (schemathesis, in-process
against the WSGI application, so it runs in CI): no 500, and every answer conforms to the
schema — status codes, content types, headers and bodies — for valid input and for input the
schema forbids. Bounded: a few dozen examples per operation and mode.

Schemathesis' pytest plugin (``from_fixture``) does not run under this pytest version, so each
operation's Hypothesis strategy is driven directly (``APIOperation.as_strategy``): the same
generation and the same checks, with the database fixtures of the test.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.test_schema import OPERATIONS

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 30


@pytest.fixture
def wsgi_app():
    """The real WSGI application, keeping the test's database connection open across requests
    (as Django's own test client does: a request's end would otherwise close it)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def operations(world, cases, wsgi_app):
    world.partner.rate_limit = 100_000
    world.partner.save()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    found = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        found[(operation.method.lower(), operation.path)] = operation
    assert set(found) == OPERATIONS
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("key", sorted(OPERATIONS), ids=lambda k: f"{k[0]} {k[1]}")
def test_the_api_answers_as_its_schema_says(operations, world, cases, key, mode):
    operation = operations[key]
    headers = {"Authorization": f"Bearer {world.key}"}
    seen = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen.append(response.status_code)

    run()
    assert seen  # the operation was called
    assert 500 not in seen
