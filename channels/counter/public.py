"""Pages in the one-stop shop itself: the waiting-area display and the self-service kiosk.

The display is public (it hangs in the waiting area, and anybody there can read it): it shows
ticket codes and desk numbers only, never a name, reason or resident. It works without
JavaScript (a ``<noscript>`` meta refresh); with it, ``counter/display.js`` fetches
``display.json`` and updates the page in place, and can announce calls aloud.

The kiosk runs on a device a member of staff signs in each morning: issuing a ticket needs the
same permission as reception (``queue.can_manage``), so the kiosk cannot be driven from outside
the office. It asks only the reason and an accessibility need: no personal data.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from channels.counter import queue
from channels.counter.forms import KioskForm
from channels.counter.models import Ticket, TicketPriority
from services.models import Office

REFRESH_SECONDS = 10


def _office(slug: str) -> Office:
    return get_object_or_404(Office, slug=slug, kind=Office.Kind.ONE_STOP_SHOP)


def _calls(office: Office) -> list[dict]:
    return [
        {
            "code": ticket.code,
            "desk": ticket.desk.number if ticket.desk else None,
            # Changes when a ticket is called again, so the page can announce it once more.
            "called": ticket.called_at.isoformat() if ticket.called_at else "",
        }
        for ticket in queue.now_calling(office)
    ]


@require_GET
@never_cache
def display(request: HttpRequest, office: str) -> HttpResponse:
    office_obj = _office(office)
    return render(
        request,
        "counter/display.html",
        {
            "office": office_obj,
            "calls": _calls(office_obj),
            "waiting": queue.waiting(office_obj).count(),
            "refresh": REFRESH_SECONDS,
            "speak": request.GET.get("speak") == "1",
            "closed_reason": queue.closed_reason(office_obj),
        },
    )


@require_GET
@never_cache
def display_json(request: HttpRequest, office: str) -> JsonResponse:
    """The calls and the waiting count, the count also as the page shows it.

    ``waiting_text`` is written here rather than in ``display.js`` so that it takes the plural
    forms of the page's language (Polish has three); the request carries the same language
    cookie as the page.
    """
    office_obj = _office(office)
    waiting = queue.waiting(office_obj).count()
    return JsonResponse(
        {
            "calls": _calls(office_obj),
            "waiting": waiting,
            # The same msgid as the page's own count (display.html).
            "waiting_text": ngettext(
                "%(counter)s person waiting", "%(counter)s people waiting", waiting
            )
            % {"counter": waiting},
        },
        headers={"Cache-Control": "no-store"},
    )


@never_cache
def kiosk(request: HttpRequest, office: str) -> HttpResponse:
    office_obj = _office(office)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not queue.can_manage(request.user, office_obj):
        raise PermissionDenied(_("This kiosk belongs to another office."))
    closed = queue.closed_reason(office_obj)
    form = KioskForm(request.POST or None, office=office_obj)
    status = 200
    if request.method == "POST":
        if form.is_valid() and not closed:
            try:
                ticket = queue.issue_ticket(
                    request.user,
                    office_obj,
                    reason=form.cleaned_data["reason"],
                    priority=TicketPriority.ACCESSIBILITY
                    if form.cleaned_data["needs"]
                    else TicketPriority.NORMAL,
                    from_kiosk=True,
                )
            except queue.CounterError as error:
                form.add_error(None, str(error))
            else:
                return redirect("counter_public:kiosk_ticket", office=office_obj.slug, pk=ticket.pk)
        status = 409 if closed else 400
    return render(
        request,
        "counter/kiosk.html",
        {"office": office_obj, "form": form, "closed_reason": closed},
        status=status,
    )


@require_GET
@never_cache
def kiosk_ticket(request: HttpRequest, office: str, pk: int) -> HttpResponse:
    office_obj = _office(office)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not queue.can_manage(request.user, office_obj):
        raise PermissionDenied(_("This kiosk belongs to another office."))
    ticket = get_object_or_404(Ticket, pk=pk, office=office_obj)
    return render(
        request,
        "counter/kiosk_ticket.html",
        {
            "office": office_obj,
            "ticket": ticket,
            "expected_wait": queue.expected_wait(office_obj, ticket),
        },
    )
