"""What the caller hears: the IVR as TwiML, one function per step.

Every prompt is gettext text spoken in the caller's chosen language. Twilio's ``<Say>`` speaks
English (en-GB), Polish (pl-PL) and Portuguese (pt-PT) with its standard voices and Romanian
(ro-RO) with a Google voice; it has no Urdu voice, so for Urdu callers the prompts are spoken
in English and they are told an adviser can arrange an interpreter (see docs/voice.md).
Speech recognition in ``<Gather>`` follows the same table; Urdu callers use the keypad.

Prompts whose words are fixed go through ``voice`` below: an editor's
recording in the caller's language is played where one exists (so Urdu callers can hear Urdu),
text-to-speech otherwise.

These functions build responses only; state changes are in ``channels.voice.flow``.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from twilio.twiml.voice_response import Gather, VoiceResponse

from channels.voice.models import PromptRecording
from channels.voice.prompts import CACHE_KEY, CACHE_SECONDS, PROMPTS
from services.models import Case, ContactPoint, Council, Office, ServiceGroup, Status
from services.models.cases import ACTIVE_STATUSES


@dataclass(frozen=True)
class Spoken:
    """How Twilio speaks and hears one of the portal's languages."""

    code: str  # the portal's language code (settings.LANGUAGES)
    digit: str  # the key pressed to choose it
    say_language: str  # <Say language="…">
    voice: str | None  # <Say voice="…">, when the default voice cannot speak it
    speech_language: str | None  # <Gather language="…"> for speech; None: keypad only
    fallback: bool = False  # prompts are spoken in English


SPOKEN = (
    Spoken("en", "1", "en-GB", None, "en-GB"),
    Spoken("pl", "2", "pl-PL", None, "pl-PL"),
    Spoken("ro", "3", "ro-RO", "Google.ro-RO-Standard-A", "ro-RO"),
    Spoken("pt", "4", "pt-PT", None, "pt-PT"),
    Spoken("ur", "5", "en-GB", None, None, fallback=True),
)
BY_CODE = {s.code: s for s in SPOKEN}
BY_DIGIT = {s.digit: s for s in SPOKEN}
MAX_TRIES = 3
MAX_GROUPS = 9


def spoken(language: str) -> Spoken:
    return BY_CODE.get(language, SPOKEN[0])


def prompt_language(language: str) -> str:
    """The language the prompt text is translated into (English where Twilio has no voice)."""
    entry = spoken(language)
    return "en" if entry.fallback else entry.code


def url(name: str, **query: object) -> str:
    """Absolute webhook URL: Twilio signs the URL it calls, so it must be the public one."""
    path = reverse(f"voice:{name}")
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return settings.PUBLIC_BASE_URL + path


def say(node: VoiceResponse | Gather, text: str, language: str) -> None:
    entry = spoken(language)
    attrs = {"language": entry.say_language}
    if entry.voice:
        attrs["voice"] = entry.voice
    node.say(text, **attrs)


def recordings() -> dict[tuple[str, str, str], tuple[int, str]]:
    """(prompt, language, council code or "") → (recording id, version), cached briefly and
    cleared whenever a recording is saved or deleted (``PromptRecording.save``)."""
    found = cache.get(CACHE_KEY)
    if found is None:
        found = {
            (r.prompt, r.language, r.council.code if r.council_id else ""): (
                r.pk,
                f"{r.updated_at:%Y%m%d%H%M%S}",
            )
            for r in PromptRecording.objects.select_related("council")
        }
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def recording_url(key: str, language: str, council_code: str = "") -> str | None:
    """The public URL Twilio fetches for ``<Play>``, or None when there is no recording."""
    table = recordings()
    found = table.get((key, language, council_code)) if council_code else None
    found = found or table.get((key, language, ""))
    if found is None:
        return None
    pk, version = found
    return f"{settings.PUBLIC_BASE_URL}{reverse('voice:prompt_audio', args=[pk])}?v={version}"


def voice(node, key: str, language: str, params: dict | None = None, *, council=None) -> None:
    """Play ``key``'s recording for ``language`` (and the ``council`` rung, for prompts
    recorded per council), or speak its text with ``params`` filled in."""
    prompt = PROMPTS[key]
    found = recording_url(key, language, council.code if council is not None else "")
    if found is not None:
        node.play(found)
        return
    with translation.override(prompt_language(language)):
        text = _(prompt.text)
        if params:
            text = text % params
    say(node, text, language)


def _gather(response: VoiceResponse, action: str, *, digits: int, language: str, speech: bool):
    entry = spoken(language)
    attrs = {
        "action": action,
        "method": "POST",
        "num_digits": digits,
        "timeout": 8,
        "action_on_empty_result": True,
    }
    if speech and entry.speech_language:
        attrs.update(input="dtmf speech", language=entry.speech_language, speech_timeout="auto")
    else:
        attrs["input"] = "dtmf"
    if digits > 1:
        attrs["finish_on_key"] = "#"
    return response.gather(**attrs)


