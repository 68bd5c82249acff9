"""Scatter-gather: a split sum relayed to one destination fires once; slow or partial relays
and one intermediary short of the minimum do not."""

from __future__ import annotations

import random

from paridad.finance.detectors.base import Finding
from paridad.finance.detectors.runner import scan
from paridad.finance.detectors.scatter_gather import ScatterGather, ScatterGatherParams
from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger

DAY = 24.0
MIN = ScatterGatherParams().min_intermediaries


def _noise(book: Ledger, rng: random.Random) -> None:
    people = [f"p{i:02d}" for i in range(40)]
    for _ in range(80):
        a, b = rng.sample(people, 2)
        book.pay(a, b, round(rng.lognormvariate(6.5, 0.8), 2), hours=rng.uniform(0, 40 * DAY))
    for i in range(12):  # payroll: money in from clients, out to staff, never the same sums
        book.pay(f"client{i}", "firm", 9_000 + 100 * i, hours=i * DAY)
        book.pay("firm", f"emp{i}", 2_000, hours=i * DAY + 30)


def _ledger(mids: int = 4) -> tuple[Ledger, dict[str, list[str]]]:
    rng = random.Random(3)
    book = Ledger()
    _noise(book, rng)
    legs: dict[str, list[str]] = {"in": [], "out": []}
    for i in range(mids):
        start = 10 * DAY + i * 6
        legs["in"].append(book.pay("boss", f"mid{i}", 5_000, hours=start))
        legs["out"].append(book.pay(f"mid{i}", "front", 4_900, hours=start + 12 + 8 * i))
    # A slow relay: the same shape, but each hop waits nine days (beyond the 7-day window).
    for i in range(4):
        book.pay("boss2", f"slow{i}", 5_000, hours=15 * DAY + i)
        book.pay(f"slow{i}", "front2", 4_900, hours=24 * DAY + i)
    # A partial relay: each intermediary passes on only 40 %.
    for i in range(4):
        book.pay("boss3", f"part{i}", 5_000, hours=5 * DAY + i)
        book.pay(f"part{i}", "front3", 2_000, hours=5 * DAY + i + 10)
    return book, legs


def _no_braces(finding: Finding) -> None:
    for lang in ("es", "en"):
        text = finding.explain(lang)
        assert "{" not in text and "}" not in text, text


def test_scatter_gather_fires_once_on_the_gather_point(duckdb_engine: Engine) -> None:
    book, legs = _ledger()
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [ScatterGather()])
    assert [f.anchor for f in found] == ["front"]
    finding = found[0]
    assert finding.transactions == tuple(sorted(legs["in"] + legs["out"]))
    assert finding.accounts == tuple(sorted(["boss", "front", *(f"mid{i}" for i in range(4))]))
    assert finding.facts["intermediaries"] == 4
    assert finding.facts["total_usd"] == 20_000
    assert finding.facts["forwarded_pct"] == 98
    assert 0 < float(finding.facts["hours"]) < 7 * 24
    assert 0 < finding.score <= 1
    _no_braces(finding)


def test_one_intermediary_short_does_not_fire(duckdb_engine: Engine) -> None:
    book, _ = _ledger(mids=MIN - 1)
    duckdb_engine.load("tx", book.transactions())
    assert [f.anchor for f in scan(duckdb_engine, [ScatterGather()])] == []


def test_exactly_the_minimum_fires(duckdb_engine: Engine) -> None:
    book, _ = _ledger(mids=MIN)
    duckdb_engine.load("tx", book.transactions())
    assert [f.anchor for f in scan(duckdb_engine, [ScatterGather()])] == ["front"]
