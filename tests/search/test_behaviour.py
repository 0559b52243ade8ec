"""What staff notice about the one search box, on every backend (see conftest.backend)."""

import pytest

from services.reference import format_reference


def case_refs(results):
    return [hit.url.rstrip("/").rsplit("/", 1)[-1] for hit in results.cases]


def resident_ids(results):
    return [hit.id for hit in results.residents]


def reasons_of(results, hit_id, kind="case"):
    hits = results.cases if kind == "case" else results.residents
    return next(h.reasons for h in hits if h.id == hit_id)


# --- references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape", [lambda r: r, format_reference, lambda r: f"  {r[:4]}-{r[4:]} ", lambda r: f"ref {r}"]
)
def test_reference_in_any_spacing_finds_the_case(backend, world, shape):
    results = backend.search(world.mk_staff, shape(world.bin_case.reference))
    assert case_refs(results) == [world.bin_case.reference]
    assert "reference" in reasons_of(results, world.bin_case.pk)


def test_reference_with_a_wrong_check_digit_finds_nothing_and_says_so(backend, world):
    good = world.bin_case.reference
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    results = backend.search(world.mk_staff, format_reference(bad))
    assert results.empty
    assert "check digit" in results.message


def test_swapped_digits_are_refused_not_matched_to_another_case(backend, world):
    good = world.bin_case.reference
    i = next(i for i in range(len(good) - 1) if good[i] != good[i + 1])
    swapped = good[:i] + good[i + 1] + good[i] + good[i + 2 :]
    assert backend.search(world.auditor, swapped).empty


# --- phones, emails, postcodes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["07400 111222", "07400111222", "+44 7400 111 222", "(07400) 111-222", "447400111222"]
)
def test_phone_in_any_uk_format(backend, world, typed):
    results = backend.search(world.mk_staff, typed)
    assert resident_ids(results) == [world.mohammed.pk]
    assert case_refs(results) == [world.bin_case.reference]
    assert "phone" in reasons_of(results, world.mohammed.pk, "resident")


@pytest.mark.parametrize("typed", ["M.Khan@Example.com", " m.khan@example.com "])
def test_email_ignores_case(backend, world, typed):
    results = backend.search(world.mk_staff, typed)
    assert resident_ids(results) == [world.mohammed.pk]
    assert "email" in reasons_of(results, world.mohammed.pk, "resident")


@pytest.mark.parametrize("typed", ["MK9 3EJ", "mk93ej", "mk9  3ej", " Mk9 3eJ "])
def test_postcode_with_any_spacing_or_case(backend, world, typed):
    results = backend.search(world.mk_staff, typed)
    assert resident_ids(results) == [world.mohammed.pk]
    assert case_refs(results) == [world.bin_case.reference]
    assert "postcode" in reasons_of(results, world.bin_case.pk)


def test_a_case_is_found_by_its_own_postcode_and_its_residents(backend, world):
    assert case_refs(backend.search(world.ncc_staff, "NN1 1DE")) == [world.road_case.reference]
    assert case_refs(backend.search(world.ncc_staff, "nn11aa")) == [world.road_case.reference]


def test_postcode_district_on_its_own(backend, world):
    results = backend.search(world.mk_staff, "mk9")
    assert resident_ids(results) == [world.mohammed.pk]
    assert "postcode area" in reasons_of(results, world.mohammed.pk, "resident")


# --- names -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["Muhammad Khan", "mohamed", "Mohammed", "Mohammad kahn"])
def test_misspelt_first_names_find_mohammed(backend, world, typed):
    results = backend.search(world.mk_staff, typed)
    assert resident_ids(results)[:1] == [world.mohammed.pk]
    assert world.bin_case.reference in case_refs(results)


@pytest.mark.parametrize("typed", ["Catherine Jones", "kathryn", "Katherine Jnoes"])
def test_katherine_catherine_and_transposed_letters(backend, world, typed):
    results = backend.search(world.ncc_staff, typed)
    assert resident_ids(results)[:1] == [world.katherine.pk]


def test_transposed_letters_in_a_surname(backend, world):
    results = backend.search(world.mk_staff, "Peter Smtih")
    assert resident_ids(results)[:1] == [world.smith.pk]


def test_every_word_of_a_name_must_match(backend, world):
    # Mohammed Khan and Katherine Jones each match one word: neither is "Mohammed Jones".
    results = backend.search(world.auditor, "Mohammed Jones")
    assert results.empty and results.case_count == results.resident_count == 0


@pytest.mark.parametrize("typed", ["Muhammad Kahn", "Mohammed Khna", "Mohamed Khan"])
def test_a_typo_in_one_word_of_the_name_still_finds_it(backend, world, typed):
    results = backend.search(world.mk_staff, typed)
    assert resident_ids(results) == [world.mohammed.pk]
    assert case_refs(results) == [world.bin_case.reference]


