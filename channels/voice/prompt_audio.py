"""``GET /channels/voice/prompts/<id>/``: a prompt recording, for Twilio's ``<Play>`` to fetch.

Public and cacheable: a prompt is what every caller hears, it carries nothing personal, and
Twilio fetches it with a plain GET (no signature). The URL carries the recording's version
(``?v=``), so a replaced recording is fetched afresh.
"""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from channels.voice.models import PromptRecording


@require_GET
@cache_control(public=True, max_age=86400)
def prompt_audio(request, pk: int):
    recording = get_object_or_404(PromptRecording, pk=pk)
    try:
        handle = recording.audio.open("rb")
    except (FileNotFoundError, ValueError) as missing:
        raise Http404("recording file missing") from missing
    return FileResponse(handle, content_type=recording.content_type or "audio/mpeg")
