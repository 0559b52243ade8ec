"""/desk/sms-inbox/: texts the filing worker could not file (parked), and how far behind it is.

Read-only and for supervisors (behind the desk's one gate, role checked in the view): a parked
text has no case yet, so nothing narrows it to a council the viewer serves — it is shown to the
people who look after the service as a whole, with the error that stopped it, so they can fix
the cause (a catalogue row, a bug) and tell the resident. It is never dropped: the row stays in
the inbox with its payload; putting it back in the queue is a database operation for now
(README, "SMS inbox").
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from channels.sms import filing, inbox
from channels.sms.models import InboxEntry
from desk.gate import staff_required
from desk.nav import nav
from services import permissions

SHOWN = 100


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    if not permissions.is_supervisor(request.user):
        raise PermissionDenied(_("The SMS inbox is for supervisors."))
    parked = list(
        InboxEntry.objects.filter(state=InboxEntry.State.PARKED).order_by("-received_at")[:SHOWN]
    )
    for entry in parked:
        data = QueryDict(entry.body)
        entry.text = data.get("Body", "") if entry.kind == InboxEntry.Kind.TEXT else ""
        entry.status_value = data.get("MessageStatus", "")
        entry.error_line = (entry.last_error.strip().splitlines() or [""])[-1]
    context = nav(request, "sms_inbox") | {
        "parked": parked,
        "backlog": filing.backlog(),
        "spool": inbox.spool_stats(),
    }
    return render(request, "desk/sms_inbox/index.html", context)