def read_out(reference: str) -> str:
    """Digits one by one, in groups of three: "1 0 0, 0 0 0, 0 1 3"."""
    return ", ".join(" ".join(reference[i : i + 3]) for i in range(0, len(reference), 3))


def greeting(council: Council | None) -> str:
    if council is None:
        return _("Thank you for calling the council contact centre.")
    return _("Thank you for calling %(council)s.") % {"council": council.name}


def language_menu(
    council: Council | None, *, again: bool = False, saved: str = ""
) -> VoiceResponse:
    """Greeting, then each language offered in that language.

    ``saved``: the language a caller recognised by their number chose before (on the website,
    in a text, at a counter). They are greeted in it and it is offered first; the keys stay
    the same for everyone, so the menu printed on letters is never wrong.
    """
    response = VoiceResponse()
    gather = _gather(response, url("language"), digits=1, language="en", speech=False)
    first = BY_CODE.get(saved) if saved else None
    greet_in = first.code if first is not None else "en"
    if not again:
        with translation.override(prompt_language(greet_in)):
            if council is None:
                voice(gather, "greeting", greet_in)
            else:
                voice(
                    gather,
                    "greeting_council",
                    greet_in,
                    {"council": council.name},
                    council=council,
                )
    ordered = [first, *(entry for entry in SPOKEN if entry is not first)] if first else SPOKEN
    for entry in ordered:
        with translation.override(prompt_language(entry.code)):
            voice(
                gather,
                "language_option",
                entry.code,
                {"language": str(_language_name(entry.code)), "digit": entry.digit},
            )
    return response


def _language_name(code: str) -> str:
    names = dict(settings.LANGUAGES)
    return str(names.get(code, code))


def main_menu(language: str, *, notice: str = "") -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        gather = _gather(response, url("menu"), digits=1, language=language, speech=False)
        if notice:
            say(gather, notice, language)
        if spoken(language).fallback:
            voice(gather, "interpreter", language)
        voice(gather, "main_menu", language)
    return response


def reference_prompt(
    language: str, tries: int, *, notice: str = "", notice_key: str = ""
) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        gather = _gather(
            response, url("reference", attempt=tries + 1), digits=9, language=language, speech=True
        )
        if notice_key:
            voice(gather, notice_key, language)
        elif notice:
            say(gather, notice, language)
        voice(gather, "reference", language)
    return response


def bad_reference(language: str, tries: int, *, empty: bool) -> VoiceResponse:
    with translation.override(prompt_language(language)):
        if tries >= MAX_TRIES:
            response = VoiceResponse()
            voice(response, "reference_failed", language)
            response.hangup()
            return response
    return reference_prompt(
        language, tries, notice_key="reference_empty" if empty else "reference_wrong"
    )


def not_disclosed(language: str, reference: str) -> VoiceResponse:
    """The same words whether the case does not exist or belongs to someone else."""
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        say(
            response,
            _(
                "We cannot give details of request %(reference)s on this call. We only give "
                "them to the telephone number on the request. You can check it on our website "
                "with the email address or phone number you gave us. Goodbye."
            )
            % {"reference": read_out(reference)},
            language,
        )
    response.hangup()
    return response


def _spoken_day(moment) -> str:
    """The day as in "Monday 24 November", in the words and order of the active language."""
    return formats.date_format(moment, "l") + " " + formats.date_format(moment, "MONTH_DAY_FORMAT")


def next_step(case: Case) -> str:
    """What happens next, in words a resident understands (caller's language active)."""
    due = (
        _spoken_day(timezone.localtime(case.due_at))
        if case.due_at and case.status in ACTIVE_STATUSES
        else ""
    )
    if case.status == Status.WAITING:
        return _("We are waiting for information from you. Please answer our last message.")
    if case.status in (Status.RECEIVED, Status.OPEN):
        return (
            _("We will look at it and aim to finish by %(due)s.") % {"due": due}
            if due
            else _("We will look at it soon.")
        )
    if case.status == Status.IN_PROGRESS:
        return (
            _("We are working on it and aim to finish by %(due)s.") % {"due": due}
            if due
            else _("We are working on it.")
        )
    if case.status == Status.REFERRED:
        if case.referral_body:
            return _("Another organisation deals with this; please contact %(body)s.") % {
                "body": case.referral_body
            }
        return _("Another organisation deals with this; please contact them.")
    if case.status == Status.RESOLVED:
        return _("If it is not sorted out, call us and choose option 2.")
    return _("There is nothing more for you to do.")


