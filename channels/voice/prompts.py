"""Every IVR prompt by name, and how it is voiced: a recording where an editor uploaded one for
the caller's language, otherwise Twilio's text-to-speech.

Twilio's ``<Say>`` has no Urdu voice (see ``channels.voice.ivr``), so until an Urdu recording of
a prompt exists an Urdu caller hears it in English (with the interpreter offer). Editors upload a
``PromptRecording`` per prompt and language in the Wagtail admin ("Telephone prompts"); the
"Telephone prompt coverage" report shows which prompts lack a recording in which language.
This module is the registry only; ``channels.voice.ivr.voice`` plays or speaks a prompt.

A recording replaces a prompt's whole text, so only prompts whose words are fixed for a language
can be recorded: static prompts, the language menu's "For Urdu, press 5" (its digit is fixed per
language) and the greeting naming a council (recorded per council). Prompts carrying a
reference, a queue position, a date or a service name are always spoken; the report lists them
as such.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_noop

CACHE_KEY = "voice-prompt-recordings:v1"
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Prompt:
    key: str
    text: str  # English source text (a gettext msgid)
    per_council: bool = False  # its words name the council rung: recorded per council


PROMPTS: dict[str, Prompt] = {
    p.key: p
    for p in (
        Prompt("greeting", gettext_noop("Thank you for calling the council contact centre.")),
        Prompt(
            "greeting_council", gettext_noop("Thank you for calling %(council)s."), per_council=True
        ),
        Prompt("language_option", gettext_noop("For %(language)s, press %(digit)s.")),
        Prompt("interpreter", gettext_noop("An adviser can arrange an interpreter for you.")),
        Prompt(
            "main_menu",
            gettext_noop(
                "To hear how your request is going, press 1. "
                "To report something or ask a question, press 2."
            ),
        ),
        Prompt(
            "reference",
            gettext_noop(
                "Please key in or say your 9-digit reference number, then press the hash key."
            ),
        ),
        Prompt(
            "reference_failed",
            gettext_noop(
                "Sorry, we could not recognise that reference. You can check your request "
                "online, or call again and choose option 2 to speak to an adviser. Goodbye."
            ),
        ),
        Prompt("reference_empty", gettext_noop("We did not hear a reference.")),
        Prompt(
            "reference_wrong",
            gettext_noop("That reference is not right: one of the digits may be mistyped."),
        ),
        Prompt("goodbye", gettext_noop("Thank you for calling. Goodbye.")),
        Prompt("topic", gettext_noop("What is your call about?")),
        Prompt(
            "connect_choice",
            gettext_noop(
                "To wait for an adviser, press 1. To leave a message and be called back, press 2."
            ),
        ),
        Prompt("hold", gettext_noop("Please hold. We are putting you through to an adviser.")),
        Prompt("waiting", gettext_noop("Thank you for waiting. An adviser will be with you soon.")),
        Prompt(
            "waiting_leave",
            gettext_noop("To leave a message and be called back instead, press any key."),
        ),
        Prompt("closed", gettext_noop("The contact centre is closed now.")),
        Prompt("busy", gettext_noop("All our advisers are busy.")),
        Prompt(
            "record_instructions",
            gettext_noop(
                "Please leave your name, your address and what your call is about after the "
                "tone, then press the hash key. We will call you back on the next working day."
            ),
        ),
        Prompt("no_message", gettext_noop("We did not get a message. Goodbye.")),
        Prompt("no_message_thanks", gettext_noop("Thank you. We did not get a message. Goodbye.")),
        Prompt("putting_through", gettext_noop("Putting you through to an adviser now.")),
    )
}

# Prompts that carry a reference, a position, a date or a name: spoken, never recorded.
SPOKEN_ONLY: tuple[str, ...] = (
    gettext_noop("Your request %(reference)s, %(service)s, is: %(status)s."),
    gettext_noop("You are number %(position)s in the queue."),
    gettext_noop("Thank you. Your reference is %(reference)s. We will call you back."),
    gettext_noop("For %(topic)s, press %(digit)s."),
    gettext_noop("We will look at it and aim to finish by %(due)s."),
    gettext_noop("You can report most things online at %(website)s."),
)


def forget_recordings() -> None:
    """Drop the cached table of recordings (on every save/delete of one, and in tests)."""
    cache.delete(CACHE_KEY)
