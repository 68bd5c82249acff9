"""Serials as officers read them: placeholders, wildcards, look-alikes, one edit, fragments."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.trace.serials import (
    MIN_KNOWN,
    deletion_variants,
    distance,
    folded_key,
    read_serial,
    serial_match,
)

# Letters and digits serials are made of, the look-alikes included on purpose.
ALPHABET = "0123456789ABCDEFGHJKLMNOPRSTUVXYZ"
LOOK_ALIKES = [("O", "0"), ("D", "0"), ("I", "1"), ("L", "1"), ("S", "5"), ("B", "8"), ("Z", "2")]


def match(read: str, marked: str) -> tuple[str, int] | None:
    return serial_match(read_serial(read), marked)


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance, written out here so the tests do not lean on the
    library the module uses."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


# -- placeholders --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "S/N",
        "s/n",
        "BORRADA",
        "Borrado",
        "ilegible",
        "ILEGIBLE",
        "",
        "   ",
        "---",
        "N/A",
        "UNKNOWN",
    ],
)
def test_placeholders_are_no_serial(raw: str) -> None:
    read = read_serial(raw)
    assert read.folded == "" and read.pattern is None
    assert not read.usable
    assert folded_key(raw) == ""


@pytest.mark.parametrize("raw", ["S/N", "BORRADA", "ilegible", ""])
def test_placeholders_never_match(raw: str) -> None:
    # Not a real serial, not the same placeholder on a dealer's record, not a serial that
    # happens to fold like the placeholder's letters ("SN" reads as "5N").
    for marked in ["S/N", "BORRADA", "ILEGIBLE", "SN", "5N", "80RRA0A", "AB123456", raw]:
        assert match(raw, marked) is None
    # ...and a real read never matches a placeholder a dealer typed.
    assert match("BORRADA1", "BORRADA") is None
    assert match("123456", "S/N") is None


def test_too_few_known_characters_are_unusable() -> None:
    assert not read_serial("AB").usable
    assert not read_serial("??12").usable  # two characters read
    assert read_serial("A12").usable and read_serial("A12").known == MIN_KNOWN
    assert match("AB", "AB123456") is None
    assert match("??12", "AB12") is None


# -- wildcards -----------------------------------------------------------------------------------


def test_wildcards_become_a_pattern_over_folded_serials() -> None:
    one = read_serial("AB?123")
    assert one.pattern == "A8.123" and one.known == 5  # B folds to 8
    assert read_serial("AB_123").pattern == "A8.123"
    suffix = read_serial("*4567")
    assert suffix.pattern == ".*4567" and suffix.known == 4
    prefix = read_serial("AB12*")
    assert prefix.pattern == "A812.*" and prefix.known == 4


def test_one_unknown_position_stands_for_exactly_one_character() -> None:
    assert match("AB?123", "AB9123") == ("partial", 1)
    assert match("AB?123", "A89123") == ("partial", 1)  # look-alikes fold on both sides
    assert match("AB?123", "AB123") is None  # no character where the ? is
    assert match("AB?123", "AB99123") is None  # two characters
    assert match("AB?123", "AC9123") is None  # a known character differs


def test_a_run_wildcard_stands_for_any_number_of_characters() -> None:
    assert match("*4567", "X94567") == ("partial", 2)
    assert match("*4567", "4567") == ("partial", 0)
    assert match("*4567", "X945678") is None  # the read's end is the serial's end
    assert match("AB12*", "AB12999") == ("partial", 3)
    assert match("AB12*", "XAB12999") is None
    assert match("AB12*", "AB2999") is None


# -- look-alikes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("letter", "digit"), LOOK_ALIKES)
def test_look_alikes_fold_both_ways(letter: str, digit: str) -> None:
    letters, digits = f"X{letter}4{letter}91", f"X{digit}4{digit}91"
    assert match(letters, digits) == ("look-alike", 0)
    assert match(digits, letters) == ("look-alike", 0)
    assert match(letters, letters) == ("exact", 0)
    assert match(digits, digits) == ("exact", 0)
    # ...and only those: a letter is not its own look-alike's neighbour in the alphabet.
    assert match(f"X{letter}4{letter}91", "XQ4Q91") is None


def test_exact_ignores_case_spaces_and_separators() -> None:
    assert match("ab-12 34", "AB1234") == ("exact", 0)
    assert match("AB.1234", "ab 1234") == ("exact", 0)


# -- one edit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("read", "marked"),
    [
        ("A12456", "A123456"),  # dropped
        ("A1234456", "A123456"),  # doubled
        ("A124356", "A123456"),  # transposed
        ("A123956", "A123456"),  # substituted
        ("A123456", "A12456"),  # a character read that is not there
    ],
)
def test_one_edit(read: str, marked: str) -> None:
    assert match(read, marked) == ("one-edit", 1)


@pytest.mark.parametrize(
    ("read", "marked"),
    [
        ("A124365", "A123456"),  # two transpositions
        ("A12956", "A123456"),  # dropped and substituted
        ("X123457", "A123456"),  # two substitutions
        ("A1245", "A123456"),  # two dropped inside
    ],
)
def test_two_edits_are_no_match(read: str, marked: str) -> None:
    assert osa(folded_key(read), folded_key(marked)) == 2
    assert match(read, marked) is None


# -- fragments -----------------------------------------------------------------------------------


def test_the_first_or_last_characters_are_a_partial_read() -> None:
    assert match("A1234", "A123456") == ("partial", 2)
    assert match("3456", "A123456") == ("partial", 3)
    assert match("A12", "A123456") == ("partial", 4)
    assert match("2345", "A123456") is None  # the middle of the marks is not a fragment
    assert match("A123456", "A1234") is None  # longer than the marks is not a fragment of them


def test_a_fragment_folds_look_alikes_too() -> None:
    assert match("AB1Z", "A81234") == ("partial", 2)


# -- properties ----------------------------------------------------------------------------------

serials = st.text(alphabet=ALPHABET, min_size=1, max_size=10)


def _edit(draw: st.DrawFn, base: str) -> str:
    """``base`` after one insertion, deletion, substitution or swap of neighbours."""
    kind = draw(st.sampled_from(["insert", "delete", "substitute", "swap"]))
    if kind == "insert":
        i = draw(st.integers(0, len(base)))
        return base[:i] + draw(st.sampled_from(ALPHABET)) + base[i:]
    i = draw(st.integers(0, len(base) - 1))
    if kind == "delete":
        return base[:i] + base[i + 1 :]
    if kind == "substitute":
        return base[:i] + draw(st.sampled_from(ALPHABET)) + base[i + 1 :]
    j = min(i + 1, len(base) - 1)
    chars = list(base)
    chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


@st.composite
def one_edit_apart(draw: st.DrawFn) -> tuple[str, str]:
    """A string and the same string after one edit."""
    base = draw(st.text(alphabet=ALPHABET, min_size=2, max_size=10))
    return base, _edit(draw, base)


@st.composite
def near_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Two serials zero to three random edits apart (so every distance is well represented)."""
    a = draw(st.text(alphabet=ALPHABET, min_size=3, max_size=9))
    b = a
    for _ in range(draw(st.integers(0, 3))):
        if len(b) >= 2:
            b = _edit(draw, b)
    return a, b


