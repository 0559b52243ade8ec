"""The shipped message templates: ``services/data/message_templates/<language>.json``.

One file per language, each holding every kind of message for every channel::

    {"status_update": {"sms": {"body": "..."}, "email": {"subject": "...", "body": "..."}}, ...}

``en.json`` is the single source of the English wording: the built-in defaults in
``services.composition`` are read from it, and ``manage.py load_message_templates`` copies
the files into ``MessageTemplate`` rows that editors then own. Files are checked before anything
is written: every kind × channel present, every subject and body compiles as a Django template,
uses only the variables ``render`` provides and no tags but ``if``/``elif``/``else``/``endif``
(an editor's or translator's text must not be able to ``{% include %}`` a file or load tags).
"""

import json
from functools import cache
from pathlib import Path

from django.template import Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Lexer, Parser, TokenType, Variable

TEMPLATES_DIR = Path(__file__).resolve().parent / "data" / "message_templates"

KINDS = (
    "acknowledgement",
    "status_update",
    "information_request",
    "reply",
    "referral",
    "receipt",
)
CHANNELS = ("sms", "email")
# The fields each channel's entry must have.
FIELDS = {"sms": ("body",), "email": ("subject", "body")}
# What ``services.composition.message_context`` puts in the context.
VARIABLES = frozenset(
    {"reference", "service", "status", "due_date", "track_url", "council", "body", "name"}
)
ALLOWED_TAGS = frozenset({"if", "elif", "else", "endif"})
IF_OPERATORS = frozenset({"and", "or", "not", "in", "is", "==", "!=", "<", ">", "<=", ">="})


class TemplateFileError(ValueError):
    """A shipped file that cannot be used; the message names the file and the key."""


def path_for(language: str) -> Path:
    return TEMPLATES_DIR / f"{language}.json"


def shipped_languages() -> list[str]:
    return sorted(p.stem for p in TEMPLATES_DIR.glob("*.json"))


def template_problems(source: str) -> list[str]:
    """Why ``source`` cannot be a message template (an empty list when it can)."""
    engine = Engine.get_default()
    try:
        engine.from_string(source)
    except TemplateSyntaxError as error:
        return [f"does not compile: {error}"]
    parser = Parser([], builtins=engine.template_builtins)
    problems = []
    names: list[str] = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.TEXT and (
            "{{" in token.contents or "{%" in token.contents
        ):
            # Django leaves a tag it cannot read as text: the resident would see the braces.
            problems.append(f"has an unclosed tag or variable near {token.contents.strip()!r}")
        elif token.token_type == TokenType.VAR:
            names.extend(_variables(FilterExpression(token.contents, parser)))
        elif token.token_type == TokenType.BLOCK:
            bits = token.split_contents()
            if bits[0] not in ALLOWED_TAGS:
                problems.append(f"uses the tag {{% {bits[0]} %}} (only if/elif/else/endif)")
                continue
            for bit in bits[1:]:
                if bit not in IF_OPERATORS:
                    names.extend(_variables(FilterExpression(bit, parser)))
    unknown = sorted(set(names) - VARIABLES)
    if unknown:
        problems.append(
            "uses unknown variables: "
            + ", ".join(unknown)
            + f" (known: {', '.join(sorted(VARIABLES))})"
        )
    return problems


def _variables(expression: FilterExpression) -> list[str]:
    found = []
    candidates = [expression.var]
    for _func, args in expression.filters:
        candidates.extend(arg for is_lookup, arg in args if is_lookup)
    for var in candidates:
        if isinstance(var, Variable) and var.literal is None and var.lookups:
            found.append(var.lookups[0])
    return found


def validate(language: str, data: object, *, name: str = "") -> dict:
    """Check one language's templates; raise ``TemplateFileError`` naming file and key."""
    name = name or f"{language}.json"
    if not isinstance(data, dict):
        raise TemplateFileError(f"{name}: the top level must be an object of kinds")
    extra = sorted(set(data) - set(KINDS))
    if extra:
        raise TemplateFileError(f"{name}: unknown kinds {', '.join(extra)}")
    for kind in KINDS:
        entry = data.get(kind)
        if not isinstance(entry, dict):
            raise TemplateFileError(f"{name}: {kind} is missing")
        for channel in CHANNELS:
            fields = entry.get(channel)
            if not isinstance(fields, dict):
                raise TemplateFileError(f"{name}: {kind}.{channel} is missing")
            for field in FIELDS[channel]:
                key = f"{kind}.{channel}.{field}"
                value = fields.get(field)
                if not isinstance(value, str) or not value.strip():
                    raise TemplateFileError(f"{name}: {key} is missing or empty")
                problems = template_problems(value)
                if problems:
                    raise TemplateFileError(f"{name}: {key} {'; '.join(problems)}")
    return data


def read(language: str) -> dict:
    """The validated templates shipped for ``language``."""
    path = path_for(language)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise TemplateFileError(f"{path.name}: no such file in {TEMPLATES_DIR}") from error
    except json.JSONDecodeError as error:
        raise TemplateFileError(f"{path.name}: not valid JSON ({error})") from error
    return validate(language, data, name=path.name)


@cache
def english() -> dict:
    """``en.json``, read once: the wording used when no template row exists at all."""
    return read("en")
