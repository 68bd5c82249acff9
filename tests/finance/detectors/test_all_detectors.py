"""Every detector on one ledger with every pattern planted in noise: each pattern is found by
its own detector, the look-alikes are not, and Spark gives DuckDB's findings exactly."""

from __future__ import annotations

import itertools

import pytest

from paridad.finance.detectors import all_detectors
from paridad.finance.detectors.base import Finding
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger

DAY = 24


def _ledger() -> Ledger:
    book = Ledger()
    book.account("MXDEST", "mx")
    book.account("MXFRONT", "mx")
    # A ring of four fronts: 90,000 USD round and back within days.
    ring = ["RING1", "RING2", "RING3", "RING4"]
    amount = 90_000.0
    for i, (a, b) in enumerate(zip(ring, ring[1:] + ring[:1], strict=True)):
        book.pay(a, b, amount, hours=10 + 30 * i)
        amount *= 0.98
    # A layering chain of five accounts, not closed.
    chain = ["CH1", "CH2", "CH3", "CH4", "CH5"]
    amount = 60_000.0
    for i, (a, b) in enumerate(itertools.pairwise(chain)):
        book.pay(a, b, amount, hours=200 + 20 * i)
        amount *= 0.97
    # A funnel: cash under 10,000 at six cities, then a wire to Mexico.
    total = 0.0
    for i in range(8):
        cash = 8_000 + 100 * i
        total += cash
        book.pay(
            None, "FUNNEL1", cash, hours=400 + 10 * i, type="cash_deposit", location=f"City {i % 6}"
        )
    book.pay("FUNNEL1", "MXDEST", total * 0.97, hours=500, type="wire")
    # Structuring at one branch, no fast exit.
    for i in range(4):
        book.pay(
            None,
            "STRUCT1",
            9_400 + 120 * i,
            hours=700 + 40 * i,
            type="cash_deposit",
            location="Laredo",
        )
    # Armoured-car cash wired to Mexico within hours.
    book.pay(None, "CASHBIZ", 150_000, hours=900, type="cash_deposit", location="El Paso")
    book.pay("CASHBIZ", "MXFRONT", 146_000, hours=905, type="wire")
    # Look-alikes: a shop's card takings, a business depositing varied cash at one branch,
    # a relay that keeps half the money.
    for i in range(40):
        book.pay(f"CUST{i}", "SHOP", 20 + i, hours=i, type="card")
    for i, cash in enumerate((300, 4_200, 9_900, 750, 2_600)):
        book.pay(None, "BAKERY", cash, hours=100 + 24 * i, type="cash_deposit", location="Nogales")
    book.pay("HALF1", "HALF2", 20_000, hours=50)
    book.pay("HALF2", "HALF3", 10_000, hours=60)
    book.pay("HALF3", "HALF4", 9_000, hours=70)
    return book


def _found(engine: Engine) -> list[Finding]:
    book = _ledger()
    engine.load("tx", book.transactions())
    engine.load("accounts", book.accounts())
    return scan(engine, all_detectors())


def _anchors(findings: list[Finding], detector: str) -> set[str]:
    return {f.anchor for f in findings if f.detector == detector}


def test_each_pattern_is_found_by_its_detector(duckdb_engine: Engine) -> None:
    found = _found(duckdb_engine)
    assert _anchors(found, "cycle") == {"RING1"}
    [cycle] = [f for f in found if f.detector == "cycle"]
    assert set(cycle.accounts) == {"RING1", "RING2", "RING3", "RING4"}
    assert len(cycle.transactions) == 4 and cycle.facts["accounts"] == 4
    assert _anchors(found, "stack") == {"CH1"}
    assert _anchors(found, "funnel") == {"FUNNEL1"}
    assert "STRUCT1" in _anchors(found, "structuring")
    assert _anchors(found, "rapid-pass-through") == {"CASHBIZ"}
    [rapid] = [f for f in found if f.detector == "rapid-pass-through"]
    assert rapid.facts["foreign"] == 1
    # The ring's relays are the cycle's, not a stack; the look-alikes raise nothing.
    flagged = {a for f in found for a in f.accounts}
    assert not flagged & {"SHOP", "BAKERY", "HALF1", "HALF2", "HALF3", "HALF4"}
    for f in found:
        for lang in ("es", "en"):
            assert "{" not in f.explain(lang)


def test_a_deposit_at_the_threshold_is_not_just_below_it(duckdb_engine: Engine) -> None:
    book = Ledger()
    for i in range(4):
        book.pay(None, "EXACT", 10_000, hours=30 * i, type="cash_deposit")
    duckdb_engine.load("tx", book.transactions())
    assert not [f for f in scan(duckdb_engine, all_detectors()) if f.detector == "structuring"]


@pytest.mark.slow
def test_spark_gives_the_same_findings_as_duckdb(
    duckdb_engine: Engine, spark_engine: Engine
) -> None:
    assert _found(spark_engine) == _found(duckdb_engine)
