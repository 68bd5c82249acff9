"""What a serial read off a recovered gun can still say, and how far it is from a dealer's.

A serial reaches a trace request as an officer typed it from a worn, scratched or partly
ground frame. Three things are undone here, in this order:

* **labels and placeholders**: "Nº 12345" is the serial 12345; "S/N", "BORRADA", "ILEGIBLE"
  and the like mean *no serial*, and must never match a real one;
* **unknown positions**: an officer who can read only part of the marks writes ``?`` or
  ``_`` for one unreadable character and ``*`` for a run of them ("AB?12*");
* **look-alikes**: O/D/0, I/L/1, S/5, B/8 and Z/2 are folded to one character on both sides
  (:func:`paridad.match.identifiers.fold_serial`, the key hit/no-hit uses too).

What remains (a dropped, doubled, swapped or misread character) is measured by the optimal
string alignment distance (Damerau–Levenshtein without repeated edits of one substring). One
edit is evidence; two are not: on the medium synthetic scenario a sale two edits away from a
recovered gun of the same make and model was a different gun twice as often as the right one,
because short serials (six or seven characters) leave many real neighbours that close.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from paridad.match.identifiers import canonical_serial, fold_serial
from paridad.model.normalize import fold

# What Mexican and US records put in the serial field when there is no serial to read.
PLACEHOLDERS = frozenset(
    {
        "sn",
        "s n",
        "sin numero",
        "sin serie",
        "sin numero de serie",
        "sin matricula",
        "borrado",
        "borrada",
        "limado",
        "limada",
        "ilegible",
        "no legible",
        "no visible",
        "no tiene",
        "obliterated",
        "obliterado",
        "obliterada",
        "none",
        "unknown",
        "desconocido",
        "na",
        "n a",
        "no serial",
    }
)
# Wildcards for characters the officer could not read: one character, or a run of them.
ONE_UNKNOWN = "?_"
ANY_RUN = "*"
_WILDCARDS = re.compile(r"[?_*]")
# "Nº 12345", "N° 12345", "No. 12345", "#12345", "SERIE: 12345": the label is not the serial.
_LABEL = re.compile(
    # Words only when a space, colon or dot follows ("NUM0" is a serial, "NUM 0" a label);
    # the symbols and "No." are labels by themselves.
    r"^\s*(?:(?:n[uú]m(?:ero)?|serie|serial)(?=[\s:.])|n\s*[º°]|no\.|s/n\s*:|#)\s*[:.]?\s*",
    re.IGNORECASE,
)
# Fewer known characters than this say too little to single out one sale among millions.
MIN_KNOWN = 3


@dataclass(frozen=True)
class ReadSerial:
    """A serial as read, reduced to what matching can use.

    ``folded`` is the look-alike-folded form of the readable characters (empty when there is
    no serial). ``pattern`` is a regular expression over folded serials when the read has
    unknown positions, else None; ``known`` counts the characters actually read.
    """

    raw: str
    folded: str
    pattern: str | None = None

    @property
    def known(self) -> int:
        return len(self.folded)

    @property
    def usable(self) -> bool:
        return self.known >= MIN_KNOWN


@lru_cache(maxsize=262144)
def read_serial(raw: str) -> ReadSerial:
    """Parse a serial as typed on a trace request or a dealer's record."""
    text = _LABEL.sub("", (raw or "").strip())
    if not text or fold(text) in PLACEHOLDERS or not any(c.isalnum() for c in text):
        return ReadSerial(raw, "")
    if not _WILDCARDS.search(text):
        return ReadSerial(raw, fold_serial(canonical_serial(text)))
    parts: list[str] = []
    known: list[str] = []
    for char in text:
        if char in ONE_UNKNOWN:
            parts.append(".")
        elif char in ANY_RUN:
            parts.append(".*")
        else:
            folded = fold_serial(canonical_serial(char))
            if folded:
                parts.append(re.escape(folded))
                known.append(folded)
    if not known:
        return ReadSerial(raw, "")
    return ReadSerial(raw, "".join(known), "".join(parts))


def folded_key(raw: str) -> str:
    """The look-alike-folded serial, or "" for a placeholder: the exact-match key."""
    return read_serial(raw).folded


def distance(left: str, right: str) -> int:
    """Edits (insert, delete, substitute, swap neighbours) between two folded serials."""
    return int(OSA.distance(left, right))


def deletion_variants(folded: str) -> set[str]:
    """The serial and every string one character shorter: two serials within one edit of
    each other always share one of these, which is what candidate search joins on."""
    out = {folded}
    for i in range(len(folded)):
        out.add(folded[:i] + folded[i + 1 :])
    return out


def serial_match(read: ReadSerial, marked: str) -> tuple[str, int] | None:
    """How a read serial meets a dealer's serial: a ``serial_match`` code and the edits, or
    None when they are too far apart to be the same marks."""
    if not read.usable:
        return None
    target = folded_key(marked)
    if not target:
        return None
    if read.pattern is not None:
        if re.fullmatch(read.pattern, target):
            return "partial", len(target) - read.known
        return None
    if read.folded == target:
        exact = canonical_serial(read.raw) == canonical_serial(marked)
        return ("exact" if exact else "look-alike"), 0
    if distance(read.folded, target) == 1:
        return "one-edit", 1
    if _is_fragment(read.folded, target):
        return "partial", len(target) - read.known
    return None


def _is_fragment(read: str, target: str) -> bool:
    """A partial read: the first or last characters of the marks, the rest ground away."""
    return len(read) < len(target) and (target.startswith(read) or target.endswith(read))
