"""Traces from hit/no-hit: a confirmed serial hit, its sale disclosed in step two, a trace kept."""

from __future__ import annotations

from typing import Any

import click
import orjson
import pytest
from click.testing import CliRunner

from paridad.cli.trace_request_commands import add_trace_subcommands
from paridad.errors import ParidadError
from paridad.exchange.workflows import matching
from paridad.exchange.workflows.recall import recall
from paridad.exchange.workflows.requests import get_request, send_rfi
from paridad.trace.from_disclosure import (
    DATASET,
    HIT_NO_HIT,
    MSG_NOT_SERIAL_DISCLOSURE,
    answer_serial_disclosure,
    disclosure_records,
    trace_disclosed,
)
from paridad.trace.in_node import trace_id
from tests.exchange.conftest import Pair, load, pair_nodes
from tests.trace.trace_entities import mx_recoveries, serial, us_sales

__all__ = ["pair_nodes"]

PURPOSE = "firearms-trafficking"
# mx-gun-2 is read exactly as sold (us-gun-2); mx-gun-1 lost its last character, so hit/no-hit
# cannot find it; mx-gun-3 was never sold in the US.
TRACED = 2


def _serial_hits(p: Pair) -> dict[str, matching.Hit]:
    """Run hit/no-hit from Mexico and return the serial hits by Mexican firearm."""
    load(p.mx, mx_recoveries(3, untraceable=1))
    load(p.us, us_sales(5))
    run = matching.start_match(p.mx.ex, p.us.name, PURPOSE, "FGR/CORT/2026/001")
    p.flush()
    assert matching.process_matches(p.us.ex) == 1
    p.flush()
    assert matching.process_matches(p.mx.ex) == 1
    return {h.entity_id: h for h in matching.list_hits(p.mx.ex, run) if h.kind == "serial"}


def _disclose(p: Pair, hit: matching.Hit) -> str:
    """Confirm the hit, ask for the record behind it, have the US node disclose it."""
    matching.judge_hit(p.mx.ex, hit.id, "confirmed", "misma marca y serie")
    rfi = matching.request_disclosure(p.mx.ex, hit.id, "Primera venta del arma asegurada")
    p.flush()
    answer_serial_disclosure(p.us.ex, rfi)
    p.flush()
    return rfi


