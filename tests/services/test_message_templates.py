"""Message templates in every language: the shipped files, the loading command, the fallback."""

import datetime
import json
import re
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from services import message_templates as template_files
from services.actions.cases import change_status
from services.composition import render
from services.models import Message, MessageTemplate, Status
from services.outbound.dispatch import dispatch_due
from tests.factories import CouncilFactory, ResidentFactory, ServiceFactory, make_case

NOON = datetime.datetime(2026, 11, 2, 12, tzinfo=ZoneInfo("Europe/London"))
TEMPLATE_COUNT = len(template_files.KINDS) * len(template_files.CHANNELS)


def _load(*args):
    out = StringIO()
    call_command("load_message_templates", *args, stdout=out)
    return out.getvalue()


# --- The shipped files ---------------------------------------------------------------------


@pytest.mark.parametrize("language", template_files.shipped_languages())
def test_every_shipped_file_is_complete_and_valid(language):
    assert language in dict(settings.LANGUAGES), f"{language}.json is not a portal language"
    data = template_files.read(language)  # raises, naming file and key, when it is not
    assert set(data) == set(template_files.KINDS)
    for kind in template_files.KINDS:
        for channel in template_files.CHANNELS:
            body = data[kind][channel]["body"]
            # Every message tells the resident which case it is about.
            assert "reference" in body or "reference" in data[kind][channel].get("subject", "")


def test_the_kinds_in_the_files_are_the_model_kinds():
    assert set(template_files.KINDS) == set(MessageTemplate.Kind.values)


def test_english_is_shipped_and_is_what_is_said_when_no_template_exists(db):
    assert "en" in template_files.shipped_languages()
    rendered = render("receipt", "sms", "en", {"reference": "1234 5678 9", "service": "Bins"})
    expected = template_files.english()["receipt"]["sms"]["body"]
    assert rendered.body.startswith(expected.split("{{")[0].strip())
    assert "1234 5678 9" in rendered.body and rendered.fell_back is False


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("Your request {% if body %}", "does not compile"),
        ("Your request {{ reference }", "unclosed tag or variable"),
        ("Hello {{ password }}", "unknown variables: password"),
        ("{% if secret %}x{% endif %}{{ reference }}", "unknown variables: secret"),
        ("{{ reference|default:other }}", "unknown variables: other"),
        ('{% include "base.html" %}', "uses the tag {% include %}"),
        ("{% load static %}{{ reference }}", "uses the tag {% load %}"),
    ],
)
def test_a_bad_template_is_refused_with_the_reason(source, problem):
    assert any(problem in p for p in template_files.template_problems(source))


def test_the_english_wording_passes_its_own_checks():
    for kind in template_files.KINDS:
        for channel in template_files.CHANNELS:
            for text in template_files.english()[kind][channel].values():
                assert template_files.template_problems(text) == []


