"""rebuild_reports and refresh_reports: progress, idempotence, and picking up changes."""

from io import StringIO

import pytest
from django.core.management import call_command

from reports import figures
from reports.models import MonthlyFigure, ReportRun
from services.models import Case, Council

pytestmark = pytest.mark.django_db


def totals():
    return sorted(
        MonthlyFigure.objects.values_list(
            "month", "council_id", "service_id", "channel", "contacts", "resolved"
        )
    )


def test_rebuild_is_idempotent_and_shows_progress(dataset):
    before = totals()
    out = StringIO()
    call_command("rebuild_reports", "--chunk", "3", stdout=out)
    assert totals() == before
    text = out.getvalue()
    assert "10/10 cases" in text and "/s" in text
    assert "Rebuilt the summary tables from 10 cases" in text


def test_refresh_picks_up_a_late_transfer_of_an_old_case(dataset):
    h = dataset["cases"]["H"]
    mkc = dataset["councils"]["MKC"]
    h.delivering_council = mkc
    h.save()  # updated_at is now, after the last run started
    months = figures.months_to_refresh(recent=1)
    assert figures.month_of(h.created_at) in months
    out = StringIO()
    call_command("refresh_reports", "--months", "1", stdout=out)
    assert "Refreshed" in out.getvalue()
    march = MonthlyFigure.objects.filter(month="2026-03-01")
    assert not march.filter(council__code="NCC").exists()
    assert ReportRun.objects.first().kind == ReportRun.Kind.REFRESH


def test_tasks_run_on_the_reports_queue(dataset):
    from reports.tasks import rebuild_reports, refresh_reports

    assert rebuild_reports.queue_name == "reports"
    assert refresh_reports.queue_name == "reports"
    result = rebuild_reports.enqueue()  # the test settings run tasks immediately
    assert result.return_value == Case.objects.count()
    assert Council.objects.count() == 2