def _props(p: Pair, entity_id: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for record in p.mx.ex.records([entity_id]):
        for row in record.rows:
            out.setdefault(row[3], []).append(row[5])
    return out


def test_a_disclosed_serial_hit_is_traced_to_its_sale(pair_nodes: Pair) -> None:
    p = pair_nodes
    hits = _serial_hits(p)
    assert f"mx-gun-{TRACED}" in hits and "mx-gun-1" not in hits and "mx-gun-3" not in hits
    rfi = _disclose(p, hits[f"mx-gun-{TRACED}"])
    assert get_request(p.mx.ex, rfi, "out").state == "answered"  # type: ignore[union-attr]
    # The disclosure brought the firearm and its sale with dealer and purchaser, no other sale.
    assert _props(p, f"us-sale-{TRACED}")["firearm"] == [f"us-gun-{TRACED}"]
    assert _props(p, f"us-buyer-{TRACED}")["name"] == [f"John Straw {TRACED}"]
    assert "phone" not in _props(p, f"us-buyer-{TRACED}")
    assert p.mx.ex.records(["us-sale-0"]) == [] and p.mx.ex.records(["us-gun-0"]) == []

    result = trace_disclosed(p.mx.ex)
    assert (result.hits, len(result.traces), result.waiting, result.untraced) == (1, 1, [], [])
    found = result.traces[0]
    expected_id = trace_id(HIT_NO_HIT, f"mx-recovery-{TRACED}")
    assert found.trace == expected_id and found.disclosure == rfi
    assert (found.recovery, found.acquisition) == (f"mx-recovery-{TRACED}", f"us-sale-{TRACED}")
    assert found.serial_read == found.serial_sold == serial(TRACED)
    assert (found.dealer_state, found.sold_on, found.recovered_on) == (
        "TX",
        "2022-03-15",
        "2025-03-01",
    )
    assert found.ttc_days == 1082 and found.serial_match == "exact" and 0.9 < found.score <= 1
    assert found.case_number == f"FED/SON/NOG/{TRACED:04d}/2025"

    stored = _props(p, expected_id)
    assert stored["method"] == [HIT_NO_HIT] and stored["timeToCrimeDays"] == ["1082"]
    assert stored["recovery"] == [f"mx-recovery-{TRACED}"]
    assert stored["acquisition"] == [f"us-sale-{TRACED}"]
    assert stored["serialMatch"] == ["exact"] and float(stored["score"][0]) == found.score
    # The most restrictive of the two: Mexico's H1/AMBER over the US sale's H0/GREEN, kept
    # by Mexico (the trace is its work), kept no longer than the sale may be.
    marks = p.mx.ex.records([expected_id])[0].markings
    assert (marks.origin_country, marks.handling, marks.tlp) == ("MX", "H1", "AMBER")
    sale = p.mx.ex.records([f"us-sale-{TRACED}"])[0].markings  # retention capped on receipt
    assert marks.retain_until == min(sale.retain_until, marks.retain_until) == sale.retain_until
    logged = p.mx.ex.audit.find(kind="match", limit=5)[0].details
    assert logged["trace"] == HIT_NO_HIT and logged["traces"][0]["disclosure"] == rfi


def test_tracing_again_replaces_and_a_recalled_sale_takes_its_trace_away(
    pair_nodes: Pair,
) -> None:
    p = pair_nodes
    _disclose(p, _serial_hits(p)[f"mx-gun-{TRACED}"])
    first = trace_disclosed(p.mx.ex)
    rows = p.mx.ex.db.query("SELECT COUNT(*) FROM statements WHERE dataset = ?", (DATASET,))
    again = trace_disclosed(p.mx.ex)
    assert [t.trace for t in again.traces] == [t.trace for t in first.traces]
    assert again.removed == 0
    assert p.mx.ex.db.query("SELECT COUNT(*) FROM statements WHERE dataset = ?", (DATASET,)) == rows
    assert p.mx.ex.entity_ids("FirearmTrace") == [first.traces[0].trace]
    # A second run hits the same firearm again: still one trace, from the latest disclosure.
    run = matching.start_match(p.mx.ex, p.us.name, PURPOSE, "FGR/CORT/2026/001")
    p.flush()
    matching.process_matches(p.us.ex)
    p.flush()
    matching.process_matches(p.mx.ex)
    hit = next(h for h in matching.list_hits(p.mx.ex, run) if h.entity_id == f"mx-gun-{TRACED}")
    latest = _disclose(p, hit)
    twice = trace_disclosed(p.mx.ex)
    assert twice.hits == 2 and [t.disclosure for t in twice.traces] == [latest]
    assert p.mx.ex.entity_ids("FirearmTrace") == [first.traces[0].trace]
    # The US recalls the sale: Mexico purges it, and the trace built on it goes too.
    recall(p.us.ex, p.mx.name, [f"us-sale-{TRACED}"], "disclosed by mistake")
    p.flush()
    assert p.mx.ex.records([f"us-sale-{TRACED}"]) == []
    after = trace_disclosed(p.mx.ex)
    assert after.traces == [] and after.untraced == [first.traces[0].hit, hit.id]
    assert after.removed == 1
    assert p.mx.ex.entity_ids("FirearmTrace") == []


def test_only_confirmed_and_answered_hits_are_traced(pair_nodes: Pair) -> None:
    p = pair_nodes
    hits = _serial_hits(p)
    assert trace_disclosed(p.mx.ex).hits == 0  # nothing confirmed yet
    hit = hits[f"mx-gun-{TRACED}"]
    matching.judge_hit(p.mx.ex, hit.id, "confirmed", "misma serie")
    matching.request_disclosure(p.mx.ex, hit.id, "Primera venta")  # not delivered yet
    waiting = trace_disclosed(p.mx.ex)
    assert (waiting.hits, waiting.waiting, waiting.traces) == (1, [hit.id], [])
    matching.judge_hit(p.mx.ex, hit.id, "rejected", "otra marca")
    assert trace_disclosed(p.mx.ex).hits == 0


def test_only_a_serial_hit_discloses_a_sale(pair_nodes: Pair) -> None:
    p = pair_nodes
    load(p.us, us_sales(1))
    rfi = send_rfi(p.mx.ex, p.us.name, PURPOSE, "FGR/1", "Historial del distribuidor")
    p.flush()
    with pytest.raises(ParidadError) as raised:
        disclosure_records(p.us.ex, rfi)
    assert raised.value.msgid == MSG_NOT_SERIAL_DISCLOSURE
    assert rfi in raised.value.localized("en") and "serial hit" in raised.value.localized("en")


def test_the_command_traces_and_prints(pair_nodes: Pair) -> None:
    p = pair_nodes
    _disclose(p, _serial_hits(p)[f"mx-gun-{TRACED}"])
    group = click.Group("trace")
    add_trace_subcommands(group)
    runner = CliRunner()
    node = str(p.mx.node.path)
    out = runner.invoke(group, ["disclosed", "--node", node, "--json"])
    assert out.exit_code == 0, out.output
    data: dict[str, Any] = orjson.loads(out.output)
    assert data["traced"] == 1 and data["traces"][0]["acquisition"] == f"us-sale-{TRACED}"
    text = runner.invoke(group, ["disclosed", "--node", node])
    assert text.exit_code == 0, text.output
    assert f"mx-recovery-{TRACED}" in text.output and "TX" in text.output
    assert "1 recoveries traced from 1 confirmed serial hits" in text.output
