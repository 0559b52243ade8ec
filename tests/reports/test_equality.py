"""The equality questionnaire: voluntary, kept apart from cases, published with suppression."""

import pytest
from django.urls import reverse

from reports.equality import results
from reports.models import EqualityResponse

pytestmark = pytest.mark.django_db


def test_model_cannot_be_joined_to_a_person_or_case():
    related = {
        f.related_model._meta.label
        for f in EqualityResponse._meta.get_fields()
        if f.is_relation and f.related_model
    }
    assert related == {"services.Service"}
    names = {f.name for f in EqualityResponse._meta.get_fields()}
    assert not names & {"resident", "case", "reference", "created_at", "ip", "user", "email"}


def test_everything_is_optional_and_only_service_and_month_are_kept(client, dataset):
    form = client.get(reverse("reports:equality"), {"service": "bins"})
    assert form.status_code == 200
    body = form.content.decode()
    assert "voluntary" in body and "Prefer not to say" in body
    empty = client.post(reverse("reports:equality"), {"service": "bins"})
    assert empty.status_code == 302
    answered = client.post(
        reverse("reports:equality"),
        {
            "service": "bins",
            "sex": "female",
            "disability": "prefer_not",
            "satisfaction": "satisfied",
        },
    )
    assert answered.status_code == 302
    saved = EqualityResponse.objects.order_by("pk").last()
    assert saved.service.slug == "bins"
    assert saved.month.day == 1
    assert (saved.sex, saved.disability, saved.ethnicity) == ("female", "prefer_not", "")
    assert EqualityResponse.objects.count() == 2


def test_invalid_answer_is_refused(client, dataset):
    response = client.post(reverse("reports:equality"), {"sex": "not-a-choice"})
    assert response.status_code == 200
    assert EqualityResponse.objects.count() == 0


def test_results_are_suppressed(settings, db):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    for _ in range(6):
        EqualityResponse.objects.create(
            month="2026-03-01", disability="no", satisfaction="satisfied"
        )
    for satisfaction in ("satisfied", "dissatisfied", "dissatisfied", "", "very_satisfied"):
        EqualityResponse.objects.create(
            month="2026-03-01", disability="yes", satisfaction=satisfaction
        )
    EqualityResponse.objects.create(month="2026-03-01", disability="prefer_not")
    table = {t.field: t for t in results()}["disability"]
    rows = {row.key: row for row in table.rows}
    assert rows["no"].responses.value == 6 and rows["no"].satisfied_share.value == 100.0
    # Five answered "yes", four rated the service: 2 of 4 satisfied, but 4 < 5 so not shown.
    assert rows["yes"].responses.value == 5
    assert rows["yes"].satisfied_share.suppressed
    assert rows["prefer_not"].responses.suppressed
    assert rows["not_answered"].responses.value == 0


def test_results_page(client, db):
    response = client.get(reverse("reports:equality_results"))
    assert response.status_code == 200
    assert "Prefer not to say" in response.content.decode()
