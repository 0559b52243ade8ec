"""“Ring my phone” (``POST /desk/calls/ring/``): an agent on a desk phone asks to be rung.

The call is placed in the background (``channels.voice.tasks.ring_agent``, Twilio's REST API
through the voice call backend), never from this request. When the agent answers, they get the
same routing as the softphone's "next caller".
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponseForbidden
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channels.voice import agents
from channels.voice.tasks import ring_agent
from desk.gate import staff_required


@staff_required
@require_POST
def ring_my_phone(request: HttpRequest):
    if not agents.takes_calls(request.user):
        return HttpResponseForbidden(_("Your role does not take calls."))
    agent = agents.agent_for(request.user)
    if not agent.phone:
        messages.error(request, _("Add your own phone number before asking to be rung."))
    else:
        ring_agent.enqueue(agent.pk)
        messages.success(request, _("We are ringing your phone now."))
    return redirect("calls:panel")
