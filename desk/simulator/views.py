"""The simulator page at /desk/simulator/: staff-only, and only where enabled (404 elsewhere).

Behind the desk's one gate with ``hide=True``: a signed-in user who is not staff gets a 404,
as when the simulator is switched off, so the page does not say that it exists.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from desk.gate import staff_required
from desk.nav import nav
from desk.simulator.simulators import SIMULATORS, sms_conversation


@staff_required(hide=True)
def simulator(request):
    if not settings.PORTAL_CHANNEL_SIMULATOR or not settings.TWILIO_AUTH_TOKEN:
        raise Http404
    chosen = request.POST.get("simulator") if request.method == "POST" else None
    forms, result = {}, None
    for sim in SIMULATORS:
        bound = request.method == "POST" and chosen == sim.slug
        form = sim.form_class(request.POST if bound else None, prefix=sim.slug)
        if bound and form.is_valid():
            result = sim.send(form)
        forms[sim.slug] = form
    # After a text, and when staff look again (?phone=…): that number's texts, the reply among
    # them once the filing worker has sent it.
    phone = result.phone if result and result.phone else request.GET.get("phone", "")[:40]
    return render(
        request,
        "desk/simulator/index.html",
        nav(request, "simulator")
        | {
            "simulators": [(sim, forms[sim.slug]) for sim in SIMULATORS],
            "result": result,
            "conversation": sms_conversation(phone) if phone.strip() else None,
        },
    )
