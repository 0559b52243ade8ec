"""A small data set whose published figures are worked out by hand in the tests.

Dates are UK local time in March and April 2026 (clocks go forward on 29 March). The
expected figures, per case (MKC unless said; "due" is the SLA due time):

=====  ==========  ========  =======================================  ==========================
case   service     channel   what happens                             counts
=====  ==========  ========  =======================================  ==========================
A      bins        web       2 Mar → resolved 4 Mar, before due       Mar contact; Mar resolved in
                                                                      target, 2 days
B      bins        email     2 Mar; waiting 3–5 Mar (clock paused);   Mar contact; Mar resolved in
                             resolved 9 Mar: after the original due   target (pause honoured),
                             (6 Mar) but before the moved one         7 days
C      bins        voice     10 Mar → resolved 20 Mar, after due      Mar contact; Mar missed, 10 d
D      bins        counter   11 Mar → resolved same day, first        Mar contact; Mar in target,
                             contact resolution                       0 days, FCR
E      bins        web       12 Mar, merged into F                    nothing at all
F      bins        web       15 Mar, still open                       Mar contact
G      roads(NCC)  web       16 Mar, transferred NCC → MKC,           MKC: Mar contact, Mar in
                             resolved 18 Mar                          target, 2 days; NCC: nothing
H      roads(NCC)  sms       17 Mar, still open                       NCC Mar contact
I      complaint   web       20 Mar → resolved 2 Apr, after due       Mar contact + complaint;
                                                                      Apr missed, 13 days
J      bins        post      1 Apr 00:30 BST (31 Mar 23:30 UTC)       Apr contact
=====  ==========  ========  =======================================  ==========================
"""

import datetime
from zoneinfo import ZoneInfo

import pytest

from reports import figures
from services import actions
from services.models import Case, Channel, Role, Status
from tests.factories import (
    CouncilFactory,
    ResidentFactory,
    ServiceFactory,
    TeamFactory,
    make_case,
    make_staff,
)

UK = ZoneInfo("Europe/London")

# Values nobody could produce by accident: none may appear on a public page or download.
PERSONAL = {
    "name": "Zebedee Quillfeather-Ffoulkes",
    "email": "zebedee.secret@example.net",
    "phone": "+447700900123",
    "address": "17 Improbable Mews",
    "postcode": "MK9 9ZQ",
    "summary": "Ferret called Montgomery escaped",
    "staff": "Ottoline Staffperson",
}


def uk(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UK)


@pytest.fixture
def dataset(db):
    mkc = CouncilFactory(code="MKC", name="Milton Keynes Council", short_name="Milton Keynes")
    ncc = CouncilFactory(
        code="NCC", name="Northamptonshire County Council", short_name="Northamptonshire"
    )
    bins = ServiceFactory(
        name="Bins",
        slug="bins",
        responsible_council=mkc,
        sla_days=5,
        delivering_team=TeamFactory(council=mkc, slug="mk-bins"),
    )
    roads = ServiceFactory(
        name="Roads",
        slug="roads",
        responsible_council=ncc,
        sla_days=5,
        delivering_team=TeamFactory(council=ncc, slug="ncc-roads"),
    )
    complaint = ServiceFactory(
        name="Complaints",
        slug="complaint",
        responsible_council=mkc,
        sla_days=5,
        delivering_team=TeamFactory(council=mkc, slug="complaints"),
    )
    resident = ResidentFactory(
        name=PERSONAL["name"],
        email=PERSONAL["email"],
        phone=PERSONAL["phone"],
        address=PERSONAL["address"],
        postcode=PERSONAL["postcode"],
    )
    first, last = PERSONAL["staff"].split()
    ncc_supervisor = make_staff(ncc, role=Role.SUPERVISOR, first_name=first, last_name=last)

    def case(service, created, channel, **fields) -> Case:
        return make_case(
            service,
            resident,
            created_at=created,
            origin_channel=channel,
            summary=PERSONAL["summary"],
            description=f"Please call {PERSONAL['phone']}",
            location=PERSONAL["address"],
            postcode=PERSONAL["postcode"],
            **fields,
        )

    def resolve(c: Case, at: datetime.datetime, **fields) -> Case:
        Case.objects.filter(pk=c.pk).update(status=Status.RESOLVED, resolved_at=at, **fields)
        c.refresh_from_db()
        return c

    cases = {}
    cases["A"] = resolve(case(bins, uk(2026, 3, 2, 10), Channel.WEB), uk(2026, 3, 4, 12))
    b = case(bins, uk(2026, 3, 2, 9), Channel.EMAIL)
    cases["B_original_due"] = b.due_at
    actions.change_status(None, b, Status.WAITING, now=uk(2026, 3, 3, 9), notify=False)
    actions.change_status(None, b, Status.IN_PROGRESS, now=uk(2026, 3, 5, 9), notify=False)
    cases["B"] = actions.change_status(
        None, b, Status.RESOLVED, now=uk(2026, 3, 9, 12), notify=False
    )
    cases["C"] = resolve(case(bins, uk(2026, 3, 10, 10), Channel.VOICE), uk(2026, 3, 20, 10))
    cases["D"] = resolve(
        case(bins, uk(2026, 3, 11, 10), Channel.COUNTER),
        uk(2026, 3, 11, 11),
        first_contact_resolution=True,
    )
    cases["F"] = case(bins, uk(2026, 3, 15, 10), Channel.WEB, status=Status.OPEN)
    cases["E"] = case(
        bins,
        uk(2026, 3, 12, 10),
        Channel.WEB,
        status=Status.MERGED,
        merged_into=cases["F"],
        closed_at=uk(2026, 3, 15, 11),
    )
    g = case(roads, uk(2026, 3, 16, 10), Channel.WEB)
    actions.transfer(ncc_supervisor, g, council=mkc, note="Boundary road: MKC maintains it")
    cases["G"] = resolve(g, uk(2026, 3, 18, 10))
    cases["H"] = case(roads, uk(2026, 3, 17, 10), Channel.SMS)
    cases["I"] = resolve(case(complaint, uk(2026, 3, 20, 10), Channel.WEB), uk(2026, 4, 2, 10))
    cases["J"] = case(
        bins, datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC), Channel.POST
    )
    figures.rebuild()
    return {
        "councils": {"MKC": mkc, "NCC": ncc},
        "services": {"bins": bins, "roads": roads, "complaint": complaint},
        "cases": cases,
        "resident": resident,
        "ncc_supervisor": ncc_supervisor,
    }
