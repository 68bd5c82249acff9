"""FIFO and proportional attribution on a ledger worked out by hand, and the invariants any
ledger keeps: no transfer carries more than its amount, and nothing is created."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.finance.tracing.attribution import (
    CASH,
    OWN,
    Transfer,
    backward,
    forward,
    funding,
)


def _ledger() -> list[Transfer]:
    """A holds 500 of someone else's before the seed pays it 1,000; C also takes cash."""
    return [
        Transfer("t1", 0, "OTHER", "A", 500),
        Transfer("t2", 1, "SEED", "A", 1000),
        Transfer("t3", 2, "A", "B", 600),
        Transfer("t4", 3, "A", "C", 900),
        Transfer("t6", 4, None, "C", 300),
        Transfer("t5", 5, "B", "D", 600),
        Transfer("t7", 6, "C", "E", 1200),
    ]


WITHIN = {"SEED", "A", "B", "C", "D", "E"}


def test_fifo_spends_the_oldest_money_first() -> None:
    carried = forward(_ledger(), {"SEED"}, WITHIN, "fifo")
    # A's first 600 out are OTHER's 500 and 100 of the seed's; the next 900 are the seed's.
    assert carried["t3"] == pytest.approx(100)
    assert carried["t4"] == pytest.approx(900)
    assert carried["t5"] == pytest.approx(100)
    assert carried["t7"] == pytest.approx(900)  # C pays the seed's 900 before the cash


def test_proportional_takes_the_same_share_of_every_lot() -> None:
    carried = forward(_ledger(), {"SEED"}, WITHIN, "proportional")
    assert carried["t3"] == pytest.approx(400)  # 600 of 1,500, two thirds the seed's
    assert carried["t4"] == pytest.approx(600)  # the rest of A: 300 OTHER, 600 seed
    assert carried["t7"] == pytest.approx(600)


def test_backward_names_the_origins_of_what_reached_the_seed() -> None:
    reached, origins = backward(_ledger(), {"E"}, WITHIN - {"SEED"}, "fifo")
    assert reached["t7"] == pytest.approx(1200)
    assert reached["t4"] == pytest.approx(900) and reached["t6"] == pytest.approx(300)
    assert reached["t2"] == pytest.approx(900) and "t1" not in reached
    # SEED and OTHER are beyond the walk here: their money is an origin, as is the cash.
    assert origins == {CASH: pytest.approx(300), "SEED": pytest.approx(900)}

    _, shared = backward(_ledger(), {"E"}, WITHIN - {"SEED"}, "proportional")
    assert shared["OTHER"] == pytest.approx(300) and shared["SEED"] == pytest.approx(600)


def test_money_paid_beyond_what_arrived_is_the_accounts_own() -> None:
    paid = funding([Transfer("in", 0, "X", "A", 100), Transfer("out", 1, "A", "B", 250)], "fifo")
    assert paid["out"] == {"in": pytest.approx(100), OWN: pytest.approx(150)}


def test_money_cannot_leave_before_it_arrives() -> None:
    ledger = [Transfer("early", 0, "A", "B", 100), Transfer("seed", 5, "SEED", "A", 100)]
    carried = forward(ledger, {"SEED"}, {"SEED", "A", "B"}, "fifo")
    assert "early" not in carried


_accounts = st.sampled_from(["SEED", "A", "B", "C"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(_accounts, _accounts, st.integers(1, 5_000), st.integers(0, 50)),
        min_size=1,
        max_size=25,
    ),
    st.sampled_from(["fifo", "proportional"]),
)
def test_no_transfer_carries_more_than_its_amount(
    rows: list[tuple[str, str, int, int]], method: str
) -> None:
    ledger = [
        Transfer(f"t{i}", ts, src, dst, float(amount))
        for i, (src, dst, amount, ts) in enumerate(rows)
        if src != dst
    ]
    accounts = {"SEED", "A", "B", "C"}
    carried = forward(ledger, {"SEED"}, accounts, method)  # type: ignore[arg-type]
    by_id = {t.tx_id: t for t in ledger}
    for tx, value in carried.items():
        assert 0 < value <= by_id[tx].amount + 1e-6
    paid_by_seed = sum(t.amount for t in ledger if t.src == "SEED")
    # What leaves the non-seed accounts as the seed's money never exceeds what they got.
    for account in accounts - {"SEED"}:
        got = sum(carried.get(t.tx_id, 0.0) for t in ledger if t.dst == account)
        gave = sum(carried.get(t.tx_id, 0.0) for t in ledger if t.src == account)
        assert gave <= got + 1e-6
    assert sum(carried.get(t.tx_id, 0.0) for t in ledger if t.src == "SEED") == pytest.approx(
        paid_by_seed
    )
