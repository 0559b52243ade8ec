"""SMS length: encoding, characters and segments, as a resident's phone would receive them."""

import pytest

from services.outbound.segments import GSM7, UCS2, describe, is_gsm7, non_gsm_characters


def test_empty_text_is_no_segment():
    info = describe("")
    assert (info.encoding, info.characters, info.segments, info.remaining) == (GSM7, 0, 0, 160)


@pytest.mark.parametrize(
    ("length", "segments", "remaining"),
    [(1, 1, 159), (160, 1, 0), (161, 2, 153 * 2 - 161), (306, 2, 0), (307, 3, 153 * 3 - 307)],
)
def test_gsm7_single_and_concatenated(length, segments, remaining):
    info = describe("a" * length)
    assert info.encoding == GSM7
    assert info.characters == length
    assert info.segments == segments
    assert info.remaining == remaining


def test_gsm7_basic_accents_stay_gsm7():
    assert describe("Café £5 à Zürich ¿Ñ? Ø ß").encoding == GSM7


def test_extension_characters_cost_two_septets():
    info = describe("€" * 80)
    assert info.encoding == GSM7
    assert info.characters == 80
    assert info.units == 160
    assert info.segments == 1
    assert describe("€" * 81).segments == 2


def test_escape_pair_is_not_split_across_segments():
    # 152 plain characters then a €: the pair does not fit in the 1 septet left, so it moves.
    text = "a" * 152 + "€" + "b" * 10
    info = describe(text)
    assert info.units == 164
    assert info.segments == 2
    assert info.remaining == 153 - 12


@pytest.mark.parametrize("char", ["ŵ", "ł", "ç", "“", "🙂", "ا"])
def test_non_gsm_character_makes_whole_message_ucs2(char):
    info = describe("Hello " + char)
    assert info.encoding == UCS2
    assert info.remaining == 70 - info.units
    assert char in non_gsm_characters("Hello " + char)


@pytest.mark.parametrize(("length", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_single_and_concatenated(length, segments):
    assert describe("ŵ" * length).segments == segments


def test_emoji_counts_two_units_and_is_not_split():
    info = describe("🙂" * 35)
    assert (info.characters, info.units, info.segments) == (35, 70, 1)
    # 66 units then an emoji: the surrogate pair moves to segment two.
    info = describe("ŵ" * 66 + "🙂" + "ŵ" * 3)
    assert info.units == 71
    assert info.segments == 2
    assert info.remaining == 67 - 5


def test_1600_characters():
    assert describe("x" * 1600).segments == 11  # ceil(1600 / 153)
    assert not is_gsm7("x" * 1599 + "🙂")
