"""The simulator page at /desk/simulator/: staff-only, and only where enabled (404 elsewhere)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from channels.simulator.simulators import SIMULATORS
from services.permissions import is_staff_member


@login_required
def simulator(request):
    if not settings.PORTAL_CHANNEL_SIMULATOR or not settings.TWILIO_AUTH_TOKEN:
        raise Http404
    if not is_staff_member(request.user):
        raise Http404
    chosen = request.POST.get("simulator") if request.method == "POST" else None
    forms, result = {}, None
    for sim in SIMULATORS:
        bound = request.method == "POST" and chosen == sim.slug
        form = sim.form_class(request.POST if bound else None, prefix=sim.slug)
        if bound and form.is_valid():
            result = sim.send(form)
        forms[sim.slug] = form
    return render(
        request,
        "simulator/index.html",
        {"simulators": [(sim, forms[sim.slug]) for sim in SIMULATORS], "result": result},
    )
