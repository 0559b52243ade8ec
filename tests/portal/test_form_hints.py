"""Every example a form shows is one the form accepts (issue 22: "07700 900 982" was refused).

The test walks the site's forms — the apply-online questions of every demo form and the
contact step, /track/, the account pages, the counter's forms and allauth's — and reads what
each field shows a person: its hint, its placeholder, its error messages, and the message it
gives for nonsense. Every example in those ("like 07400 123456", "for example, MK9 3EJ") is
typed back into that form's field, and must be accepted.
"""

import re

import pytest
from allauth.account import forms as account_forms
from django import forms

from desk.counter import forms as counter_forms
from portal.apply import forms as apply_forms
from portal.apply.demo import DEMO_FORMS
from portal.apply.fields import ApplyFormBuilder, UkPhoneField
from portal.apply.models import ApplyFormField
from portal.resident import forms as resident_forms
from tests.factories import OfficeFactory, make_staff

pytestmark = pytest.mark.django_db

_MARKER = re.compile(r"(?:\blike\b|\bfor example\b|\be\.g\.|\bsuch as\b)[,:]?\s+", re.IGNORECASE)
NONSENSE = "zz not valid zz"


def examples_in(text) -> list[str]:
    """The examples a text gives: what follows "like", "for example", "e.g." or "such as", to
    the end of the sentence, split on "or"; only data-like ones (with a digit or an @), so
    "would you like us to…" is not taken for an example."""
    found = []
    text = str(text or "")
    for marker in _MARKER.finditer(text):
        rest = re.split(r"\.(?:\s|$)|[,;]\s|\)", text[marker.end() :], maxsplit=1)[0]
        for part in re.split(r"\s+or\s+", rest):
            part = part.strip()
            if part and re.search(r"[0-9@]", part):
                found.append(part)
    return found


def _data(form: forms.Form, name: str, value: str) -> dict:
    field = form.fields[name]
    key = form.add_prefix(name)
    if isinstance(field.widget, forms.MultiWidget):  # the date's day, month and year boxes
        return {f"{key}_{i}": part for i, part in enumerate(value.split())}
    return {key: value}


def shown_examples(make_form) -> list[tuple[str, str, str]]:
    """(field, where it is shown, example) for every example the form shows."""
    blank = make_form()
    invalid = make_form(data={blank.add_prefix(name): NONSENSE for name in blank.fields})
    invalid.is_valid()
    found = []
    for name, field in blank.fields.items():
        sources = {
            "hint": [field.help_text],
            "placeholder": [field.widget.attrs.get("placeholder", "")],
            "error message": list(field.error_messages.values()) + invalid.errors.get(name, []),
        }
        for where, texts in sources.items():
            found += [(name, where, e) for text in texts for e in examples_in(text)]
    return found


def refused_examples(make_form) -> list[str]:
    """Every example the form shows that its own field refuses, described."""
    refused = []
    for name, where, example in shown_examples(make_form):
        form = make_form(data=_data(make_form(), name, example))
        form.is_valid()
        if name in form.errors:
            refused.append(f"{name} ({where}): {example!r} → {form.errors[name]}")
    return refused


def _apply_step(questions):
    """The step form the apply-online page builds from these demo questions."""
    fields = []
    for order, (label, kind, required, choices, help_text, _break) in enumerate(questions):
        field = ApplyFormField(
            label=label,
            field_type=kind,
            required=required,
            choices=choices,
            help_text=help_text,
            default_value="",
        )
        field.clean_name = f"q{order}"
        fields.append(field)
    form_class = ApplyFormBuilder(fields).get_form_class()
    return lambda **kwargs: form_class(**kwargs)


def site_forms():
    """(name, make_form) for every form a resident or counter member of staff fills in."""
    office = OfficeFactory()
    staff = make_staff(office.council, office=office)
    made = [
        (f"apply-online: {title}", _apply_step(questions))
        for (_slug, title, _intro, _next, questions) in DEMO_FORMS.values()
    ]
    made += [
        ("apply: contact", lambda **kw: apply_forms.ContactForm(**kw)),
        ("apply: save", lambda **kw: apply_forms.SaveForm(**kw)),
        ("apply: council", lambda **kw: apply_forms.CouncilForm(councils=(), **kw)),
        ("track", lambda **kw: resident_forms.TrackForm(**kw)),
        ("track: reply", lambda **kw: resident_forms.ReplyForm(**kw)),
        ("account: details", lambda **kw: resident_forms.PreferencesForm(**kw)),
        ("account: confirm phone", lambda **kw: resident_forms.ConfirmPhoneForm(**kw)),
        ("account: sign in", lambda **kw: account_forms.LoginForm(**kw)),
        ("account: sign up", lambda **kw: account_forms.SignupForm(**kw)),
        ("account: reset password", lambda **kw: account_forms.ResetPasswordForm(**kw)),
        ("counter: find", lambda **kw: counter_forms.ResidentSearchForm(**kw)),
        ("counter: visitor", lambda **kw: counter_forms.VisitorDetailsForm(**kw)),
        ("counter: case", lambda **kw: counter_forms.SimpleCaseForm(**kw)),
        (
            "counter: ticket",
            lambda **kw: counter_forms.IssueTicketForm(office=office, user=staff, **kw),
        ),
        ("counter: desk", lambda **kw: counter_forms.DeskForm(office=office, **kw)),
        ("counter: transfer", lambda **kw: counter_forms.TransferForm(office=office, **kw)),
        (
            "counter: note",
            lambda **kw: counter_forms.NoteForm(user=staff, resident=None, **kw),
        ),
        (
            "counter: document",
            lambda **kw: counter_forms.DocumentForm(user=staff, resident=None, **kw),
        ),
        (
            "counter: receipt",
            lambda **kw: counter_forms.ReceiptForm(user=staff, resident=None, **kw),
        ),
    ]
    return made


def test_every_example_a_form_shows_is_accepted_by_that_form():
    refused, seen = [], set()
    for name, make_form in site_forms():
        seen |= {example for _field, _where, example in shown_examples(make_form)}
        refused += [f"{name}: {problem}" for problem in refused_examples(make_form)]
    assert refused == []
    # The walk found the examples residents see (so it can fail when one goes wrong).
    assert {
        "07400 123456",  # the phone hints and errors
        "01908 123456",
        "100 000 011",  # the case reference on /track/
        "MK9 3EJ",  # postcodes in apply-online questions and errors
        "27 3 2026",  # a date in three boxes
        "123456",  # the texted code
        "name@example.com",
    } <= seen


def test_the_walk_catches_an_example_its_field_refuses():
    class Planted(forms.Form):
        phone = UkPhoneField(
            label="Mobile", help_text="For text message updates, like 07700 900 982."
        )

    problems = refused_examples(lambda **kw: Planted(**kw))
    assert len(problems) == 1 and "07700 900 982" in problems[0]
    assert examples_in("How would you like us to send you updates?") == []
    assert examples_in("like 01908 123456 or 07400 123456.") == ["01908 123456", "07400 123456"]