# --- load_message_templates ----------------------------------------------------------------


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A private copy of the shipped files that a test may break."""
    for source in template_files.TEMPLATES_DIR.glob("*.json"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(template_files, "TEMPLATES_DIR", tmp_path)
    return tmp_path


def _write(directory, language, data):
    (directory / f"{language}.json").write_text(json.dumps(data), encoding="utf-8")


def test_load_creates_every_template_of_every_shipped_language_and_is_idempotent(db):
    languages = [c for c, _ in settings.LANGUAGES if c in template_files.shipped_languages()]
    output = _load()
    assert f"{TEMPLATE_COUNT * len(languages)} created" in output
    for code in languages:
        assert MessageTemplate.objects.filter(language=code).count() == TEMPLATE_COUNT
    assert "0 created, 0 overwritten" in _load()
    assert MessageTemplate.objects.count() == TEMPLATE_COUNT * len(languages)


def test_load_keeps_editors_changes_unless_told_to_overwrite(db):
    _load("--language", "en")
    template = MessageTemplate.objects.get(kind="reply", channel="sms", language="en")
    template.body = "{{ body }} – from your council (ref {{ reference }})"
    template.save()
    _load()
    template.refresh_from_db()
    assert template.body.startswith("{{ body }} – from your council")
    assert "1 overwritten" in _load("--language", "en", "--overwrite")
    template.refresh_from_db()
    assert template.body == template_files.english()["reply"]["sms"]["body"]


def test_load_one_language_only(db, shipped):
    fake = template_files.english()
    _write(shipped, "ro", fake)
    _load("--language", "ro")
    assert set(MessageTemplate.objects.values_list("language", flat=True)) == {"ro"}


def test_a_language_the_portal_does_not_speak_is_refused(db):
    with pytest.raises(CommandError, match="'xx' is not one of the portal's languages"):
        _load("--language", "xx")


def test_a_missing_file_for_a_named_language_is_an_error_and_skipped_otherwise(db, shipped):
    (shipped / "ur.json").unlink(missing_ok=True)
    with pytest.raises(CommandError, match="ur.json"):
        _load("--language", "ur")
    assert "ur: no shipped templates yet, skipped" in _load()


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda d: d.pop("referral"), "pl.json: referral is missing"),
        (lambda d: d["reply"].pop("email"), "pl.json: reply.email is missing"),
        (lambda d: d["reply"]["email"].pop("subject"), "pl.json: reply.email.subject is missing"),
        (
            lambda d: d["receipt"]["sms"].update(body="Dziękujemy {% if body %}{{ reference }}"),
            "pl.json: receipt.sms.body does not compile",
        ),
        (
            lambda d: d["receipt"]["sms"].update(body="Dziękujemy {{ reference }"),
            "pl.json: receipt.sms.body has an unclosed tag",
        ),
        (
            lambda d: d["status_update"]["sms"].update(body="{{ referencja }}"),
            "pl.json: status_update.sms.body uses unknown variables: referencja",
        ),
        (lambda d: d.update(farewell={}), "pl.json: unknown kinds farewell"),
    ],
)
def test_a_broken_file_names_file_and_key_and_writes_nothing(db, shipped, breakage, message):
    data = json.loads(json.dumps(template_files.english()))
    breakage(data)
    _write(shipped, "pl", data)
    with pytest.raises(CommandError) as raised:
        _load()
    assert message in str(raised.value)
    assert not MessageTemplate.objects.exists()


def test_a_file_that_is_not_json_is_named(db, shipped):
    (shipped / "pt.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="pt.json: not valid JSON"):
        _load("--language", "pt")


def test_load_demo_loads_the_shipped_templates(catalogue):
    for code in template_files.shipped_languages():
        assert MessageTemplate.objects.filter(language=code).count() == TEMPLATE_COUNT


# --- The resident's language in what they are sent -----------------------------------------


def _polish_status_template() -> str:
    """The Polish SMS status update, loaded from the translators' pl.json."""
    _load("--language", "pl")
    return template_files.read("pl")["status_update"]["sms"]["body"]


@pytest.fixture
def english_templates(db):
    _load("--language", "en")


def _case_for(language):
    service = ServiceFactory(responsible_council=CouncilFactory(code="MKC"))
    resident = ResidentFactory(preferred_channel="sms", language=language)
    return make_case(service, resident, status=Status.OPEN)


def test_an_sms_status_update_for_a_polish_speaking_resident_is_in_polish(
    english_templates, outbox
):
    polish = _polish_status_template()
    case = _case_for("pl")
    change_status(None, case, Status.IN_PROGRESS, actor_label="Test", now=NOON)
    assert dispatch_due(now=NOON) == 1
    [sent] = outbox
    assert sent.channel == "sms" and sent.language == "pl"
    # Every piece of the Polish wording is there, around the case's own details.
    fragments = [f.strip() for f in re.split(r"{{.*?}}|{%.*?%}", polish) if f.strip()]
    assert fragments and all(fragment in sent.body for fragment in fragments)
    assert case.display_reference in sent.body
    with translation.override("pl"):
        assert str(Status.IN_PROGRESS.label) in sent.body  # the status name in Polish too
    english_opening = template_files.english()["status_update"]["sms"]["body"].split("{{")[0]
    assert english_opening.strip() not in sent.body
    message = Message.objects.get(case=case, kind="status_update")
    assert message.metadata["template_fell_back"] is False


def test_a_missing_translation_falls_back_to_english_and_is_listed_for_editors(
    english_templates, outbox, client
):
    assert not MessageTemplate.objects.filter(language="ro").exists()
    case = _case_for("ro")
    change_status(None, case, Status.IN_PROGRESS, actor_label="Test", now=NOON)
    dispatch_due(now=NOON)
    [sent] = outbox
    english = template_files.english()["status_update"]["sms"]["body"]
    assert sent.body.startswith(english.split("{{")[0].strip())
    assert sent.language == "en"
    # The status name inside the English text is English too, not Romanian.
    with translation.override("en"):
        assert f"is now: {Status.IN_PROGRESS.label}." in sent.body
    message = Message.objects.get(case=case, kind="status_update")
    assert message.metadata == {"template_fell_back": True, "requested_language": "ro"}

    from tests.services.test_message_templates_report import editor

    message.created_at = datetime.datetime.now(tz=ZoneInfo("UTC"))  # within the report's window
    message.save(update_fields=["created_at"])
    client.force_login(editor())
    html = client.get("/admin/reports/message-template-coverage/").content.decode()
    assert '<td data-language="ro">' in html and "Missing" in html
    row = html.split('<tr class="fell-back">', 1)[1].split("</tr>", 1)[0]
    assert "Status update" in row and "Romanian" in row and "SMS" in row and ">1<" in row