def case_status(language: str, case: Case) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        say(
            response,
            _("Your request %(reference)s, %(service)s, is: %(status)s.")
            % {
                "reference": read_out(case.reference),
                "service": case.service.name,
                "status": case.get_status_display(),
            },
            language,
        )
        say(response, next_step(case), language)
        voice(response, "goodbye", language)
    response.hangup()
    return response


def group_menu(language: str, groups: list[ServiceGroup], *, notice: str = "") -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        gather = _gather(response, url("group"), digits=1, language=language, speech=True)
        if notice:
            say(gather, notice, language)
        voice(gather, "topic", language)
        for index, group in enumerate(groups[:MAX_GROUPS], start=1):
            say(
                gather,
                _("For %(topic)s, press %(digit)s.") % {"topic": group.name, "digit": index},
                language,
            )
    return response


def connect_choice(language: str) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        gather = _gather(response, url("connect"), digits=1, language=language, speech=False)
        voice(gather, "connect_choice", language)
    return response


def enqueue(language: str, queue_name: str) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        voice(response, "hold", language)
    response.enqueue(
        queue_name,
        wait_url=url("wait", lang=language),
        wait_url_method="POST",
        action=url("queue_end"),
        method="POST",
    )
    return response


def wait_message(language: str, position: int | None, average_seconds: int | None):
    """What a queued caller hears, again and again: their position, the average wait and the
    way out — any key to leave a message instead (the Gather's action answers ``<Leave/>``).
    No key within the pause: the document ends and Twilio asks for it again."""
    outer = VoiceResponse()
    response = outer.gather(
        action=url("wait_key"), method="POST", num_digits=1, timeout=20, input="dtmf"
    )
    with translation.override(prompt_language(language)):
        if position:
            say(
                response,
                _("You are number %(position)s in the queue.") % {"position": position},
                language,
            )
        if average_seconds and average_seconds >= 60:
            minutes = round(average_seconds / 60)
            say(
                response,
                ngettext(
                    "The average wait is about %(minutes)s minute.",
                    "The average wait is about %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                language,
            )
        voice(response, "waiting", language)
        voice(response, "waiting_leave", language)
    return outer


def leave() -> VoiceResponse:
    """Out of the queue: Enqueue's action then decides what the caller hears next."""
    response = VoiceResponse()
    response.leave()
    return response


def closed_alternatives(council: Council | None, office: Office | None) -> list[str]:
    """Where else to go: the website, the text number and the nearest one-stop shop."""
    lines = []
    website = (council.website if council and council.website else "") or settings.PUBLIC_BASE_URL
    lines.append(_("You can report most things online at %(website)s.") % {"website": website})
    numbers = ContactPoint.objects.filter(channel="sms").order_by("pk")
    number = (numbers.filter(council=council).first() if council else None) or numbers.first()
    if number is not None:
        lines.append(
            _("You can text us on %(number)s.") % {"number": _spoken_number(number.address)}
        )
    if office is not None:
        first_line = (office.address or "").strip().splitlines()[:1]
        lines.append(
            _("Or visit %(office)s, %(address)s.")
            % {"office": office.name, "address": first_line[0]}
            if first_line
            else _("Or visit %(office)s.") % {"office": office.name}
        )
    return lines


def _spoken_number(number: str) -> str:
    if number.startswith("+44"):
        number = "0" + number[3:]
    return " ".join(number)


def record_message(
    language: str, *, closed: bool, busy: bool, council: Council | None, office: Office | None
) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        if closed:
            voice(response, "closed", language)
            for line in closed_alternatives(council, office):
                say(response, line, language)
        elif busy:
            voice(response, "busy", language)
        voice(response, "record_instructions", language)
    record = {
        "action": url("recording"),
        "method": "POST",
        "max_length": 180,
        "timeout": 10,
        "finish_on_key": "#",
        "play_beep": True,
    }
    if language == "en":
        # Twilio transcribes English recordings only; others are listened to by an adviser.
        record.update(transcribe=True, transcribe_callback=url("transcription"))
    response.record(**record)
    with translation.override(prompt_language(language)):
        voice(response, "no_message", language)
    response.hangup()
    return response


def message_taken(language: str, case: Case | None) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        if case is not None:
            say(
                response,
                _("Thank you. Your reference is %(reference)s. We will call you back.")
                % {"reference": read_out(case.reference)},
                language,
            )
        else:
            voice(response, "no_message_thanks", language)
    response.hangup()
    return response


def goodbye(language: str, text: str | None = None) -> VoiceResponse:
    response = VoiceResponse()
    with translation.override(prompt_language(language)):
        if text:
            say(response, text, language)
        else:
            voice(response, "goodbye", language)
    response.hangup()
    return response


def hang_up() -> VoiceResponse:
    response = VoiceResponse()
    response.hangup()
    return response