@given(one_edit_apart())
@settings(max_examples=400, deadline=None)
def test_strings_one_edit_apart_share_a_deletion_variant(pair: tuple[str, str]) -> None:
    a, b = pair
    assert osa(a, b) <= 1
    assert deletion_variants(a) & deletion_variants(b)


@given(serials, serials)
@settings(max_examples=400, deadline=None)
def test_deletion_variants_are_exactly_the_string_and_its_deletions(a: str, b: str) -> None:
    variants = deletion_variants(a)
    assert a in variants
    assert all(len(v) == len(a) - 1 for v in variants - {a})
    assert len(variants) <= len(a) + 1
    # The converse the candidate search relies on: within one edit means a shared variant.
    if osa(a, b) <= 1:
        assert variants & deletion_variants(b)


@given(near_pairs())
@settings(max_examples=600, deadline=None)
def test_serial_match_never_calls_two_edits_one_edit(pair: tuple[str, str]) -> None:
    read, marked = pair
    edits = osa(folded_key(read), folded_key(marked))
    assert distance(folded_key(read), folded_key(marked)) == edits
    found = match(read, marked)
    kind = found[0] if found else None
    if not (read_serial(read).usable and folded_key(marked)):  # "NONE" is a placeholder
        assert found is None
    elif edits > 1:
        assert kind != "one-edit"
        assert kind in (None, "partial")
        if kind == "partial":  # only when what was read is one end of the marks
            folded, target = folded_key(read), folded_key(marked)
            assert target.startswith(folded) or target.endswith(folded)
    elif edits == 1:
        assert found == ("one-edit", 1)
    else:
        assert kind in ("exact", "look-alike")


@given(serials.filter(lambda s: len(s) >= MIN_KNOWN), st.data())
@settings(max_examples=300, deadline=None)
def test_a_wildcard_read_matches_the_serial_it_was_read_from(
    serial: str, data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(serial) - 1))
    hidden = serial[:i] + "?" + serial[i + 1 :]
    read = read_serial(hidden)
    if read.usable:
        assert read.pattern is not None and re.fullmatch(read.pattern, folded_key(serial))
        assert match(hidden, serial) == ("partial", 1)


@pytest.mark.parametrize(
    ("raw", "folded"),
    [("Nº 12345", "12345"), ("N° AB-12", "A812"), ("No. 4567", "4567"), ("#XY999", "XY999"),
     ("SERIE: 777", "777"), ("S/N: 778899", "778899")],
)  # fmt: skip
def test_a_number_label_is_not_part_of_the_serial(raw: str, folded: str) -> None:
    assert read_serial(raw).folded == folded


def test_letters_that_only_look_like_a_label_stay() -> None:
    assert read_serial("NOVA123").folded == "N0VA123"
    assert read_serial("N0A1").folded == "N0A1"
    assert read_serial("NUM0").folded == "NUM0"  # a serial that starts like a label
    assert read_serial("SERIE123").folded == read_serial("5ER1E123").folded
