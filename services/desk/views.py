"""Desk views. Thin: they read through ``services.permissions`` and change state only through
``services.actions``."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from services.permissions import visible_cases


@login_required
def queue(request):
    cases = visible_cases(request.user).select_related("service").order_by("due_at", "id")[:50]
    return render(request, "services/desk/queue.html", {"cases": cases})
