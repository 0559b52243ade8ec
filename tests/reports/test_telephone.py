"""Telephone measures per council line and month, computed from calls made here, and their
suppression on the public pages.

March 2026 (UK time), waits in seconds from joining the queue:

===  ====  =====================================  ==========================================
#    line  what happens                           counts
===  ====  =====================================  ==========================================
1    MKC   answered after 30                      offered, answered, within 60, wait 30
2    MKC   answered after exactly 60              offered, answered, within 60, wait 60
3    MKC   answered after 90                      offered, answered, wait 90
4    MKC   hung up after 120 in the queue         offered, abandoned, wait 120
5    MKC   queued, then left a voicemail          offered, voicemail (not abandoned)
6    MKC   rang out of hours                      out of hours
7    MKC   heard a case's status in the menu      received only
8    MKC   answered after 10, wrapped up          offered, answered, within 60, wait 10
9    NCC   answered after 45                      offered, answered, within 60, wait 45
10   NCC   hung up after 15 in the queue          offered, abandoned, wait 15
—    MKC   logged by hand from a desk phone       not counted
—    MKC   an adviser's outgoing call             not counted
11   MKC   1 April: answered after 5              April
===  ====  =====================================  ==========================================
"""

import datetime
import itertools

import pytest
from django.urls import reverse

from channels.voice.models import Call, CallStatus, Outcome, Stage
from reports import figures, telephone
from reports.models import TelephoneFigure
from tests.factories import CouncilFactory
from tests.reports.conftest import uk

pytestmark = pytest.mark.django_db
_sids = itertools.count(1)


def make_call(council, started, *, wait=None, answered=False, outcome="", **fields):
    queued = started + datetime.timedelta(seconds=20) if wait is not None else None
    answered_at = queued + datetime.timedelta(seconds=wait) if answered else None
    ended = (answered_at or queued or started) + datetime.timedelta(
        seconds=0 if (wait is not None and not answered) else 200
    )
    if wait is not None and not answered:
        ended = queued + datetime.timedelta(seconds=wait)
    return Call.objects.create(
        call_sid=fields.pop("call_sid", f"CA{next(_sids):032d}"),
        council=council,
        from_number="+447700900001",
        to_number="+441908000000",
        status=CallStatus.COMPLETED,
        stage=Stage.ENDED,
        started_at=started,
        queued_at=queued,
        answered_at=answered_at,
        ended_at=ended,
        outcome=outcome,
        **fields,
    )


@pytest.fixture
def lines(db):
    mkc = CouncilFactory(code="MKC", name="Milton Keynes City Council")
    ncc = CouncilFactory(code="NCC", name="Northamptonshire County Council")
    day = uk(2026, 3, 10, 10)
    make_call(mkc, day, wait=30, answered=True, outcome=Outcome.ANSWERED)
    make_call(mkc, day, wait=60, answered=True, outcome=Outcome.ANSWERED)
    make_call(mkc, day, wait=90, answered=True, outcome=Outcome.ANSWERED)
    make_call(mkc, day, wait=120, outcome=Outcome.ABANDONED)
    make_call(mkc, day, wait=300, outcome=Outcome.VOICEMAIL, chose_voicemail=True)
    make_call(mkc, uk(2026, 3, 10, 21), outcome=Outcome.CLOSED)
    make_call(mkc, day, outcome=Outcome.STATUS_GIVEN)
    make_call(mkc, day, wait=10, answered=True, outcome=Outcome.RESOLVED)
    make_call(ncc, uk(2026, 3, 31, 23, 50), wait=45, answered=True, outcome=Outcome.ANSWERED)
    make_call(ncc, day, wait=15, outcome=Outcome.ABANDONED)
    make_call(mkc, day, source=Call.Source.DESK, call_sid=None, outcome=Outcome.RESOLVED)
    make_call(mkc, day, direction="out", wait=None, answered=False, outcome=Outcome.RESOLVED)
    make_call(mkc, uk(2026, 4, 1, 9), wait=5, answered=True, outcome=Outcome.ANSWERED)
    figures.rebuild()
    return {"MKC": mkc, "NCC": ncc}


def test_the_summary_rows_match_the_calls(lines):
    march = datetime.date(2026, 3, 1)
    mkc = TelephoneFigure.objects.get(month=march, council=lines["MKC"])
    assert (
        mkc.received,
        mkc.offered,
        mkc.answered,
        mkc.answered_within_60,
        mkc.abandoned,
        mkc.voicemail,
        mkc.out_of_hours,
        mkc.waits,
        mkc.wait_seconds,
    ) == (8, 6, 4, 3, 1, 1, 1, 5, 30 + 60 + 90 + 10 + 120)
    ncc = TelephoneFigure.objects.get(month=march, council=lines["NCC"])
    assert (ncc.received, ncc.offered, ncc.answered, ncc.answered_within_60) == (2, 2, 1, 1)
    assert (ncc.abandoned, ncc.waits, ncc.wait_seconds) == (1, 2, 60)
    april = TelephoneFigure.objects.get(month=datetime.date(2026, 4, 1), council=lines["MKC"])
    assert (april.received, april.answered, april.wait_seconds) == (1, 1, 5)
    assert TelephoneFigure.objects.count() == 3


