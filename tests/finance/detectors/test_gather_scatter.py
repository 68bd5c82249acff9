"""Gather-scatter: a hub that collects and pays most of it on to others fires once; a business
keeping its takings, refunds to the payers and one source short do not."""

from __future__ import annotations

import random

from paridad.finance.detectors.base import Finding
from paridad.finance.detectors.gather_scatter import GatherScatter, GatherScatterParams
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger

DAY = 24.0
MIN = GatherScatterParams().min_sources


def _noise(book: Ledger, rng: random.Random) -> None:
    people = [f"p{i:02d}" for i in range(40)]
    for _ in range(80):
        a, b = rng.sample(people, 2)
        book.pay(a, b, round(rng.lognormvariate(6.0, 0.8), 2), hours=rng.uniform(0, 40 * DAY))
    # A business: customers pay it, it pays suppliers a fifth of its takings.
    for i in range(6):
        book.pay(f"cust{i}", "store", 9_000, hours=3 * DAY + i * 5)
    for i in range(4):
        book.pay("store", f"supplier{i}", 2_500, hours=6 * DAY + i)
    # Refunds: a hub paying the money back to the very accounts that paid it.
    for i in range(4):
        book.pay(f"buyer{i}", "seller", 9_000, hours=2 * DAY + i)
        book.pay("seller", f"buyer{i}", 8_900, hours=4 * DAY + i)


def _ledger(sources: int = 4, sinks: int = 4) -> tuple[Ledger, list[str]]:
    rng = random.Random(5)
    book = Ledger()
    _noise(book, rng)
    planted = [book.pay(f"src{i}", "hub", 9_000, hours=20 * DAY + i * 15) for i in range(sources)]
    share = sources * 9_000 / sinks * 0.97
    planted += [
        book.pay("hub", f"sink{i}", round(share, 2), hours=24 * DAY + i * 15) for i in range(sinks)
    ]
    return book, planted


def _no_braces(finding: Finding) -> None:
    for lang in ("es", "en"):
        text = finding.explain(lang)
        assert "{" not in text and "}" not in text, text


def test_gather_scatter_fires_once_on_the_hub(duckdb_engine: Engine) -> None:
    book, planted = _ledger()
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [GatherScatter()])
    assert [f.anchor for f in found] == ["hub"]
    finding = found[0]
    assert finding.transactions == tuple(sorted(planted))
    expected = ["hub", *(f"src{i}" for i in range(4)), *(f"sink{i}" for i in range(4))]
    assert finding.accounts == tuple(sorted(expected))
    assert finding.facts["sources"] == 4
    assert finding.facts["destinations"] == 4
    assert finding.facts["in_usd"] == 36_000
    assert finding.facts["out_pct"] == 97
    assert 0 < finding.score <= 1
    _no_braces(finding)


def test_one_source_short_does_not_fire(duckdb_engine: Engine) -> None:
    book, _ = _ledger(sources=MIN - 1)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [GatherScatter()]) == []


def test_too_few_destinations_does_not_fire(duckdb_engine: Engine) -> None:
    book, _ = _ledger(sinks=GatherScatterParams().min_destinations - 1)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [GatherScatter()]) == []
