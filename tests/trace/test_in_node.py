"""Tracing inside one node: traces stored as entities, markings most restrictive, re-runs idempotent."""

from __future__ import annotations

from typing import Any

from paridad.exchange.context import Exchange
from paridad.ingest.records import entity_from_dict
from paridad.node import Node
from paridad.trace.in_node import DATASET, IN_NODE, trace_id, trace_in_node
from tests.trace.trace_entities import mx_recoveries, us_sales


def load(ex: Exchange, items: list[dict[str, Any]]) -> None:
    records = [entity_from_dict(i, "local", "2026-01-01T00:00:00", "test") for i in items]
    with ex.db.transaction() as tx:
        tx.put_records(records)


def traces(ex: Exchange) -> dict[str, dict[str, list[str]]]:
    out = {}
    for record in ex.records(ex.entity_ids("FirearmTrace")):
        props: dict[str, list[str]] = {}
        for row in record.rows:
            props.setdefault(row[3], []).append(row[5])
        out[record.id] = props
    return out


def test_in_node_tracing_stores_one_trace_per_traced_recovery(node: Node) -> None:
    with Exchange(node) as ex:
        load(ex, us_sales(6) + mx_recoveries(4, untraceable=2))
        result = trace_in_node(ex)
        assert (result.recoveries, result.acquisitions) == (6, 6)
        assert result.traced == 4 and result.untraced == 2
        stored = traces(ex)
        assert set(stored) == {trace_id(IN_NODE, f"mx-recovery-{i}") for i in range(4)}
        for i in range(4):
            props = stored[trace_id(IN_NODE, f"mx-recovery-{i}")]
            assert props["recovery"] == [f"mx-recovery-{i}"]
            assert props["acquisition"] == [f"us-sale-{i}"]  # the sale of that very gun
            assert props["method"] == ["in-node"]
            assert 0 < float(props["score"][0]) <= 1
            assert int(props["timeToCrimeDays"][0]) > 0  # sold 2022, recovered 2025
        matched = {p["serialMatch"][0] for p in stored.values()}
        assert "look-alike" in matched and matched <= {
            "exact",
            "look-alike",
            "one-edit",
            "two-edits",
            "partial",
        }
        assert result.by_serial_match and sum(result.by_serial_match.values()) == 4


def test_a_trace_is_marked_as_restrictively_as_what_it_joins(node: Node) -> None:
    with Exchange(node) as ex:
        load(ex, us_sales(1) + mx_recoveries(1, untraceable=0))
        trace_in_node(ex)
        (record,) = ex.records(ex.entity_ids("FirearmTrace"))
        marks = record.markings
        # Recovery: H1 AMBER until 2031; sale: H0 GREEN until 2030-06-30.
        assert marks.handling == "H1" and marks.tlp == "AMBER"
        assert marks.retain_until.isoformat() == "2030-06-30"
        assert marks.origin_country == "MX"  # this (Mexican) node's work, on its recovery


def test_re_running_is_idempotent_and_drops_traces_that_no_longer_hold(node: Node) -> None:
    with Exchange(node) as ex:
        load(ex, us_sales(3) + mx_recoveries(3, untraceable=0))
        first = trace_in_node(ex)
        before = traces(ex)
        statements = ex.db.query("SELECT COUNT(*) FROM statements WHERE dataset = ?", (DATASET,))[
            0
        ][0]
        second = trace_in_node(ex)
        assert second.to_dict() == first.to_dict() and traces(ex) == before
        assert (
            ex.db.query("SELECT COUNT(*) FROM statements WHERE dataset = ?", (DATASET,))[0][0]
            == statements
        )
        # The sale behind one trace is gone: its trace goes too on the next run.
        with ex.db.transaction() as tx:
            tx.purge("us-sale-2", "local")
        third = trace_in_node(ex)
        assert third.traced == 2 and third.removed == 1
        assert trace_id(IN_NODE, "mx-recovery-2") not in traces(ex)
        runs = [e for e in ex.audit.find(kind="match", limit=100) if e.details.get("trace")]
        in_order = sorted(runs, key=lambda e: e.idx)
        assert [e.details["traced"] for e in in_order] == [3, 3, 2]


def test_a_node_with_nothing_to_trace_says_so(node: Node) -> None:
    with Exchange(node) as ex:
        load(ex, mx_recoveries(2, untraceable=0))
        result = trace_in_node(ex)
        assert (result.traced, result.untraced, result.acquisitions) == (0, 2, 0)
        assert traces(ex) == {}
