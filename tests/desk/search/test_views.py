"""The desk search page and its suggestions: staff only, permission-filtered, no JavaScript."""

import pytest
from django.urls import reverse

from services.reference import format_reference


@pytest.fixture
def backend(db):
    from search.backends.database import DatabaseBackend

    return DatabaseBackend()


def test_anonymous_users_are_sent_to_sign_in(client, world):
    response = client.get("/desk/search/?q=Mohammed")
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.get("/desk/search/suggest/?q=Mohammed")
    assert response.status_code == 302


def test_residents_are_refused(client, world):
    client.force_login(world.resident_user)
    assert client.get("/desk/search/?q=Mohammed").status_code == 403
    assert client.get("/desk/search/suggest/?q=Mohammed").status_code == 403


def test_results_link_to_the_case_and_resident_and_say_why(client, world):
    client.force_login(world.mk_staff)
    response = client.get(reverse("search:desk"), {"q": "Muhammad"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="/desk/cases/{world.bin_case.reference}/"' in html
    assert f'href="/desk/residents/{world.mohammed.pk}/"' in html
    assert "name ≈ Mohammed Khan" in html
    assert format_reference(world.bin_case.reference) in html
    assert "style=" not in html and "<script>" not in html


def test_a_restricted_case_never_appears_on_the_page(client, world):
    client.force_login(world.mk_staff)
    html = client.get("/desk/search/", {"q": world.social_case.reference}).content.decode()
    assert f"/desk/cases/{world.social_case.reference}/" not in html
    assert "Carer assessment" not in html
    assert "No cases or residents match" in html


def test_a_bad_check_digit_is_explained(client, world):
    good = world.bin_case.reference
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    client.force_login(world.mk_staff)
    html = client.get("/desk/search/", {"q": bad}).content.decode()
    assert "govuk-error-summary" in html and "check digit" in html


def test_suggestions_are_json_and_permission_filtered(client, world):
    client.force_login(world.ncc_staff)
    data = client.get("/desk/search/suggest/", {"q": "07400 111222"}).json()
    urls = [s["url"] for s in data["suggestions"]]
    assert f"/desk/residents/{world.mohammed.pk}/" in urls
    assert not any(world.bin_case.reference in url for url in urls)  # an MKC case
    client.force_login(world.mk_staff)
    urls = [
        s["url"]
        for s in client.get("/desk/search/suggest/", {"q": "07400 111222"}).json()["suggestions"]
    ]
    assert f"/desk/cases/{world.bin_case.reference}/" in urls


def test_hostile_query_on_the_page(client, world):
    client.force_login(world.auditor)
    for text in ("x" * 5000, "<script>alert(1)</script>", "a & | ! :*", "\x00"):
        response = client.get("/desk/search/", {"q": text})
        assert response.status_code == 200
        assert "<script>alert(1)" not in response.content.decode()
