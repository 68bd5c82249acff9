"""The runner: shared tables once, findings with their facts, members and rule, sorted."""

from __future__ import annotations

from typing import ClassVar

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger


class BigRelay(Detector):
    """Accounts that passed on a payment of at least 5,000 USD (a test detector)."""

    name: ClassVar[str] = "big-relay"
    version: ClassVar[str] = "1"
    title: ClassVar[str] = "Big relay"
    rule: ClassVar[str] = "{anchor} passed on {relays} payments."
    requires: ClassVar[tuple[str, ...]] = ("forwarding",)

    def alerts_sql(self) -> str:
        return """
            SELECT 'big-relay:' || via AS alert_id, via AS anchor,
                   least(1.0, count(*) / 2.0) AS score, count(*) AS relays
            FROM forwarding WHERE a_in >= 5000 GROUP BY via
        """

    def members_sql(self) -> str:
        return """
            SELECT 'big-relay:' || via AS alert_id, in_tx AS tx_id FROM forwarding
            WHERE a_in >= 5000
            UNION SELECT 'big-relay:' || via, out_tx FROM forwarding WHERE a_in >= 5000
        """


def _ledger() -> tuple[Ledger, dict[str, str]]:
    book = Ledger()
    tx = {
        "in1": book.pay("a", "b", 9000, hours=0),
        "out1": book.pay("b", "c", 8800, hours=5),
        "in2": book.pay("d", "e", 6000, hours=1),
        "out2": book.pay("e", "f", 5900, hours=30),
        "late": book.pay("e", "g", 5000, hours=24 * 9),  # after the relay window
        "small": book.pay("x", "y", 900, hours=0),
    }
    book.pay("y", "z", 850, hours=1)  # too small to be a relay
    return book, tx


def test_scan_builds_findings_with_members_and_rule(duckdb_engine: Engine) -> None:
    book, tx = _ledger()
    duckdb_engine.load("tx", book.transactions())
    steps: list[str] = []
    found = scan(duckdb_engine, [BigRelay()], progress=lambda step, n, s: steps.append(step))
    assert steps == ["forwarding", "big-relay"]
    assert [f.anchor for f in found] == ["b", "e"]
    first = found[0]
    assert first.transactions == tuple(sorted((tx["in1"], tx["out1"])))
    assert first.accounts == ("a", "b", "c")
    assert first.facts == {"relays": 1}
    assert first.explain("en") == "b passed on 1 payments."
    assert first.as_record()["explanation"]["en"] == "b passed on 1 payments."
    assert tx["late"] not in found[1].transactions


def test_scan_with_nothing_found_returns_nothing(duckdb_engine: Engine) -> None:
    book = Ledger()
    book.pay("a", "b", 100, hours=0)
    duckdb_engine.load("tx", book.transactions())
    assert scan(duckdb_engine, [BigRelay()]) == []
