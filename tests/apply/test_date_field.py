"""The date field's errors are whole sentences, one for each part left out (GOV.UK wording)."""

import pytest
from django import forms
from django.utils import translation

from portal.apply.fields import GovukDateField


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["", "4", "1990"], "Date of birth must include a day"),
        (["12", "", "1990"], "Date of birth must include a month"),
        (["12", "4", ""], "Date of birth must include a year"),
        (["12", "", ""], "Date of birth must include a month"),  # the first part missing
    ],
)
def test_an_incomplete_date_names_the_missing_part(parts, message):
    with translation.override("en"), pytest.raises(forms.ValidationError) as error:
        GovukDateField(label="Date of birth").clean(parts)
    assert error.value.messages == [message]


def test_the_date_boxes_keep_their_govuk_widths_when_rendered_in_a_form():
    from django import forms

    from portal.apply.fields import GovukDateField

    class Form(forms.Form):
        when = GovukDateField(label="When")

    html = Form().as_div()
    assert html.count("govuk-input--width-2") == 2
    assert html.count("govuk-input--width-4") == 1
    assert 'class=""' not in html
