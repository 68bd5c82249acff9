"""How much a candidate sale looks like the recovered gun, and which one to name.

Each piece of evidence adds a weight in bits (log2 of how much likelier it is for the true
sale than for a chance one, Fellegi–Sunter style). The serial says the most, and how it
matched says how much: exactly as marked, equal once look-alikes fold, one edit away, or
only the characters an officer could read. Make, model, calibre and type then confirm or
contradict it. A gun cannot be recovered before it was sold, so such a sale is no candidate.

The weights are set from what each agreement means, not fitted to a scenario. A one-edit
serial is worth less where serials are crowded: among millions of sales, or where a maker
numbers sequentially, another real gun of the same make one character away is common, so the
tracer measures that crowding on the sales themselves and discounts the match by it. The score reported is
the weight turned into a probability with prior odds of 1 in 1,024 (``PRIOR_BITS``).

A recovery is traced only when the best candidate clears ``MIN_WEIGHT`` and beats the
runner-up by ``MARGIN`` bits: two sales that fit equally well are a question for an analyst,
not an answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from paridad.trace.calibers import compare_calibers
from paridad.trace.makes import compare_makes
from paridad.trace.models import compare_models, compare_types

SERIAL_BITS = {"exact": 13.0, "look-alike": 12.0, "one-edit": 8.0}
# A fragment's weight grows with the characters read: each narrows the sales ~20-fold, but
# what was ground away leaves which end is which uncertain.
PARTIAL_BITS_PER_CHAR = 1.5
PARTIAL_OFFSET = 3.0
FIELD_BITS = {
    "make": {"agree": 3.5, "disagree": -5.0},
    "model": {"agree": 3.0, "compatible": 1.0, "disagree": -1.5},
    "caliber": {"agree": 2.0, "compatible": 1.0, "disagree": -3.0},
    "type": {"agree": 1.0, "compatible": 0.0, "disagree": -2.0},
}
# Same-make sales one edit from a typical sale at which a one-edit match is worth its full
# SERIAL_BITS; where serials are more crowded, each doubling costs a bit.
DENSITY_PRIOR = 0.01
# Two bits per doubling: one for the chance neighbour itself, one because agreeing on model
# and calibre says less where one make's serials are packed this close.
CROWDING_BITS = 2.0
PRIOR_BITS = 10.0
MIN_WEIGHT = 10.0
MARGIN = 2.0


@dataclass(frozen=True)
class Side:
    """The comparable keys of one record (made by the ``*_key`` functions)."""

    make: str
    model: str
    caliber: str
    type: str


@dataclass(frozen=True)
class Evidence:
    weight: float
    serial_match: str
    agreed: tuple[str, ...]


def serial_bits(kind: str, missing: int, known: int, crowding: float = DENSITY_PRIOR) -> float:
    """Bits of a serial match; ``crowding`` is how many same-make sales lie one edit from a
    typical sale of this make and serial length (measured by the tracer on the data)."""
    if kind == "partial":
        return PARTIAL_BITS_PER_CHAR * known - PARTIAL_OFFSET - 0.5 * max(0, missing - 3)
    if kind == "one-edit":
        return SERIAL_BITS[kind] - CROWDING_BITS * max(0.0, math.log2(crowding / DENSITY_PRIOR))
    return SERIAL_BITS[kind]


def weigh(
    kind: str,
    missing: int,
    known: int,
    recovery: Side,
    sale: Side,
    crowding: float = DENSITY_PRIOR,
) -> Evidence:
    """The weight of one candidate sale for one recovery."""
    weight = serial_bits(kind, missing, known, crowding)
    agreed: list[str] = []
    outcomes = {
        "make": compare_makes(recovery.make, sale.make),
        "model": compare_models(recovery.model, sale.model),
        "caliber": compare_calibers(recovery.caliber, sale.caliber),
        "type": compare_types(recovery.type, sale.type),
    }
    for field, outcome in outcomes.items():
        if outcome is None:
            continue
        weight += FIELD_BITS[field][outcome]
        if outcome == "agree":
            agreed.append(field)
    return Evidence(weight, kind, tuple(agreed))


def feasible(sold_on: date | None, recovered_on: date | None) -> bool:
    """A sale after the recovery cannot be where the recovered gun came from."""
    return sold_on is None or recovered_on is None or sold_on <= recovered_on


def probability(weight: float) -> float:
    """The weight as a probability of being the true sale, given the prior odds."""
    return 1.0 / (1.0 + math.pow(2.0, PRIOR_BITS - weight))


def choose(scored: list[tuple[float, str]]) -> tuple[float, str] | None:
    """The best (weight, acquisition) if it clears the bar and the runner-up by the margin."""
    if not scored:
        return None
    scored.sort(key=lambda item: (-item[0], item[1]))
    best = scored[0]
    if best[0] < MIN_WEIGHT:
        return None
    if len(scored) > 1 and scored[1][0] > best[0] - MARGIN:
        return None
    return best
