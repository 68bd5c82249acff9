"""Keys that let hit/no-hit find a serial read with one character wrong.

Exact hit/no-hit (kind ``serial``) already folds look-alikes (O/0, I/1/L, S/5, B/8, Z/2). A
dropped, doubled, swapped or misread character still makes two serials differ, and private
set intersection only finds equal values. Kind ``serial_near`` therefore puts, for each
firearm, its folded serial *and every one-character deletion of it* into the set, each
prefixed with the maker: two serials of one maker within one edit always share one of these
keys (the symmetric-deletion property the tracer's candidate search uses), so a hit on
``serial_near`` means "the partner holds a serial of this maker within about one edit of
yours". What a near hit reveals, and what it costs, is in docs/hit-no-hit.md.

Without a known maker there is no key: a bare six-character deletion would meet thousands of
unrelated guns and turn hit/no-hit into a fishing tool. Keys shared by more than
``MAX_SHARED`` of one node's firearms are dropped on that node for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable

from paridad.trace.makes import makers
from paridad.trace.serials import deletion_variants, read_serial

# A key more of one node's firearms than this share says nothing about any one of them.
MAX_SHARED = 3
# Deletions of serials shorter than this are too short to point at one gun.
MIN_LENGTH = 6


def near_keys(serial: str, make: str) -> list[str]:
    """The ``serial_near`` keys of one firearm: ``maker:variant`` for each maker its make
    name can stand for and each of the serial's one-deletion variants (and itself)."""
    read = read_serial(serial)
    if read.pattern is not None or len(read.folded) < MIN_LENGTH:
        return []
    owners = sorted(makers(make))
    if not owners:
        return []
    variants = sorted(deletion_variants(read.folded))
    return [f"{maker}:{variant}" for maker in owners for variant in variants]


def shared_too_widely(items: Iterable[tuple[str, str]]) -> set[str]:
    """Keys that more than ``MAX_SHARED`` distinct firearms of one node produce."""
    owners: dict[str, set[str]] = {}
    for key, entity in items:
        owners.setdefault(key, set()).add(entity)
    return {key for key, found in owners.items() if len(found) > MAX_SHARED}
