"""Weights of evidence, the date rule, and when a best candidate is named."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from paridad.trace.calibers import caliber_key
from paridad.trace.makes import make_key
from paridad.trace.models import model_key, type_key
from paridad.trace.scoring import (
    DENSITY_PRIOR,
    MARGIN,
    MIN_WEIGHT,
    Side,
    choose,
    feasible,
    probability,
    serial_bits,
    weigh,
)


def side(make: str = "", model: str = "", caliber: str = "", kind: str = "") -> Side:
    return Side(make_key(make), model_key(model), caliber_key(caliber), type_key(kind))


GLOCK = side("Glock", "G17", "9mm", "pistol")
GLOCK_ES = side("GLOCK", "G17 GEN5", "9 MM", "PISTOLA")
RUGER = side("Ruger", "LCP", ".380 ACP", "pistol")
NOTHING = side()


def test_serial_weights_order_sensibly() -> None:
    exact = serial_bits("exact", 0, 8)
    look_alike = serial_bits("look-alike", 0, 8)
    one_edit = serial_bits("one-edit", 1, 8)
    assert exact > look_alike > one_edit > 0
    # A fragment says more the more characters were read, less the more were lost.
    assert serial_bits("partial", 4, 6) > serial_bits("partial", 4, 4)
    assert serial_bits("partial", 6, 4) < serial_bits("partial", 3, 4)
    assert serial_bits("partial", 3, 7) < one_edit


def test_crowding_lowers_one_edit_weight_monotonically() -> None:
    levels = [DENSITY_PRIOR / 4, DENSITY_PRIOR, 0.02, 0.05, 0.1, 0.5, 1.0, 4.0]
    weights = [serial_bits("one-edit", 1, 7, c) for c in levels]
    assert weights[0] == weights[1] == serial_bits("one-edit", 1, 7)  # no bonus below the prior
    assert all(a > b for a, b in itertools.pairwise(weights[1:]))
    # Crowding is about chance neighbours one edit away: exact and look-alike ignore it.
    assert serial_bits("exact", 0, 7, 4.0) == serial_bits("exact", 0, 7)
    assert serial_bits("look-alike", 0, 7, 4.0) == serial_bits("look-alike", 0, 7)


def test_agreeing_fields_add_and_contradicting_ones_subtract() -> None:
    alone = weigh("one-edit", 1, 7, NOTHING, GLOCK).weight
    agreed = weigh("one-edit", 1, 7, GLOCK_ES, GLOCK)
    against = weigh("one-edit", 1, 7, RUGER, GLOCK)
    assert alone == serial_bits("one-edit", 1, 7)  # missing fields are no evidence
    assert agreed.weight > alone > against.weight
    assert agreed.serial_match == "one-edit"
    assert set(agreed.agreed) == {"make", "model", "caliber", "type"}
    assert against.agreed == ("type",)


def test_what_clears_the_bar() -> None:
    # An exact serial alone names the sale; one edit needs its make and model to agree.
    assert weigh("exact", 0, 7, NOTHING, GLOCK).weight >= MIN_WEIGHT
    assert weigh("one-edit", 1, 7, NOTHING, GLOCK).weight < MIN_WEIGHT
    assert weigh("one-edit", 1, 7, GLOCK_ES, GLOCK).weight >= MIN_WEIGHT
    # An equal serial on a gun of another make, model and calibre is a different gun.
    assert weigh("exact", 0, 7, RUGER, GLOCK).weight < MIN_WEIGHT
    # In a crowded serial space one edit is not enough even with every field agreeing.
    assert weigh("one-edit", 1, 7, GLOCK_ES, GLOCK, crowding=10.0).weight < MIN_WEIGHT


def test_feasible_rejects_a_sale_after_the_recovery() -> None:
    recovered = date(2025, 5, 28)
    assert feasible(date(2020, 1, 1), recovered)
    assert feasible(recovered, recovered)  # sold and recovered the same day
    assert not feasible(date(2025, 5, 29), recovered)
    assert feasible(None, recovered) and feasible(date(2030, 1, 1), None)


def test_probability_is_a_monotone_map_to_zero_one() -> None:
    values = [probability(w) for w in (-20.0, 0.0, MIN_WEIGHT, 13.0, 30.0)]
    assert all(0.0 < v < 1.0 for v in values)
    assert values == sorted(values) and len(set(values)) == len(values)
    assert probability(10.0) == pytest.approx(0.5)  # at the prior odds, even


def test_choose_names_the_clear_best() -> None:
    assert choose([(12.0, "a2"), (20.0, "a1"), (11.0, "a3")]) == (20.0, "a1")
    assert choose([(MIN_WEIGHT, "a1")]) == (MIN_WEIGHT, "a1")
    # Exactly MARGIN ahead is clear enough.
    assert choose([(15.0, "a1"), (15.0 - MARGIN, "a2")]) == (15.0, "a1")
    assert choose([]) is None


def test_choose_refuses_ties_and_weak_candidates() -> None:
    assert choose([(15.0, "a1"), (15.0, "a2")]) is None
    assert choose([(15.0, "a1"), (15.0 - MARGIN + 0.01, "a2")]) is None
    assert choose([(MIN_WEIGHT - 0.01, "a1")]) is None
    assert choose([(MIN_WEIGHT - 0.5, "a1"), (-5.0, "a2")]) is None
    # The order the candidates come in changes nothing.
    assert choose([(15.0, "b"), (15.5, "a")]) is None
    assert choose([(15.5, "a"), (15.0, "b")]) is None
