"""No personal data on any public page or in any download.

The data set's resident, cases and staff carry distinctive values (conftest.PERSONAL); every
public response is searched for them, for the case references, and for ids of rows behind.
"""

import pytest
from django.urls import reverse

from reports.models import EqualityResponse
from services.models import Case
from tests.reports.conftest import PERSONAL

pytestmark = pytest.mark.django_db


def public_responses(client):
    overview = reverse("reports:overview")
    filters = [
        {},
        {"to": "2026-04"},
        {"to": "2026-04", "council": "MKC"},
        {"to": "2026-04", "council": "NCC", "service": "roads"},
        {"to": "2026-04", "channel": "web"},
        {"to": "2026-04", "council": "MKC", "service": "bins", "channel": "counter"},
    ]
    for params in filters:
        yield client.get(overview, params)
        for by in ("month", "council", "service", "channel"):
            for name in ("reports:csv", "reports:json"):
                yield client.get(reverse(name), {**params, "by": by})
    yield client.get(reverse("reports:equality"))
    yield client.get(reverse("reports:equality"), {"service": "bins"})
    yield client.get(reverse("reports:equality_results"))


@pytest.mark.parametrize("threshold", [1, 5])
def test_no_personal_data_in_public_pages_or_downloads(client, dataset, settings, threshold):
    settings.PORTAL_SUPPRESSION_THRESHOLD = threshold
    EqualityResponse.objects.create(month="2026-03-01", sex="female", satisfaction="satisfied")
    references = []
    for case in Case.objects.all():
        references += [case.reference, case.display_reference]
    forbidden = [*PERSONAL.values(), *references, PERSONAL["email"].split("@")[0]]
    forbidden += ["Boundary road"]  # the transfer note
    checked = 0
    for response in public_responses(client):
        assert response.status_code == 200, response.request
        body = response.content.decode()
        for value in forbidden:
            assert value not in body, (value, response.request["PATH_INFO"])
        checked += 1
    assert checked == 57
    # And the data set really does hold them, so the search above could have found them.
    assert Case.objects.filter(summary=PERSONAL["summary"]).count() == 10


def test_download_rejects_unknown_filters(client, dataset):
    assert client.get(reverse("reports:csv"), {"council": "XXX"}).status_code == 400
    assert client.get(reverse("reports:json"), {"by": "resident"}).status_code == 400
    assert client.get(reverse("reports:json"), {"to": "2026-13"}).status_code == 400
