"""The questions a service asks, for channels that describe a service to another system.

The questions live with the apply-online pages editors build in Wagtail (``portal.apply``), which
``services`` and ``channels`` may not import. So the site registers a *source* here when it
starts (``portal.apply.apps``), and a channel asks ``for_service`` — Open311's
``services/<code>`` lists them as attributes. Without a registered source a service simply has
no questions. The dependency runs the allowed way: the site imports ``services``, never the
reverse.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from services.models import Service

# What kind of answer a question takes, in the vocabulary every consumer understands.
TEXT = "text"  # one line
LONG_TEXT = "long_text"
NUMBER = "number"
DATE = "date"
CHOICE = "choice"  # one of ``choices``
POSTCODE = "postcode"
ADDRESS = "address"
EMAIL = "email"
PHONE = "phone"
FILE = "file"


@dataclass(frozen=True)
class Question:
    """One question: ``code`` is stable (the answer's key), ``label`` what the resident reads."""

    code: str
    label: str
    kind: str
    required: bool = False
    order: int = 0
    help_text: str = ""
    # (value, label) pairs for CHOICE questions.
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)


QuestionSource = Callable[[Service], list[Question]]

_sources: list[QuestionSource] = []


def register(source: QuestionSource) -> None:
    """Add a source of questions (called once at start-up; registering twice is harmless)."""
    if source not in _sources:
        _sources.append(source)


def for_service(service: Service) -> list[Question]:
    """Every question ``service`` asks, in order (the first source that knows any wins)."""
    for source in _sources:
        questions = source(service)
        if questions:
            return sorted(questions, key=lambda question: question.order)
    return []
