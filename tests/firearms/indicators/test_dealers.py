"""Dealer trace rates: a binomial test plus a minimum count."""

from __future__ import annotations

from datetime import date

from paridad.firearms.indicators import dealers
from paridad.firearms.tables import load_rows
from tests.firearms.helpers import recovery, sale, trace

DAY = date(2020, 1, 6)


def test_binomial_tail() -> None:
    assert dealers.binomial_tail(0, 10, 0.1) == 1.0
    assert abs(dealers.binomial_tail(1, 1, 0.1) - 0.1) < 1e-12
    assert abs(dealers.binomial_tail(2, 3, 0.5) - 0.5) < 1e-12


def _world(hot_traces: int, hot_sales: int) -> object:
    acqs = [sale(DAY, dealer="HOT", purchaser=f"h{i}") for i in range(hot_sales)]
    acqs += [sale(DAY, dealer=f"D{i % 5}", purchaser=f"p{i}") for i in range(200)]
    traced = acqs[:hot_traces] + acqs[hot_sales : hot_sales + 4]
    recs = [recovery(date(2024, 1, 1)) for _ in traced]
    return load_rows(recs, acqs, [trace(r, a) for r, a in zip(recs, traced, strict=True)])


def test_a_hot_dealer_is_flagged() -> None:
    result = dealers.run(_world(8, 10))  # type: ignore[arg-type]
    top = result.rows[0]
    assert top["dealer_id"] == "HOT" and top["flagged"] and top["p_adjusted"] < 0.05
    assert sum(r["flagged"] for r in result.rows) == 1


def test_one_trace_at_a_small_shop_does_not_flag() -> None:
    result = dealers.run(_world(1, 1))  # type: ignore[arg-type]
    hot = next(r for r in result.rows if r["dealer_id"] == "HOT")
    assert hot["trace_rate"] == 1.0 and not hot["flagged"]
    assert dealers.MSG_TOO_FEW in {r.msgid for r in hot["reasons"]}
