"""What the screen pop says about the caller's language, beside who they are and their cases.

The caller chose a language in the menu (``Call.language``). Some languages have no Twilio
voice, so their callers heard English prompts (``channels.voice.ivr``: Urdu); and a caller who
chose anything but English may need an interpreter unless the agent speaks their language
(``Agent.languages``). Who is calling and which open cases the agent may see is
``desk.calls.views._pop`` (through ``services.permissions.visible_cases``: a joint-centre
agent sees both councils' cases; restricted ones stay with their team).
"""

from dataclasses import dataclass

from django.conf import settings

from channels.voice import ivr
from channels.voice.models import Agent, Call


@dataclass(frozen=True)
class CallerLanguage:
    code: str
    name: str
    heard_english_prompts: bool
    agent_speaks_it: bool
    interpreter_needed: bool


def caller_language(call: Call, user) -> CallerLanguage:
    code = call.language or "en"
    names = dict(settings.LANGUAGES)
    agent_languages = set(
        Agent.objects.filter(user_id=getattr(user, "pk", None))
        .values_list("languages", flat=True)
        .first()
        or []
    )
    speaks = code == "en" or code in agent_languages
    return CallerLanguage(
        code=code,
        name=str(names.get(code, code)),
        heard_english_prompts=code != "en" and ivr.prompt_language(code) == "en",
        agent_speaks_it=speaks,
        interpreter_needed=not speaks,
    )
