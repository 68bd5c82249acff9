"""The network: purchasers meet through guns seized together and through a node's links."""

from __future__ import annotations

from datetime import date

from paridad.firearms.indicators import network
from paridad.firearms.tables import load_rows
from tests.firearms.helpers import recovery, sale, trace

DAY = date(2024, 3, 4)


def test_guns_seized_together_join_their_purchasers_but_dealers_do_not() -> None:
    a1, a2 = sale(DAY, purchaser="P1"), sale(DAY, purchaser="P2")
    a3 = sale(DAY, purchaser="P3")  # same dealer, traced apart: a component of its own
    r1 = recovery(date(2024, 5, 1), case_number="FED/1")
    r2 = recovery(date(2024, 5, 1), case_number="FED/1")
    r3 = recovery(date(2024, 5, 1), case_number="FED/2")
    links = [{"source_id": "P1", "target_id": "BROKER", "relation": "Associate"}]
    parties = [{"id": "BROKER", "name": "El Broker", "schema": "Person"}]
    tables = load_rows(
        [r1, r2, r3], [a1, a2, a3], [trace(r1, a1), trace(r2, a2), trace(r3, a3)], links, parties
    )
    result = network.run(tables)
    top = result.rows[0]
    assert top["purchasers"] == 2 and top["recoveries"] == 2 and top["related"] == 1
    assert set(top["members"]) == {"P1", "P2"}
    assert len(result.rows) == 2 and result.rows[1]["purchasers"] == 1
    kinds = {n["id"]: n["kind"] for n in result.extra["nodes"]}
    assert kinds["D1"] == "dealer" and kinds["BROKER"] == "person"
