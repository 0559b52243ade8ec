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
