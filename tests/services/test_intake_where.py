"""The same rule for texts, emails and calls that name a location: intake asks
``services.routing.where`` before opening the case."""

import pytest

from services.actions import InboundMessage, intake
from services.models import Channel, EventKind, Message, Service, Status
from services.routing import Outcome
from tests.services.test_where import straddling_districts

pytestmark = pytest.mark.django_db


def email_to_bins(body: str, mid: str = "<w1@example.com>") -> InboundMessage:
    """An email to Milton Keynes' bins mailbox (its contact point names mk-missed-bin)."""
    return InboundMessage(
        channel=Channel.EMAIL,
        sender="resident@example.com",
        recipient="bins@mk.example.org",
        subject="Missed bin",
        body=body,
        provider_id=mid,
    )


def test_a_postcode_here_files_as_before(catalogue):
    result = intake(email_to_bins("Not emptied at MK9 3EJ"))
    case = result.case
    assert result.where.outcome == Outcome.SERVE
    assert case.service.slug == "mk-missed-bin" and case.status == Status.RECEIVED
    assert case.postcode == "MK9 3EJ" and case.responsible_council.code == "MKC"
    assert not case.timeline.filter(kind=EventKind.NOTE).exists()


def test_a_district_postcode_is_referred_with_the_bodys_contacts(catalogue, outbox):
    result = intake(email_to_bins("Bin not emptied at 4 Abington St, nn1 1aa"))
    case = result.case
    assert result.where.outcome == Outcome.REFER
    assert case.status == Status.REFERRED
    assert case.referral_body.slug == "northampton-borough-council"
    assert case.service.slug == "ncc-bins" and case.postcode == "NN1 1AA"
    # Counted in the figures as a referral: the case has its body (reports.figures).
    ack = Message.objects.get(case=case, direction="out")
    assert "Northampton Borough Council" in ack.body
    assert "01632 960 101" in ack.body and "https://northampton.example.org" in ack.body


def test_the_other_councils_same_service_takes_a_report(catalogue):
    pothole = Service.objects.get(slug="mk-pothole")
    result = intake(
        InboundMessage(
            channel=Channel.SMS,
            sender="+447400123999",
            recipient="+447400000001",
            body="Huge pothole outside NN1 1DE",
            provider_id="SMwhere1",
            service=pothole,
        )
    )
    assert result.where.outcome == Outcome.MOVE
    assert result.case.service.slug == "ncc-pothole"
    assert result.case.responsible_council.code == "NCC"


@pytest.mark.parametrize("district", straddling_districts())
def test_a_straddling_postcode_in_a_report_is_asked_about(catalogue, district):
    result = intake(email_to_bins(f"Missed again at {district} 6AA", mid=f"<{district}@x>"))
    case = result.case
    assert result.where.outcome == Outcome.ASK
    assert {c.code for c in result.where.candidates} == {"MKC", "NCC"}
    note = case.timeline.get(kind=EventKind.NOTE)
    assert "ask the resident which council" in note.body and not note.visible_to_resident
    created = case.timeline.get(kind=EventKind.CREATED)
    assert created.data["needs_council_choice"] is True


def test_the_number_dialled_does_not_answer_a_straddling_postcode(catalogue):
    # The joint text number belongs to Milton Keynes in the catalogue: that says nothing
    # about which side of the boundary MK19 6AA is.
    result = intake(
        InboundMessage(
            channel=Channel.SMS,
            sender="+447400123998",
            recipient="+447400000001",
            body="Street light out at MK19 6AA",
            provider_id="SMwhere2",
        )
    )
    assert result.where.outcome == Outcome.ASK
    assert result.case.timeline.filter(kind=EventKind.NOTE).exists()


def test_a_report_naming_no_postcode_is_routed_as_before(catalogue):
    result = intake(email_to_bins("My bin was missed again"))
    assert result.where.outcome == Outcome.UNKNOWN
    assert result.case.service.slug == "mk-missed-bin"
    assert result.case.status == Status.RECEIVED
