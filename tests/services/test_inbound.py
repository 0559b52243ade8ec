"""services.inbound: every inbound field cleaned the same way, whichever channel it came by."""

import pytest

from services import inbound as clean


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("07400 123456", "+447400123456"),
        ("+44 (0)7400 123456", "+447400123456"),
        ("+4474\x0000123456", "+447400123456"),
        ("  +447400123456\n", "+447400123456"),
        ("anonymous", "anonymous"),
        ("NOTIFY\x00" + "Y" * 50, ("NOTIFY" + "Y" * 50)[:20]),
        ("", ""),
        (None, ""),
        ("\x00\x1b", ""),
    ],
)
def test_phone_is_e164_or_a_bounded_cleaned_string(value, expected):
    assert clean.phone(value) == expected


def test_normalise_phone_refuses_what_is_not_a_number():
    with pytest.raises(clean.InvalidPhoneNumber):
        clean.normalise_phone("not a number")
    with pytest.raises(clean.InvalidPhoneNumber):
        clean.normalise_phone("+44 1")


def test_text_drops_control_characters_but_keeps_lines_and_tabs():
    assert clean.text("a\x00b\x1b[31mc\x7f\x85d\r\n\te") == "ab[31mcd\r\n\te"
    assert clean.text("a\x00b", nul="\ufffd") == "a\ufffdb"
    assert clean.text("x" * 50, 10) == "x" * 10
    assert clean.text("😀 مرحبا ż") == "😀 مرحبا ż"


def test_text_recovers_raw_bytes_decoded_as_surrogates():
    raw = "café".encode().decode("ascii", errors="surrogateescape")
    assert clean.text(raw) == "café"
    latin = "café".encode("cp1252").decode("ascii", errors="surrogateescape")
    assert clean.text(latin) == "café"
    assert clean.text("\udcff") == "ÿ"


def test_line_is_one_stripped_line():
    assert clean.line(" SM123\n\x00 ", 64) == "SM123"
    assert clean.line("a\nb\tc") == "a b c"


def test_storable_only_replaces_nul_in_nested_values():
    value = {"k\x00": ["v\x00", {"x": "\x1b"}], "n": 3}
    assert clean.storable(value) == {"k\ufffd": ["v\ufffd", {"x": "\x1b"}], "n": 3}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("17", 17),
        (" 0 ", 0),
        ("9" * 30, None),
        ("-5", None),
        ("1e3", None),
        ("١٢", None),
        ("", None),
        (None, None),
        ("12\x00", 12),
    ],
)
def test_integer_is_in_range_or_the_default(value, expected):
    assert clean.integer(value) == expected


def test_integer_bounds_and_default():
    assert clean.integer("40000", maximum=32767) is None
    assert clean.integer("x", default=0) == 0
    assert clean.integer("-3", minimum=-5) == -3
