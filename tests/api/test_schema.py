"""The OpenAPI 3 schema: valid, describing exactly the operations the API has, served with
browsable docs under the strict CSP."""

import pytest
from django.test import Client
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/me/"),
    ("get", "/api/v1/cases/"),
    ("get", "/api/v1/cases/{reference}/"),
    ("get", "/api/v1/cases/{reference}/timeline/"),
    ("post", "/api/v1/cases/{reference}/status/"),
    ("post", "/api/v1/cases/{reference}/outcome/"),
    ("post", "/api/v1/cases/{reference}/notes/"),
    ("post", "/api/v1/cases/{reference}/transfer/"),
}


@pytest.fixture
def spec():
    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    validate(spec)  # raises on an invalid document


def test_the_schema_documents_exactly_the_operations_tested_here(spec):
    """tests/api/test_cases.py drives each of these; a new operation must be added here (and
    tested there) or this fails."""
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    assert documented == OPERATIONS


def test_every_operation_needs_the_partner_key_and_documents_its_errors(spec):
    assert spec["components"]["securitySchemes"]["partnerKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The partner's API key: `Authorization: Bearer pa_…`.",
    }
    for item in spec["paths"].values():
        for operation in item.values():
            assert operation["security"] == [{"partnerKey": []}]
            assert {"401", "403", "429"} <= set(operation["responses"])


def test_the_docs_page_has_no_inline_script_or_style_and_no_cdn():
    page = Client().get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "<style" not in html
    assert html.count("<script") == html.count("<script src=") == 3
    assert "http" not in html.split("<body>")[1]  # everything from our own origin
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = Client().get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
