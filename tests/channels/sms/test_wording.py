"""The template editor's length panel counts in plural forms."""

from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation


def _panel(characters, units):
    info = SimpleNamespace(
        characters=characters, units=units, segments=1, remaining=0, is_unicode=False
    )
    with translation.override("en"):
        return render_to_string(
            "sms/segment_preview_panel.html", {"is_sms": True, "saved": True, "info": info}
        )


def test_units_are_counted_with_plural_forms():
    assert "(164 units)" in _panel(160, 164)
    assert "units)" not in _panel(5, 5)  # shown only when units differ from characters
