"""/desk/sms-inbox/: parked texts shown to supervisors, with the error; nobody else."""

import datetime

from django.utils import timezone

from channels.sms import inbox
from channels.sms.models import InboxEntry
from services.models import Role
from tests.factories import CouncilFactory, make_staff


def _parked():
    request = inbox.Request(
        kind="text",
        key="SM" + "f" * 32,
        lane="+447700900555",
        body="Body=My+bin+is+still+there&From=%2B447700900555",
        query="",
        received_at=timezone.now() - datetime.timedelta(minutes=30),
    )
    inbox.insert(request)
    InboxEntry.objects.filter(key=request.key).update(
        state="parked", attempts=8, last_error="Traceback …\nDoesNotExist: triage service missing"
    )


def test_supervisors_see_parked_texts_with_the_error(db, client):
    council = CouncilFactory(code="MKC")
    _parked()
    client.force_login(make_staff(council, role=Role.SUPERVISOR))
    html = client.get("/desk/sms-inbox/").content.decode()
    assert "My bin is still there" in html and "+447700900555" in html
    assert "DoesNotExist: triage service missing" in html
    assert 'href="/desk/sms-inbox/"' in html  # in the nav


def test_other_staff_are_refused_and_do_not_get_the_link(db, client):
    council = CouncilFactory(code="MKC")
    _parked()
    client.force_login(make_staff(council))
    assert client.get("/desk/sms-inbox/").status_code == 403
    assert "/desk/sms-inbox/" not in client.get("/desk/").content.decode()
