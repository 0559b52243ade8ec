"""Small numbers are never published, nor anything worked out from them."""

import json
from collections import Counter

import pytest
from django.urls import reverse

from reports.published import count_cell, median_cell, median_of, share_cell

pytestmark = pytest.mark.django_db


def test_count_rule(settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    assert count_cell(0).value == 0 and count_cell(0).available
    assert [count_cell(n).suppressed for n in range(1, 7)] == [True] * 4 + [False] * 2
    assert count_cell(5).value == 5


def test_shares_over_suppressed_counts_are_suppressed(settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    assert share_cell(4, 100).suppressed  # numerator small
    assert share_cell(3, 3).suppressed  # denominator small
    assert share_cell(0, 10).value == 0.0  # nobody: publishable
    assert share_cell(5, 10).value == 50.0
    assert not share_cell(0, 0).available and not share_cell(0, 0).suppressed


def test_median_needs_enough_cases(settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    assert median_cell(Counter({3: 4})).suppressed
    assert median_cell(Counter({1: 2, 3: 2, 9: 1})).value == 3
    assert median_of(Counter({0: 1, 2: 2, 7: 1, 10: 1, 13: 1})) == 4.5


def test_published_data_set_is_suppressed(client, dataset, settings):
    """The hand-computed figures with the default threshold of 5 (see conftest.py)."""
    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    response = client.get(reverse("reports:json"), {"to": "2026-04", "council": "MKC"})
    rows = {row["key"]: row for row in json.loads(response.content)["rows"]}
    march = rows["2026-03"]
    assert march["figures"]["contacts"] == 7
    assert march["figures"]["resolved"] == 5
    assert march["figures"]["median_days_to_resolve"] == 2.0  # five cases behind it
    # 4 made online, 1 complaint, 4 within target, 1 first contact: all too few.
    assert set(march["suppressed"]) == {
        "online",
        "online_share",
        "complaints",
        "resolved_within_target",
        "within_target_share",
        "first_contact_resolved",
        "first_contact_share",
    }
    assert all(march["figures"][key] is None for key in march["suppressed"])
    april = rows["2026-04"]
    assert april["figures"]["contacts"] is None and "contacts" in april["suppressed"]
    assert april["figures"]["median_days_to_resolve"] is None  # one case
    assert april["figures"]["complaints"] == 0  # zero is published

    csv_text = client.get(reverse("reports:csv"), {"to": "2026-04", "council": "MKC"}).content
    march_line = next(line for line in csv_text.decode().splitlines() if ",2026-03," in line)
    assert march_line.count("[c]") == 7

    page = client.get(reverse("reports:overview"), {"to": "2026-04", "council": "MKC"})
    assert "fewer than 5" in page.content.decode()
    assert "not published" in page.content.decode()


def test_threshold_is_a_setting(client, dataset, settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 10
    response = client.get(reverse("reports:json"), {"to": "2026-04", "council": "MKC"})
    document = json.loads(response.content)
    assert document["suppression_threshold"] == 10
    march = {row["key"]: row for row in document["rows"]}["2026-03"]
    assert march["figures"]["contacts"] is None  # 7 < 10
