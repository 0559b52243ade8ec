"""Case references: keypad-friendly digits with a Damm check digit, never reused."""

import threading

import pytest
from django.db import connection, connections
from hypothesis import given
from hypothesis import strategies as st

from services import reference


def test_reference_has_nine_digits_and_is_grouped_for_reading_aloud():
    ref = reference.make_reference(10_000_000)
    assert len(ref) == 9 and ref.isdigit()
    assert reference.format_reference("123456789") == "123 456 789"


@given(
    st.integers(min_value=10_000_000, max_value=99_999_999), st.integers(0, 8), st.integers(1, 9)
)
def test_any_single_mistyped_digit_is_refused(serial, position, delta):
    ref = reference.make_reference(serial)
    typo = ref[:position] + str((int(ref[position]) + delta) % 10) + ref[position + 1 :]
    with pytest.raises(reference.InvalidReference):
        reference.normalise(typo)


@given(st.integers(min_value=10_000_000, max_value=99_999_999), st.integers(0, 7))
def test_any_swap_of_neighbouring_digits_is_refused(serial, position):
    ref = reference.make_reference(serial)
    if ref[position] == ref[position + 1]:
        return
    swapped = ref[:position] + ref[position + 1] + ref[position] + ref[position + 2 :]
    with pytest.raises(reference.InvalidReference):
        reference.normalise(swapped)


@pytest.mark.parametrize("typed", ["100 000 006", "100-000-006", " 100000006 ", "100.000.006"])
def test_spacing_people_type_or_read_out_is_accepted(typed):
    assert reference.normalise(typed) == reference.make_reference(10_000_000)


def test_digits_from_other_scripts_are_read_as_digits():
    # Fullwidth digits (some phone keyboards) and Extended Arabic-Indic digits (Urdu keyboards).
    assert reference.normalise("１００ ０００ ００６") == "100000006"
    assert reference.normalise("۱۰۰۰۰۰۰۰۶") == "100000006"


def test_invisible_direction_marks_copied_from_urdu_text_are_ignored():
    # Urdu messages put a left-to-right mark before a reference so it reads the right way
    # round; a resident who copies it from there brings the mark along.
    assert reference.normalise("\u200e100 000 006") == "100000006"
    assert reference.normalise("100\u200b000\u200b006\u200f") == "100000006"
    assert reference.looks_like_reference("\u200e100 000 006")


@pytest.mark.parametrize("typed", ["", "abc", "12345678", "1234567890", "100000006x", "²00000006"])
def test_malformed_input_is_refused(typed):
    with pytest.raises(reference.InvalidReference):
        reference.normalise(typed)


def test_references_are_found_in_free_text_only_when_valid():
    good = reference.make_reference(12_345_678)
    text = f"Hi, about {reference.format_reference(good)} and also 123 456 780 thanks"
    assert reference.find_in_text(text) == [good]


@pytest.mark.django_db(transaction=True)
def test_concurrent_allocation_never_hands_out_the_same_reference(postgres_only):
    results: list[list[str]] = []
    errors = []

    def worker():
        try:
            for _ in range(25):
                results.append(reference.allocate(4))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    allocated = [ref for batch in results for ref in batch]
    assert len(allocated) == 8 * 25 * 4
    assert len(set(allocated)) == len(allocated)
    assert all(reference.normalise(ref) == ref for ref in allocated)
    assert connection.vendor == "postgresql"
