"""Texting references for their status is limited per sender, in PostgreSQL (issue 21).

Each status answer is a text we pay for, and references are tried by number; the limit is a
true window (``services.actions.ratelimit``, scope ``sms_status_sender``), so emptying the
cache refills nothing. A text over the limit is still kept (nothing lost), unanswered.
"""

import pytest
from django.core.cache import cache

from services.models import Case, Channel, ContactPoint, Message, Status
from tests.channels.sms.conftest import COUNCIL_NUMBER, inbound_payload, reply_text
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

SENDER = "+447700900123"


@pytest.fixture
def council(db):
    council = CouncilFactory(code="MKC", name="Milton Keynes City Council")
    ServiceFactory(slug="general-enquiry", name="General enquiry", responsible_council=council)
    ContactPoint.objects.create(channel=Channel.SMS, address=COUNCIL_NUMBER, council=council)
    return council


def test_status_texts_are_limited_per_sender(council, sms_post, settings):
    settings.PORTAL_RATE_LIMITS = {"sms_status_sender": (2, 3600)}
    case = make_case(resident=ResidentFactory(phone=SENDER), status=Status.IN_PROGRESS)
    for _ in range(2):
        assert "In progress" in reply_text(sms_post(inbound_payload(case.reference, sender=SENDER)))
    cache.clear()
    over = sms_post(inbound_payload(case.reference, sender=SENDER))
    assert reply_text(over) == ""  # no answer, so no text to pay for
    kept = Message.objects.get(channel=Channel.SMS, direction="in", provider_id=over.message_sid)
    assert kept.metadata["sms"] == "status_limited"
    # Another number is not held up by this one.
    other = ResidentFactory(phone="+447700900456")
    theirs = make_case(resident=other, status=Status.IN_PROGRESS)
    answer = reply_text(sms_post(inbound_payload(theirs.reference, sender="+447700900456")))
    assert "In progress" in answer
    assert Case.objects.count() == 2
