"""Fan-in and fan-out: planted bursts fire once, shops, tenants and payroll never do."""

from __future__ import annotations

import random

from paridad.finance.detectors.base import Finding
from paridad.finance.detectors.fan import FanIn, FanOut, FanParams
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger

DAY = 24.0


def _noise(book: Ledger, rng: random.Random, n: int = 60) -> None:
    """P2P payments between random people over two months (lognormal amounts)."""
    people = [f"p{i:02d}" for i in range(40)]
    for _ in range(n):
        a, b = rng.sample(people, 2)
        book.pay(a, b, round(rng.lognormvariate(5.5, 0.8), 2), hours=rng.uniform(0, 60 * DAY))


def _benign(book: Ledger, rng: random.Random) -> None:
    # A shop's takings: 25 customers paying similar amounts by card within days.
    for i in range(25):
        book.pay(f"cust{i}", "shop", 400 + 10 * i, hours=5 * DAY + i * 3, type="card")
    # A landlord's tenants: the same 8 people pay the same rent every month.
    for month in range(3):
        for i in range(8):
            book.pay(f"tenant{i}", "landlord", 1_200, hours=month * 30 * DAY + i * 5)
    # Payroll: the same 10 employees paid every month (mirror look-alike of a fan-out).
    for month in range(3):
        for i in range(10):
            book.pay("firm", f"emp{i}", 2_000 + 50 * i, hours=month * 30 * DAY + 2)
    _noise(book, rng)


def _fan_in_ledger(mules: int = 8) -> tuple[Ledger, list[str]]:
    rng = random.Random(7)
    book = Ledger()
    _benign(book, rng)
    planted = [
        book.pay(
            f"mule{i}", "front", round(3_000 * rng.uniform(0.85, 1.15), 2), hours=40 * DAY + i * 9
        )
        for i in range(mules)
    ]
    return book, planted


def _fan_out_ledger(mules: int = 9) -> tuple[Ledger, list[str]]:
    rng = random.Random(11)
    book = Ledger()
    book.account("hub", "us")
    for i in range(0, mules, 3):
        book.account(f"dest{i}", "cn")
    _benign(book, rng)
    planted = [
        book.pay("hub", f"dest{i}", round(rng.uniform(800, 1_600), 2), hours=20 * DAY + i * 7)
        for i in range(mules)
    ]
    return book, planted


def _no_braces(finding: Finding) -> None:
    for lang in ("es", "en"):
        text = finding.explain(lang)
        assert "{" not in text and "}" not in text, text
        assert finding.anchor in text


def test_fan_in_fires_once_on_the_mules(duckdb_engine: Engine) -> None:
    book, planted = _fan_in_ledger()
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [FanIn()])
    assert [f.anchor for f in found] == ["front"]
    finding = found[0]
    assert finding.detector == "fan-in" and finding.version == "1"
    assert finding.transactions == tuple(sorted(planted))
    assert finding.accounts == tuple(sorted(["front", *(f"mule{i}" for i in range(8))]))
    facts = finding.facts
    assert facts["sources"] == 8
    assert facts["days"] == 3
    assert facts["repeat_pct"] == 0
    assert 0 < int(facts["cv_pct"]) <= 15
    assert 20_000 <= int(facts["total_usd"]) <= 28_000
    assert 0 < finding.score <= 1
    _no_braces(finding)


def test_fan_in_one_source_short_does_not_fire(duckdb_engine: Engine) -> None:
    book, _ = _fan_in_ledger(mules=5)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [FanIn()]) == []


def test_fan_in_threshold_is_a_parameter(duckdb_engine: Engine) -> None:
    book, _ = _fan_in_ledger(mules=5)
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [FanIn(FanParams(min_parties=5))])
    assert [f.anchor for f in found] == ["front"]


def test_fan_in_ignores_regular_tenants_when_allowed_none(duckdb_engine: Engine) -> None:
    """The tenants would fire on count, amount and total alone; regularity is what stops them."""
    book, _ = _fan_in_ledger()
    duckdb_engine.load("tx", book.transactions())
    loose = FanIn(FanParams(max_repeat_share=1.0))
    assert "landlord" in {f.anchor for f in scan(duckdb_engine, [loose])}
    assert "landlord" not in {f.anchor for f in scan(duckdb_engine, [FanIn()])}


def test_fan_in_varied_amounts_do_not_fire(duckdb_engine: Engine) -> None:
    book = Ledger()
    for i in range(10):
        book.pay(f"c{i}", "firm", 500 * (i + 1) ** 1.5, hours=i * 10)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [FanIn()]) == []


def test_fan_out_fires_once_and_counts_foreign_destinations(duckdb_engine: Engine) -> None:
    book, planted = _fan_out_ledger()
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [FanOut()])
    assert [f.anchor for f in found] == ["hub"]  # payroll ("firm") does not fire
    finding = found[0]
    assert finding.transactions == tuple(sorted(planted))
    assert finding.accounts == tuple(sorted(["hub", *(f"dest{i}" for i in range(9))]))
    assert finding.facts["destinations"] == 9
    assert finding.facts["foreign"] == 3
    assert finding.facts["repeat_pct"] == 0
    _no_braces(finding)


def test_fan_out_one_destination_short_does_not_fire(duckdb_engine: Engine) -> None:
    book, _ = _fan_out_ledger(mules=5)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [FanOut()]) == []


def test_fan_out_payroll_fires_only_without_the_regularity_test(duckdb_engine: Engine) -> None:
    book, _ = _fan_out_ledger()
    duckdb_engine.load("tx", book.transactions())
    loose = FanOut(FanParams(max_cv=0.5, max_repeat_share=1.0))
    assert "firm" in {f.anchor for f in scan(duckdb_engine, [loose])}


def test_one_burst_split_by_buckets_gives_one_alert(duckdb_engine: Engine) -> None:
    """A burst straddling bucket edges is seen at both offsets but reported once."""
    book = Ledger()
    planted = [book.pay(f"m{i}", "front", 2_000 + i, hours=i * 12) for i in range(12)]
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [FanIn()])
    assert len(found) == 1
    assert set(found[0].transactions) <= set(planted)
    assert int(found[0].facts["sources"]) >= 6


def test_fan_in_is_not_hidden_by_unrelated_large_payments(duckdb_engine: Engine) -> None:
    """Three big invoices paid to the front in the same days stay out of the burst."""
    book, planted = _fan_in_ledger()
    for i in range(3):
        book.pay(f"client{i}", "front", 55_000 + 1_000 * i, hours=40 * DAY + 5 + i * 20)
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [FanIn()])
    assert [f.anchor for f in found] == ["front"]
    assert found[0].transactions == tuple(sorted(planted))
    assert found[0].facts["sources"] == 8
