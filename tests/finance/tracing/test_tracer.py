"""The walk in SQL and the trace around it: hops, time order, the window, the cut, and the
same trace on Spark as on DuckDB."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger
from paridad.finance.tracing.diagram import render_svg
from paridad.finance.tracing.expand import Direction
from paridad.finance.tracing.tracer import trace
from paridad.i18n import Lang


def _book() -> Ledger:
    book = Ledger()
    book.pay("OTHER", "A", 500, hours=0)
    book.pay("SEED", "A", 1000, hours=1)
    book.pay("A", "B", 600, hours=2)
    book.pay("A", "C", 900, hours=3)
    book.pay(None, "C", 300, hours=3.5, type="cash_deposit")
    book.pay("B", "D", 600, hours=4)
    book.pay("C", "E", 1200, hours=5)
    book.pay("E", None, 1000, hours=6, type="cash_withdrawal")
    book.pay("Z", "A", 50, hours=0.5)  # paid in before the seed: not the seed's money
    book.pay("D", "SEED", 10, hours=0.2)  # before the seed paid: not part of the trace
    return book


def test_forward_walks_hop_by_hop_after_the_money_arrives(duckdb_engine: Engine) -> None:
    duckdb_engine.load("tx", _book().transactions())
    result = trace(duckdb_engine, ["SEED"], "forward", hops=3, method="fifo")
    hops = {(t.src, t.dst): t.hop for t in result.transfers}
    assert hops == {
        ("SEED", "A"): 1,
        ("A", "B"): 2,
        ("A", "C"): 2,
        ("B", "D"): 3,
        ("C", "E"): 3,
    }
    assert result.accounts["A"]["hop"] == 1 and result.accounts["E"]["hop"] == 3
    assert result.attributed_total == pytest.approx(1000)
    carried = {(t.src, t.dst): t.attributed_usd for t in result.transfers}
    assert carried[("A", "B")] == pytest.approx(50)  # OTHER's 500, Z's 50, then the seed's
    assert carried[("C", "E")] == pytest.approx(900)  # the seed's 900, then C's cash


def test_the_window_and_the_hop_limit_bound_the_walk(duckdb_engine: Engine) -> None:
    book = _book()
    duckdb_engine.load("tx", book.transactions())
    one = trace(duckdb_engine, ["SEED"], "forward", hops=1)
    assert [(t.src, t.dst) for t in one.transfers] == [("SEED", "A")]
    hour = 3600
    start = int(book.rows[0]["ts"])  # type: ignore[call-overload]
    narrow = trace(duckdb_engine, ["SEED"], "forward", hops=5, end=start + int(2.5 * hour))
    assert {(t.src, t.dst) for t in narrow.transfers} == {("SEED", "A"), ("A", "B")}


def test_backward_finds_the_origins(duckdb_engine: Engine) -> None:
    duckdb_engine.load("tx", _book().transactions())
    result = trace(duckdb_engine, ["E"], "backward", hops=2, method="fifo")
    assert {(t.src, t.dst) for t in result.transfers} == {("C", "E"), ("A", "C"), (None, "C")}
    # The walk stops at A, the last hop: the 900 it paid C are A's as far as this trace
    # goes, so A is an origin, as is the cash paid into C. A hop further looks behind A.
    assert result.origins == {"A": pytest.approx(900), "cash": pytest.approx(300)}
    further = trace(duckdb_engine, ["E"], "backward", hops=3, method="fifo")
    assert further.origins == {"SEED": pytest.approx(900), "cash": pytest.approx(300)}


def test_a_walk_that_would_pass_the_limit_stops_and_says_where(duckdb_engine: Engine) -> None:
    book = Ledger()
    book.pay("SEED", "HUB", 1000, hours=0)
    for i in range(30):
        book.pay("HUB", f"M{i}", 10, hours=1 + i)
    duckdb_engine.load("tx", book.transactions())
    result = trace(duckdb_engine, ["SEED"], "forward", hops=3, max_edges=10)
    assert result.cut_at_hop == 2
    assert len(result.transfers) == 1


def test_graph_and_diagram(duckdb_engine: Engine, tmp_path: Path) -> None:
    duckdb_engine.load("tx", _book().transactions())
    result = trace(duckdb_engine, ["SEED"], "forward", hops=3, method="proportional")
    result.write_graph(tmp_path / "g.json")
    graph = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert {e["tx_id"] for e in graph["edges"]} == {t.tx_id for t in result.transfers}
    assert {n["id"] for n in graph["nodes"]} >= {"SEED", "A", "B", "C", "D", "E"}
    words_in: dict[Lang, str] = {"es": "A dónde fue", "en": "Where the money"}
    for lang, words in words_in.items():
        svg = render_svg(result, lang)
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg")
        assert words in svg and "SEED" in svg and "{" not in svg


@pytest.mark.slow
def test_spark_traces_as_duckdb_does(duckdb_engine: Engine, spark_engine: Engine) -> None:
    table = _book().transactions()
    duckdb_engine.load("tx", table)
    spark_engine.load("tx", table)
    directions: dict[Direction, str] = {"forward": "SEED", "backward": "E"}
    for direction, seed in directions.items():
        expected = trace(duckdb_engine, [seed], direction, hops=3)
        got = trace(spark_engine, [seed], direction, hops=3)
        assert got.transfers == expected.transfers
        assert got.origins == expected.origins