def test_the_exact_spelling_ranks_above_a_close_one(
    backend, world, django_capture_on_commit_callbacks
):
    from tests.factories import ResidentFactory

    with django_capture_on_commit_callbacks(execute=True):
        muhammad = ResidentFactory(name="Muhammad Khan", postcode="MK9 3EJ")
    if hasattr(backend, "refresh"):
        backend.refresh()
    assert resident_ids(backend.search(world.mk_staff, "Muhammad Khan")) == [
        muhammad.pk,
        world.mohammed.pk,
    ]
    assert resident_ids(backend.search(world.mk_staff, "Mohammed Khan"))[0] == world.mohammed.pk


def test_a_title_before_the_name_is_not_required(backend, world):
    assert resident_ids(backend.search(world.ncc_staff, "Mrs Jones")) == [world.katherine.pk]


def test_a_name_and_a_word_of_the_address_together(backend, world):
    assert resident_ids(backend.search(world.mk_staff, "Khan Silbury")) == [world.mohammed.pk]
    assert resident_ids(backend.search(world.mk_staff, "Jones Silbury")) == []


def test_a_close_name_says_which_name_it_matched(backend, world):
    results = backend.search(world.mk_staff, "Muhammad")
    reasons = reasons_of(results, world.mohammed.pk, "resident")
    assert "name ≈ Mohammed Khan" in reasons


def test_exact_name_says_name(backend, world):
    results = backend.search(world.mk_staff, "khan")
    assert "name" in reasons_of(results, world.mohammed.pk, "resident")


# --- addresses and words -------------------------------------------------------------------------


def test_address_fragment(backend, world):
    results = backend.search(world.mk_staff, "Silbury Boulevard")
    assert resident_ids(results)[:1] == [world.mohammed.pk]
    assert "address" in reasons_of(results, world.mohammed.pk, "resident")


def test_words_from_the_case_with_english_stemming(backend, world):
    results = backend.search(world.mk_staff, "garden waste missing")
    assert case_refs(results)[:1] == [world.bin_case.reference]
    assert "words in the case" in reasons_of(results, world.bin_case.pk)


def test_little_words_are_not_required(backend, world):
    results = backend.search(world.ncc_staff, "the pothole outside of the school")
    assert case_refs(results) == [world.road_case.reference]


def test_words_from_a_message_on_the_timeline(backend, world, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from services.models import Channel, Direction, Message, MessageStatus

    with django_capture_on_commit_callbacks(execute=True):
        Message.objects.create(
            channel=Channel.SMS,
            direction=Direction.IN,
            case=world.bin_case,
            resident=world.mohammed,
            body="The lorry came at dawn and skipped our cul-de-sac",
            status=MessageStatus.RECEIVED,
            created_at=timezone.now(),
        )
    if hasattr(backend, "refresh"):
        backend.refresh()
    assert case_refs(backend.search(world.mk_staff, "lorry dawn")) == [world.bin_case.reference]


def test_identifier_and_name_together_must_both_match(backend, world):
    assert resident_ids(backend.search(world.mk_staff, "Khan MK9 3EJ")) == [world.mohammed.pk]
    assert resident_ids(backend.search(world.mk_staff, "Jones MK9 3EJ")) == []


# --- keeping current ------------------------------------------------------------------------------


def test_a_renamed_resident_is_found_by_the_new_name_after_commit(
    backend, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        world.smith.name = "Peter Wojciechowski"
        world.smith.save()
        # Nothing is indexed inside the transaction: only when it commits.
        assert backend.search(world.mk_staff, "Wojciechowski").empty
    if hasattr(backend, "refresh"):
        backend.refresh()
    results = backend.search(world.mk_staff, "Wojciechowski")
    assert resident_ids(results) == [world.smith.pk]
    assert case_refs(results) == [world.joint_case.reference]


def test_nothing_is_indexed_before_commit(backend, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        world.smith.name = "Peter Wojciechowski"
        world.smith.save()
    assert callbacks  # the reindex waits for the commit...
    if hasattr(backend, "refresh"):
        backend.refresh()
    assert backend.search(world.mk_staff, "Wojciechowski").empty  # ...which never came


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "x" * 10_000,
        "a & b | !c <-> d:* (e)",
        "'; DROP TABLE services_case; --",
        "\x00\x01\x1f",
        "😀🚮 مرحبا Zoë Łukasz 北京",
        '"unterminated',
        "%_%",
        "\\",
        "* ? ~ ^ : / [ ] { }",
        "OR AND NOT",
        "0" * 9,
        "+" * 30,
        "@@@",
        "a@b",
    ],
)
def test_hostile_input_never_errors(backend, world, typed):
    results = backend.search(world.auditor, typed)
    assert isinstance(results.cases, list)
    assert isinstance(backend.suggest(world.auditor, typed), list)
