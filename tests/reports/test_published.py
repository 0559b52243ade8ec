"""Every published figure against the hand-computed data set in conftest.py, on the page, in
the CSV and in the JSON, which must agree exactly."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from reports import figures
from reports.models import MonthlyFigure
from services.models import Status

pytestmark = pytest.mark.django_db

WINDOW = {"to": "2026-04"}


def get_json(client, **params):
    response = client.get(reverse("reports:json"), {**WINDOW, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    return {row["key"]: row for row in document["rows"]}, document


def get_csv(client, **params):
    response = client.get(reverse("reports:csv"), {**WINDOW, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return {row["key"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}


def page_row(client, key: str, **params) -> list[str]:
    """The text of the cells of the first table row with ``data-key=key`` on the page."""
    response = client.get(reverse("reports:overview"), {**WINDOW, **params})
    assert response.status_code == 200
    html = response.content.decode()
    match = re.search(
        rf'<tr class="govuk-table__row" data-key="{re.escape(key)}">(.*?)</tr>', html, re.S
    )
    assert match, f"no row {key}"
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


# Page columns: label, contacts, online %, complaints, resolved, within target %, median, FCR %.
EXPECTED = {
    # (council, month): json figures
    ("MKC", "2026-03"): dict(
        contacts=7,
        online=4,
        online_share=57.1,
        complaints=1,
        resolved=5,
        resolved_with_target=5,
        resolved_within_target=4,
        within_target_share=80.0,
        median_days_to_resolve=2.0,
        first_contact_resolved=1,
        first_contact_share=20.0,
    ),
    ("MKC", "2026-04"): dict(
        contacts=1,
        online=0,
        online_share=0.0,
        complaints=0,
        resolved=1,
        resolved_with_target=1,
        resolved_within_target=0,
        within_target_share=0.0,
        median_days_to_resolve=13.0,
        first_contact_resolved=0,
        first_contact_share=0.0,
    ),
    ("NCC", "2026-03"): dict(
        contacts=1,
        online=0,
        online_share=0.0,
        complaints=0,
        resolved=0,
        resolved_with_target=0,
        resolved_within_target=0,
        within_target_share=None,
        median_days_to_resolve=None,
        first_contact_resolved=0,
        first_contact_share=None,
    ),
    ("all", "2026-03"): dict(
        contacts=8,
        online=4,
        online_share=50.0,
        complaints=1,
        resolved=5,
        resolved_with_target=5,
        resolved_within_target=4,
        within_target_share=80.0,
        median_days_to_resolve=2.0,
        first_contact_resolved=1,
        first_contact_share=20.0,
    ),
}


@pytest.fixture
def no_suppression(settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 1


def test_pause_is_what_keeps_b_in_target(dataset):
    b = dataset["cases"]["B"]
    assert dataset["cases"]["B_original_due"] < b.resolved_at < b.due_at


@pytest.mark.parametrize(("council", "month"), list(EXPECTED))
def test_monthly_figures_match_hand_computed(client, dataset, no_suppression, council, month):
    params = {} if council == "all" else {"council": council}
    rows, _document = get_json(client, **params)
    figures_ = rows[month]["figures"]
    for key, value in EXPECTED[(council, month)].items():
        assert figures_[key] == value, key
    assert figures_["counter_wait_median_minutes"] is None
    assert rows[month]["suppressed"] == []


def test_page_csv_and_json_agree(client, dataset, no_suppression):
    rows, _ = get_json(client, council="MKC")
    table = get_csv(client, council="MKC")
    assert page_row(client, "2026-03", council="MKC") == [
        "March 2026",
        "7",
        "57.1%",
        "1",
        "5",
        "80.0%",
        "2",
        "20.0%",
        "–not applicable",  # no counter tickets in the data set
        "0",  # nobody sent to another organisation
    ]
    march = table["2026-03"]
    assert march["contacts"] == "7" and march["online_share"] == "57.1"
    assert march["median_days_to_resolve"] == "2.0"
    for key in rows:
        for column, value in rows[key]["figures"].items():
            expected = "[x]" if value is None else str(value)
            assert table[key][column] == expected, (key, column)


def test_months_without_cases_are_zero_not_missing(client, dataset, no_suppression):
    rows, document = get_json(client, council="MKC")
    assert document["filter"]["period_from"] == "2025-05"
    assert document["filter"]["period_to"] == "2026-04"
    assert len(rows) == 13  # twelve months and the total
    assert rows["2026-01"]["figures"]["contacts"] == 0
    assert rows["2026-01"]["figures"]["online_share"] is None


def test_total_row_adds_up_the_window(client, dataset, no_suppression):
    rows, _ = get_json(client, council="MKC")
    total = rows["total"]["figures"]
    assert total["contacts"] == 8
    assert total["resolved"] == 6
    assert total["resolved_within_target"] == 4
    # Days 0, 2, 2, 7, 10, 13: the median is between the 3rd and 4th.
    assert total["median_days_to_resolve"] == 4.5


def test_breakdowns(client, dataset, no_suppression):
    by_service, _ = get_json(client, council="MKC", by="service")
    assert by_service["bins"]["figures"]["contacts"] == 6  # A B C D F J (E merged)
    assert by_service["roads"]["figures"]["contacts"] == 1  # G, transferred to MKC
    assert by_service["complaint"]["figures"]["complaints"] == 1
    by_council, _ = get_json(client, by="council")
    assert by_council["MKC"]["figures"]["contacts"] == 8
    assert by_council["NCC"]["figures"]["contacts"] == 1
    assert by_council["total"]["figures"]["contacts"] == 9
    by_channel, _ = get_json(client, by="channel")
    assert {k: v["figures"]["contacts"] for k, v in by_channel.items()} == {
        "web": 4,
        "email": 1,
        "sms": 1,
        "voice": 1,
        "counter": 1,
        "post": 1,
        "total": 9,
    }
    assert page_row(client, "web", by="channel")[1] == "4"
    filtered, _ = get_json(client, council="MKC", service="bins", channel="web")
    assert filtered["2026-03"]["figures"]["contacts"] == 2  # A and F


def test_transfer_counts_for_the_council_that_delivered_it(client, dataset, no_suppression):
    ncc, _ = get_json(client, council="NCC")
    assert ncc["total"]["figures"]["contacts"] == 1  # only H; G went to MKC
    assert ncc["total"]["figures"]["resolved"] == 0


def test_merged_duplicate_is_not_counted(client, dataset, no_suppression):
    rows, _ = get_json(client, council="MKC", channel="web")
    assert rows["2026-03"]["figures"]["contacts"] == 4  # A, F, G and I; not E, merged into F
    assert MonthlyFigure.objects.filter(month__month=3, channel="web").count() > 0
    # Merging more duplicates changes nothing but the duplicates' own absence.
    dataset["cases"]["A"].__class__.objects.filter(pk=dataset["cases"]["C"].pk).update(
        status=Status.MERGED, merged_into=dataset["cases"]["F"]
    )
    figures.rebuild()
    rows, _ = get_json(client, council="MKC")
    assert rows["2026-03"]["figures"]["contacts"] == 6
    assert rows["2026-03"]["figures"]["resolved"] == 4