def test_a_refresh_of_one_month_leaves_the_others(lines):
    telephone.compute({datetime.date(2026, 4, 1)})
    assert TelephoneFigure.objects.count() == 3
    assert TelephoneFigure.objects.filter(month=datetime.date(2026, 3, 1)).count() == 2


def json_rows(client, **params):
    response = client.get(
        reverse("reports:json"), {"to": "2026-04", "table": "telephone", **params}
    )
    assert response.status_code == 200
    return {row["key"]: row for row in response.json()["rows"]}


def test_published_measures_per_line_and_month(client, lines, settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 1
    by_line = json_rows(client, by="council", to="2026-03")
    mkc = by_line["MKC"]["figures"]
    assert mkc["calls_received"] == 8 and mkc["calls_offered"] == 6
    assert mkc["calls_answered"] == 4
    assert mkc["answered_within_60_share"] == 75.0
    assert mkc["calls_abandoned"] == 1
    assert mkc["abandoned_share"] == round(100 / 6, 1)
    assert mkc["average_wait_seconds"] == 62.0
    assert mkc["calls_out_of_hours"] == 1 and mkc["voicemails"] == 1
    ncc = by_line["NCC"]["figures"]
    assert ncc["answered_within_60_share"] == 100.0 and ncc["abandoned_share"] == 50.0
    assert ncc["average_wait_seconds"] == 30.0
    total = by_line["total"]["figures"]
    assert total["calls_received"] == 10 and total["calls_answered"] == 5
    assert total["average_wait_seconds"] == round(370 / 7, 1)
    by_month = json_rows(client, council="MKC")
    assert by_month["2026-03"]["figures"]["calls_answered"] == 4
    assert by_month["2026-04"]["figures"]["calls_answered"] == 1
    assert by_month["2026-02"]["figures"]["calls_received"] == 0


def test_small_numbers_are_suppressed_on_the_public_page(client, lines, settings):
    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    by_line = json_rows(client, by="council", to="2026-03")
    mkc = by_line["MKC"]
    assert mkc["figures"]["calls_received"] == 8
    assert mkc["figures"]["calls_answered"] is None  # 4 answered: fewer than 5
    assert mkc["figures"]["answered_within_60_share"] is None
    assert mkc["figures"]["abandoned_share"] is None  # 1 abandoned
    assert mkc["figures"]["average_wait_seconds"] == 62.0  # 5 calls behind it
    assert {"calls_answered", "answered_within_60_share", "abandoned_share"} <= set(
        mkc["suppressed"]
    )
    ncc = by_line["NCC"]
    assert ncc["figures"]["calls_received"] is None
    assert ncc["figures"]["average_wait_seconds"] is None  # 2 calls behind it
    csv = client.get(
        reverse("reports:csv"), {"to": "2026-03", "table": "telephone", "by": "council"}
    ).content.decode()
    assert "[c]" in csv
    page = client.get(reverse("reports:overview"), {"to": "2026-03"}).content.decode()
    assert 'id="telephone"' in page
    assert "fewer than 5" in page
    assert "62" in page


def test_telephone_figures_are_not_per_service(client, lines):
    response = client.get(reverse("reports:json"), {"table": "telephone", "by": "service"})
    assert response.status_code == 400


def test_supervisors_dashboard_shows_their_lines_unsuppressed(client, lines, settings):
    from django.utils import timezone

    from desk.dashboards.views import telephone_lines
    from services.models import Role
    from tests.factories import make_staff

    settings.PORTAL_SUPPRESSION_THRESHOLD = 5
    now = timezone.make_aware(datetime.datetime(2026, 4, 15, 12))
    ncc_supervisor = make_staff(lines["NCC"], role=Role.SUPERVISOR)
    rows = telephone_lines(ncc_supervisor, now=now)
    assert [(r["month"], r["answered"], r["abandoned"]) for r in rows] == [
        (datetime.date(2026, 3, 1), 1, 50.0)
    ]
    assert rows[0]["average_wait"] == 30.0
    mk_supervisor = make_staff(lines["MKC"], role=Role.SUPERVISOR)
    march = [r for r in telephone_lines(mk_supervisor, now=now) if r["month"].month == 3]
    assert march[0]["answered"] == 4 and march[0]["within_60"] == 75.0
    client.force_login(mk_supervisor)
    csv = client.get(reverse("dashboards:csv", args=["telephone"])).content.decode()
    assert csv.splitlines()[0].startswith("month,line,offered,answered")
