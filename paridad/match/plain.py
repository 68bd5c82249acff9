"""Plaintext comparison of normalised records: the reference that the encodings are judged by.

``paridad link --privacy plain`` compares the normalised fields themselves — for two files on
one node, where nothing crosses a border — with the same segments, levels and weights as the
encoded comparison, so the two can be set side by side. Names are compared token by token with
Jaro–Winkler (Winkler's string comparator for names; RapidFuzz's implementation), birth dates
by which parts agree.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import JaroWinkler

from paridad.match.compare import Index
from paridad.match.features import Normalised
from paridad.match.scoring import Agreements

SEGMENTS = ("name", "birth", "place", "ident")


def _tokens_agreement(a: Sequence[str], b: Sequence[str]) -> float:
    """Symmetric Monge–Elkan: each token's best Jaro–Winkler match on the other side,
    averaged both ways, so a dropped second surname costs half, not everything."""

    def one_way(x: Sequence[str], y: Sequence[str]) -> float:
        return sum(max(JaroWinkler.similarity(t, s) for s in y) for t in x) / len(x)

    return (one_way(a, b) + one_way(b, a)) / 2.0


def name_agreement(a: Normalised, b: Normalised) -> float:
    left = [t for t in (*a.given, *a.surnames, *a.org) if len(t) > 1]
    right = [t for t in (*b.given, *b.surnames, *b.org) if len(t) > 1]
    if not left or not right:
        return float("nan")
    score = _tokens_agreement(left, right)
    # The first given name and first surname weigh again, as in the encodings.
    for x, y in ((a.given, b.given), (a.surnames, b.surnames)):
        if x and y:
            score = 0.75 * score + 0.25 * JaroWinkler.similarity(x[0], y[0])
    return score


def birth_agreement(a: Normalised, b: Normalised) -> float:
    if a.birth is None or b.birth is None:
        return float("nan")
    x, y = a.birth, b.birth
    same_parts = x.parts == y.parts
    ordered = x.month is not None and y.month is not None
    if x.year == y.year and same_parts:
        return 1.0 if not ordered or x.month == y.month else 0.85  # day and month swapped
    if same_parts and abs(x.year - y.year) <= 1:
        return 0.62  # a year off
    if x.year == y.year or same_parts:
        return 0.4
    return 0.0


def place_agreement(a: Normalised, b: Normalised) -> float:
    scores = []
    if a.address and b.address:
        scores.append(_tokens_agreement(a.address, b.address))
    for x, y in ((a.city, b.city), (a.state, b.state), (a.postcode, b.postcode)):
        if x and y:
            scores.append(float(x == y))
    return float(np.mean(scores)) if scores else float("nan")


def ident_agreement(a: Normalised, b: Normalised) -> float:
    scores = [
        JaroWinkler.similarity(x, y)
        for x, y in ((a.id_number, b.id_number), (a.phone, b.phone))
        if x and y
    ]
    return max(scores) if scores else float("nan")


def plain_agreement(
    left: Sequence[Normalised], right: Sequence[Normalised], li: Index, ri: Index
) -> Agreements:
    """Per pair and segment, the plaintext agreement on [0, 1] (NaN: missing)."""
    out = np.empty((len(li), len(SEGMENTS)), dtype=np.float32)
    for k, (i, j) in enumerate(zip(li.tolist(), ri.tolist(), strict=True)):
        a, b = left[i], right[j]
        out[k, 0] = name_agreement(a, b)
        out[k, 1] = birth_agreement(a, b)
        out[k, 2] = place_agreement(a, b)
        out[k, 3] = ident_agreement(a, b)
    return out
