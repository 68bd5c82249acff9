"""Bipartite blocks: several accounts each paying the same several accounts fire once, named by
the smallest destination; payroll hubs and a shared single payee do not."""

from __future__ import annotations

import random

from paridad.finance.detectors.base import Finding
from paridad.finance.detectors.bipartite import Bipartite
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger

DAY = 24.0


def _noise(book: Ledger, rng: random.Random) -> None:
    people = [f"p{i:02d}" for i in range(60)]
    for _ in range(80):
        a, b = rng.sample(people, 2)
        book.pay(a, b, round(rng.lognormvariate(6.5, 0.8), 2), hours=rng.uniform(0, 40 * DAY))
    # Payroll: two firms pay the same 20 contractors (too many destinations to be a block).
    for firm in ("firmA", "firmB"):
        for i in range(20):
            book.pay(firm, f"contractor{i:02d}", 3_000, hours=12 * DAY + i)
    # Two flatmates paying the same single landlord: one destination is not a block.
    for mate in ("mate1", "mate2"):
        book.pay(mate, "landlord", 1_500, hours=2 * DAY)


def _ledger(sources: int = 3, destinations: int = 3) -> tuple[Ledger, list[str]]:
    rng = random.Random(9)
    book = Ledger()
    _noise(book, rng)
    planted = [
        book.pay(
            f"shell{s}",
            f"co{d}",
            round(4_000 * rng.uniform(0.9, 1.1), 2),
            hours=20 * DAY + s * 10 + d * 3,
        )
        for s in range(sources)
        for d in range(destinations)
    ]
    return book, planted


def _no_braces(finding: Finding) -> None:
    for lang in ("es", "en"):
        text = finding.explain(lang)
        assert "{" not in text and "}" not in text, text


def test_block_fires_once_named_by_its_smallest_destination(duckdb_engine: Engine) -> None:
    book, planted = _ledger()
    duckdb_engine.load("tx", book.transactions())
    found = scan(duckdb_engine, [Bipartite()])
    assert [f.anchor for f in found] == ["co0"]
    finding = found[0]
    assert finding.transactions == tuple(sorted(planted))
    expected = [*(f"shell{i}" for i in range(3)), *(f"co{i}" for i in range(3))]
    assert finding.accounts == tuple(sorted(expected))
    assert finding.facts["sources"] == 3
    assert finding.facts["destinations"] == 3
    assert 0 < finding.score <= 1
    _no_braces(finding)


def test_a_single_shared_destination_is_not_a_block(duckdb_engine: Engine) -> None:
    book, _ = _ledger(destinations=1)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [Bipartite()]) == []


def test_a_single_source_is_not_a_block(duckdb_engine: Engine) -> None:
    book, _ = _ledger(sources=1)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [Bipartite()]) == []
