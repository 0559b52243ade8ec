"""Referrals count in the published figures: cases passed to another body, and residents the
apply form sent to the right body before any case was opened (``Signpost``)."""

import datetime

import pytest
from django.urls import reverse

from reports import figures
from services import routing
from services.actions import InboundMessage, intake
from services.actions.signposts import record_signpost
from services.models import Channel, Service, Signpost
from tests.reports.conftest import uk

pytestmark = pytest.mark.django_db


def json_rows(client, **params):
    response = client.get(reverse("reports:json"), {"to": "2026-04", **params})
    return {row["key"]: row for row in response.json()["rows"]}


@pytest.fixture
def referrals(catalogue):
    bins = Service.objects.get(slug="mk-missed-bin")
    # Three residents told on the web who collects Northampton's bins (one reloads: once).
    for key in ("a", "b", "c", "a"):
        record_signpost(
            f"web:{key}", routing.where(bins, postcode="NN1 1AA"), now=uk(2026, 3, 10, 12)
        )
    # One sent outside both councils in April.
    record_signpost("web:d", routing.where(bins, postcode="SW1A 1AA"), now=uk(2026, 4, 2, 9))
    # A resident who carried on here after all is not counted.
    record_signpost("web:e", routing.where(bins, postcode="NN1 1AA"), now=uk(2026, 3, 11, 9))
    record_signpost("web:e", routing.where(bins, postcode="MK9 3EJ"), now=uk(2026, 3, 11, 9))
    # Two emails about Northampton bins: cases opened as referrals.
    for n in (1, 2):
        intake(
            InboundMessage(
                channel=Channel.EMAIL,
                sender=f"r{n}@example.com",
                recipient="bins@mk.example.org",
                body="Missed at NN1 1AA",
                provider_id=f"<ref{n}@example.com>",
                received_at=uk(2026, 3, 12, 10),
            )
        )
    figures.rebuild()


def test_signposts_are_once_per_application_and_hold_no_postcode(referrals):
    assert Signpost.objects.count() == 4
    assert set(Signpost.objects.values_list("district", flat=True)) == {"NN1", "SW1A"}


def test_referrals_are_published_by_month_council_and_service(client, referrals, settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 1
    months = json_rows(client)
    assert months["2026-03"]["figures"]["referred"] == 5  # three signposts, two cases
    assert months["2026-04"]["figures"]["referred"] == 1
    assert months["total"]["figures"]["referred"] == 6
    # A signpost is no contact (no case was opened); the two referred cases are.
    assert months["2026-03"]["figures"]["contacts"] == 2
    by_council = json_rows(client, by="council")
    assert by_council["other"]["figures"]["referred"] == 6  # passed to another organisation
    by_service = json_rows(client, by="service")
    assert by_service["mk-missed-bin"]["figures"]["referred"] == 4
    assert by_service["ncc-bins"]["figures"]["referred"] == 2  # the cases filed as referrals
    page = client.get(reverse("reports:overview"), {"to": "2026-04"}).content.decode()
    assert "Sent to another organisation" in page


def test_small_referral_counts_are_suppressed(client, referrals, settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    months = json_rows(client)
    assert months["2026-03"]["figures"]["referred"] == 5
    assert months["2026-04"]["figures"]["referred"] is None
    assert "referred" in months["2026-04"]["suppressed"]


def test_a_refresh_counts_the_months_it_recomputes(referrals, settings):
    record_signpost(
        "web:late",
        routing.where(Service.objects.get(slug="mk-new-bin"), postcode="NN17 1QG"),
        now=uk(2026, 3, 20, 9),
    )
    figures.compute({datetime.date(2026, 3, 1)})
    from reports.models import MonthlyFigure

    assert (
        sum(MonthlyFigure.objects.filter(month="2026-03-01").values_list("referred", flat=True))
        == 6
    )
