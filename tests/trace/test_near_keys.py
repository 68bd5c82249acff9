"""The keys that let hit/no-hit find a serial read with one character wrong."""

from __future__ import annotations

from paridad.trace.near_keys import MAX_SHARED, near_keys, shared_too_widely
from paridad.trace.serials import distance, read_serial


def test_one_character_off_under_the_same_maker_shares_a_key() -> None:
    sold = set(near_keys("LE942535", "Colt"))
    for read in ("LE94253", "LE9425355", "LE924535", "LE942X35", "1E942535"):
        assert sold & set(near_keys(read, "COLT'S MFG")), read


def test_another_maker_or_two_edits_share_nothing() -> None:
    sold = set(near_keys("LE942535", "Colt"))
    assert not sold & set(near_keys("LE942535", "Glock"))
    for far in ("LE924553", "XE942539"):  # two pairs swapped; two characters misread
        assert distance(read_serial(far).folded, read_serial("LE942535").folded) == 2
        assert not sold & set(near_keys(far, "Colt")), far


def test_no_key_without_a_known_maker_or_a_readable_serial() -> None:
    assert near_keys("LE942535", "") == []
    assert near_keys("LE942535", "Unknown Arms Co") == []
    assert near_keys("AB12?45", "Colt") == []  # unknown positions
    assert near_keys("AB123", "Colt") == []  # too short to point at one gun
    assert near_keys("S/N", "Colt") == []


def test_an_importer_mark_gives_keys_for_every_maker_it_brings_in() -> None:
    keys = near_keys("AB-1234-56", "CAI")
    assert {k.split(":")[0] for k in keys} == {"canik", "century-arms", "cugir", "zastava"}
    assert set(near_keys("AB-1234-56", "ROMARM")) <= set(keys)


def test_keys_shared_by_more_than_a_few_firearms_are_dropped() -> None:
    items = [("glock:12345", f"f-{i}") for i in range(MAX_SHARED + 1)]
    items += [("glock:99999", "f-a"), ("glock:99999", "f-b")]
    assert shared_too_widely(items) == {"glock:12345"}
