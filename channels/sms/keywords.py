"""What a text asks for when it is a single command word: stop, start again, or help.

The words are Twilio's standard opt-out, opt-in and help keywords (the ones carriers and
Twilio's own filtering recognise), plus the variants people type: any case, surrounding
spaces and punctuation ("Stop.", " stop!"), and two-word forms ("STOP ALL", "OPT OUT").
As in Twilio's filtering, only a message that is *just* the keyword counts: "please don't
stop the bin collection" is free text for a person to read.
"""

import re
import unicodedata

STOP = "stop"
START = "start"
HELP = "help"

_WORDS = {
    STOP: {"STOP", "STOPALL", "UNSUBSCRIBE", "UNSUB", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"},
    START: {"START", "YES", "UNSTOP", "OPTIN", "SUBSCRIBE", "RESUME"},
    HELP: {"HELP", "INFO"},
}
_LOOKUP = {word: command for command, words in _WORDS.items() for word in words}
_STRIP = re.compile(r"[\s\W_]+", re.UNICODE)


def command_for(body: str) -> str | None:
    """``STOP``, ``START`` or ``HELP`` (as the constants above) or None for anything else."""
    text = unicodedata.normalize("NFKC", body or "").strip()
    if not text or len(text) > 20:
        return None
    # "Stop all", "opt-out", "STOP." → STOPALL, OPTOUT, STOP
    return _LOOKUP.get(_STRIP.sub("", text).upper())
