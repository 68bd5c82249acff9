"""How a serial number gets misread between the gun and the trace request.

Mexican recoveries reach the ATF's National Tracing Center as typed transcriptions of what an
officer read off a worn, scratched or partly ground frame. The common failures are character
confusions (O/0, I/1/L, S/5, B/8, Z/2), a dropped, doubled or swapped character, a missing
separator and, for restored serials, only part of the number. Altered serials are re-stamped
on purpose. Each failure is named so the truth can say what a matcher had to undo.
"""

from __future__ import annotations

import random

# Characters that read as each other, both ways.
CONFUSIONS: dict[str, str] = {
    "0": "O",
    "O": "0",
    "1": "I",
    "I": "1",
    "L": "1",
    "S": "5",
    "5": "S",
    "B": "8",
    "8": "B",
    "Z": "2",
    "2": "Z",
    "D": "0",
}
_LABEL = {
    frozenset("0O"): "O/0",
    frozenset("1I"): "I/1",
    frozenset("1L"): "L/1",
    frozenset("5S"): "S/5",
    frozenset("8B"): "B/8",
    frozenset("2Z"): "Z/2",
    frozenset("0D"): "D/0",
}


def _confuse(rng: random.Random, serial: str) -> tuple[str, str] | None:
    spots = [i for i, c in enumerate(serial) if c in CONFUSIONS]
    if not spots:
        return None
    i = rng.choice(spots)
    old = serial[i]
    new = CONFUSIONS[old]
    if old == "1" and rng.random() < 0.4:
        new = "L"
    return serial[:i] + new + serial[i + 1 :], _LABEL[frozenset(old + new)]


def _one_error(rng: random.Random, serial: str, partial_weight: float) -> tuple[str, str]:
    kinds = ("confusion", "dropped", "doubled", "transposed", "separator", "partial")
    weights = (0.5, 0.1, 0.08, 0.12, 0.1, partial_weight)
    kind = rng.choices(kinds, weights)[0]
    core = [i for i, c in enumerate(serial) if c.isalnum()]
    if kind == "confusion":
        out = _confuse(rng, serial)
        if out is not None:
            return out
        kind = "transposed"
    if kind == "separator":
        if "-" in serial:
            return serial.replace("-", ""), "separator"
        kind = "dropped"
    if len(core) < 4:
        return serial + serial[-1], "doubled"
    if kind == "dropped":
        i = rng.choice(core)
        return serial[:i] + serial[i + 1 :], "dropped"
    if kind == "doubled":
        i = rng.choice(core)
        return serial[:i] + serial[i] + serial[i:], "doubled"
    if kind == "transposed":
        pairs = [i for i in range(len(serial) - 1) if serial[i] != serial[i + 1]]
        if pairs:
            i = rng.choice(pairs)
            return serial[:i] + serial[i + 1] + serial[i] + serial[i + 2 :], "transposed"
        return serial + serial[-1], "doubled"
    keep = max(3, len(serial) - rng.randint(2, 4))
    return (serial[:keep] if rng.random() < 0.6 else serial[-keep:]), "partial"


def read_serial(rng: random.Random, serial: str, condition: str) -> tuple[str, list[str]]:
    """What the Mexican record says, given the true serial and the condition of the marks.

    Returns the read serial ("" when nothing could be read) and the named errors.
    """
    if condition == "obliterated":
        return "", ["obliterated"]
    if condition == "altered":
        chars = list(serial)
        digits = [i for i, c in enumerate(chars) if c.isdigit()]
        for i in rng.sample(digits, min(len(digits), rng.randint(1, 2))):
            chars[i] = str((int(chars[i]) + rng.randint(1, 9)) % 10)
        return "".join(chars), ["altered"]
    rate, partial = (0.5, 0.35) if condition == "restored" else (0.22, 0.05)
    tags: list[str] = []
    read = serial
    if rng.random() < rate:
        read, tag = _one_error(rng, read, partial)
        tags.append(tag)
        if rng.random() < 0.15:
            read, tag = _one_error(rng, read, partial)
            tags.append(tag)
    if read == serial:
        return serial, []
    return read, tags


def near_serial(rng: random.Random, serial: str) -> str:
    """A different real serial one character away: the decoy a fuzzy matcher may grab."""
    chars = list(serial)
    spots = [i for i, c in enumerate(chars) if c.isalnum()]
    i = rng.choice(spots)
    alphabet = "0123456789" if chars[i].isdigit() else "ABCDEFGHJKLMNPRSTUVWXYZ"
    chars[i] = rng.choice([c for c in alphabet if c != chars[i]])
    return "".join(chars)
