"""Trace requests between two paired nodes: request, trace, answer through the gate, refuse."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner

from paridad.cli.trace_request_commands import add_trace_subcommands
from paridad.exchange import messages as m
from paridad.exchange.context import ExchangeError
from paridad.exchange.workflows.tracing import (
    MSG_BAD_TRACING,
    answer_trace_request,
    get_trace_request,
    list_trace_requests,
    process_trace_requests,
    received_trace,
    refuse_trace_request,
    send_trace_request,
)
from paridad.policy.agreement import parse_agreement
from tests.exchange.conftest import Pair, load
from tests.trace.trace_entities import mx_recoveries, us_sales

STATED = {
    "agency_identifier": "MXFGR0001",
    "officer": "Lic. Ana Torres",
    "urgency": "urgent",
    "urgency_reason": "Detenido en flagrancia; plazo constitucional de 48 horas",
    "crime_type": "firearm-possession",
}
TRACE_PROPERTIES = [
    "recovery", "acquisition", "score", "timeToCrimeDays", "method", "serialMatch",
    "requestNumber", "date",
]  # fmt: skip
PURPOSE = "firearms-trafficking"


def amend(p: Pair, *, trace: bool = True, automatic: bool = False) -> None:
    """A new version of the pair's agreement: traces may cross US->MX (or not), answers
    automatic (or by an analyst), whatever the template said."""
    document = copy.deepcopy(p.agreement.to_dict())
    document.pop("signatures")
    document["version"] = 2
    schemata = document["flows"][f"{p.us.name}->{p.mx.name}"]["schemata"]
    if trace:
        schemata["FirearmTrace"] = list(TRACE_PROPERTIES)
    else:
        schemata.pop("FirearmTrace", None)
    document["tracing"] = {"answer": "automatic" if automatic else "manual"}
    amended = parse_agreement(document)
    amended = amended.sign(p.mx.name, p.mx.ex.identity).sign(p.us.name, p.us.ex.identity)
    for side in (p.mx, p.us):
        assert side.ex.install_agreement(amended)


def world(p: Pair, traceable: int = 2, untraceable: int = 1) -> None:
    load(p.mx, mx_recoveries(traceable, untraceable))
    load(p.us, us_sales(traceable + 2))


def props(record: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in record.rows:
        out.setdefault(row[3], []).append(row[5])
    return out


def test_a_trace_request_is_answered_through_the_gate(pair_nodes: Pair) -> None:
    p = pair_nodes
    world(p)
    amend(p)
    request_id = send_trace_request(p.mx.ex, p.us.name, "mx-recovery-0", STATED)
    p.flush()
    incoming = get_trace_request(p.us.ex, request_id, "in")
    assert incoming is not None and incoming.state == "open" and incoming.urgency == "urgent"
    assert incoming.form["officer"] == "Lic. Ana Torres" and "serial" not in incoming.form
    due = datetime.fromisoformat(incoming.deadline) - datetime.fromisoformat(incoming.created_at)
    assert timedelta(hours=47) < due <= timedelta(hours=48)
    # The recovery crossed as records, cut to the agreement: no address, no phone.
    recovery = props(p.us.ex.records(["mx-recovery-0"])[0])
    assert recovery["state"] == ["Sonora"] and "location" not in recovery
    assert "phone" not in props(p.us.ex.records(["mx-possessor-0"])[0])

    answer = answer_trace_request(p.us.ex, request_id)
    assert answer.state == "answered" and answer.trace and answer.released >= 4
    p.flush()
    sent = get_trace_request(p.mx.ex, request_id, "out")
    assert sent is not None and sent.state == "answered" and sent.trace == answer.trace
    assert sent.acquisition == "us-sale-0" and sent.ttc_days is not None and sent.ttc_days > 365
    assert sent.score is not None and 0 < sent.score <= 1
    trace = received_trace(p.mx.ex, request_id)
    assert trace is not None and trace["properties"]["method"] == ["trace-request"]
    assert trace["properties"]["requestNumber"] == [request_id]
    assert trace["properties"]["recovery"] == ["mx-recovery-0"]
    assert trace["markings"]["origin_country"] == "US" and trace["markings"]["handling"] == "H1"
    # The sale, its gun, the dealer and the purchaser arrived, and only what the agreement allows.
    sale = props(p.mx.ex.records(["us-sale-0"])[0])
    assert sale["dealerLicense"] == ["5-74-00000"] and sale["purchaser"] == ["us-buyer-0"]
    buyer = props(p.mx.ex.records(["us-buyer-0"])[0])
    assert buyer["name"] == ["John Straw 0"] and "phone" not in buyer
    gun = props(p.mx.ex.records(["us-gun-0"])[0])
    assert "notes" not in gun and gun["manufactureCountry"] == ["us"]
    everything = orjson.dumps([r.to_dict() for r in p.mx.ex.records(p.mx.ex.entity_ids())])
    assert b"+19565550" not in everything and b"internal remark" not in everything
    # No other sale crossed: only the one the trace points to.
    assert p.mx.ex.records(["us-sale-1"]) == []
    # Both logs tell it.
    assert p.us.ex.audit.find(kind="answer", limit=10)[0].details["request"] == request_id
    assert any(e.details.get("kind") == m.TRACE_ANSWER
               for e in p.mx.ex.audit.find(kind="receipt", limit=50))  # fmt: skip
    with pytest.raises(ExchangeError):
        answer_trace_request(p.us.ex, request_id)  # answered already


def test_no_trace_and_refusal_close_the_request(pair_nodes: Pair) -> None:
    p = pair_nodes
    world(p, traceable=1, untraceable=1)
    amend(p)
    nothing = send_trace_request(p.mx.ex, p.us.name, "mx-recovery-1", STATED)
    refused = send_trace_request(p.mx.ex, p.us.name, "mx-recovery-0", STATED)
    p.flush()
    assert answer_trace_request(p.us.ex, nothing).state == "no-trace"
    with pytest.raises(ExchangeError):
        refuse_trace_request(p.us.ex, refused, "not-a-reason")
    refuse_trace_request(p.us.ex, refused, "ongoing-investigation", note="Reserva")
    p.flush()
    states = {r.id: (r.state, r.reason) for r in list_trace_requests(p.mx.ex, direction="out")}
    assert states == {nothing: ("no-trace", None), refused: ("refused", "ongoing-investigation")}
    assert p.mx.ex.entity_ids("FirearmTrace") == []  # nothing crossed with either
    assert p.us.ex.audit.find(kind="refusal", limit=10)[0].details["request"] == refused


def test_the_agreement_answers_by_itself_and_its_gate_still_decides(pair_nodes: Pair) -> None:
    p = pair_nodes
    world(p)
    amend(p, trace=False, automatic=True)  # automatic, but traces may not cross
    held = send_trace_request(p.mx.ex, p.us.name, "mx-recovery-0", STATED)
    p.flush()
    assert process_trace_requests(p.us.ex) == 1
    p.flush()
    first = get_trace_request(p.mx.ex, held, "out")
    assert first is not None and (first.state, first.reason) == ("refused", "schema-not-agreed")
    assert p.mx.ex.records(["us-sale-0"]) == []

    document = copy.deepcopy(p.agreement.to_dict())
    document.pop("signatures")
    document.update(version=3, tracing={"answer": "automatic"})
    document["flows"][f"{p.us.name}->{p.mx.name}"]["schemata"]["FirearmTrace"] = TRACE_PROPERTIES
    amended = parse_agreement(document)
    amended = amended.sign(p.mx.name, p.mx.ex.identity).sign(p.us.name, p.us.ex.identity)
    for side in (p.mx, p.us):
        side.ex.install_agreement(amended)
    answered = send_trace_request(p.mx.ex, p.us.name, "mx-recovery-1", STATED)
    p.flush()
    assert process_trace_requests(p.us.ex) == 1 and process_trace_requests(p.us.ex) == 0
    p.flush()
    second = get_trace_request(p.mx.ex, answered, "out")
    assert second is not None and second.state == "answered" and second.acquisition == "us-sale-1"


def test_the_template_lets_trace_answers_cross_and_answers_them_by_itself(
    pair_nodes: Pair,
) -> None:
    p = pair_nodes
    world(p, traceable=1, untraceable=0)  # the agreement as drafted from the template
    assert p.agreement.document["tracing"] == {"answer": "automatic"}
    request_id = send_trace_request(p.mx.ex, p.us.name, "mx-recovery-0", STATED)
    p.flush()
    assert process_trace_requests(p.us.ex) == 1
    p.flush()
    sent = get_trace_request(p.mx.ex, request_id, "out")
    assert sent is not None and sent.state == "answered" and sent.acquisition == "us-sale-0"
    assert p.mx.ex.records(["us-buyer-0"]) and p.mx.ex.records(["us-dealer-0"])


def test_a_template_with_a_bad_tracing_mode_fails_when_drafted(
    pair_nodes: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paridad.exchange.workflows import agreements

    text = (agreements.TEMPLATES / "firearms-trafficking.yaml").read_text(encoding="utf-8")
    (tmp_path / "odd.yaml").write_text(
        text.replace("answer: automatic", "answer: sometimes"), encoding="utf-8"
    )
    monkeypatch.setattr(agreements, "TEMPLATES", tmp_path)
    with pytest.raises(ExchangeError) as raised:
        agreements.draft(pair_nodes.mx.ex, pair_nodes.us.name, "odd")
    assert raised.value.msgid == MSG_BAD_TRACING


def _raw_request(p: Pair, number: int, form: dict[str, Any], recovery: str) -> None:
    """Put a hand-made trace request in the MX outbox, signed, past the sender's checks."""
    gate = p.mx.ex.gate(p.us.name, PURPOSE)
    released, _ = gate.release_all(p.mx.ex.candidates(["mx-recovery-0", "mx-gun-0"]))
    records = [r.to_payload() for r in released]
    payload = {
        "kind": m.TRACE_REQUEST,
        "id": f"{p.mx.name}-trace-raw-{number}",
        "agreement": p.agreement.id,
        "purpose": PURPOSE,
        "case": "FED/1",
        "legal_basis": "MLAT",
        "deadline": "2030-01-01T00:00:00+00:00",
        "form": form,
        "recovery": recovery,
        "records": records,
        "records_root": m.records_root(records),
    }
    with p.mx.ex.db.transaction() as tx:
        p.mx.ex.enqueue(tx, p.us.name, payload)


def test_a_malformed_trace_request_is_rejected_with_its_reason(pair_nodes: Pair) -> None:
    p = pair_nodes
    world(p, traceable=1, untraceable=0)
    header = {**STATED, "requesting_agency": "FGR", "case_number": "FED/1"}
    _raw_request(p, 1, {**header, "urgency": "whenever"}, "mx-recovery-0")
    _raw_request(p, 2, header, "mx-gun-0")  # names the firearm as the recovery
    good = send_trace_request(p.mx.ex, p.us.name, "mx-recovery-0", STATED)
    p.flush()
    rows = p.us.ex.db.query("SELECT seq, kind, status, reason FROM inbox ORDER BY seq")
    assert [(r[1], r[2]) for r in rows] == [
        (m.TRACE_REQUEST, "rejected"),
        (m.TRACE_REQUEST, "rejected"),
        (m.TRACE_REQUEST, "applied"),
    ]
    reasons = [orjson.loads(r[3]) for r in rows[:2]]
    assert reasons[0]["params"]["reason"] == "form: urgency"
    assert reasons[1]["params"]["reason"] == "recovery"
    # Kept with its envelope (nothing lost), applied to nothing: the one good request is open.
    assert all(r[0] for r in p.us.ex.db.query("SELECT envelope FROM inbox"))
    assert [r.id for r in list_trace_requests(p.us.ex, direction="in")] == [good]
    rejected = [e for e in p.us.ex.audit.find(kind="receipt", limit=50) if "rejected" in e.details]
    assert len(rejected) == 2


def test_the_commands_request_list_and_answer(pair_nodes: Pair) -> None:
    import click

    p = pair_nodes
    world(p, traceable=1, untraceable=0)
    amend(p)
    group = click.Group("trace")
    add_trace_subcommands(group)
    runner = CliRunner()
    mx, us = str(p.mx.node.path), str(p.us.node.path)
    sent = runner.invoke(
        group,
        ["request", "mx-recovery-0", "--node", mx, "--to", p.us.name, "--agency-id", "MX1",
         "--officer", "Ana", "--crime", "homicide", "--json"],
    )  # fmt: skip
    assert sent.exit_code == 0, sent.output
    request_id = orjson.loads(sent.output)["request"]
    bad = runner.invoke(
        group, ["request", "mx-recovery-0", "--node", mx, "--to", p.us.name, "--crime", "x"]
    )
    assert bad.exit_code != 0 and "Agency identifier (ORI)" in str(bad.exception)
    p.flush()
    listed = runner.invoke(group, ["requests", "--node", us, "--json"])
    assert [r["id"] for r in orjson.loads(listed.output)] == [request_id]
    assert orjson.loads(listed.output)[0]["state"] == "open"
    answered = runner.invoke(group, ["answer", request_id, "--node", us, "--json"])
    assert answered.exit_code == 0, answered.output
    assert orjson.loads(answered.output)["state"] == "answered"
    p.flush()
    mine = runner.invoke(group, ["requests", "--node", mx, "--direction", "out"])
    assert request_id in mine.output and "answered" in mine.output and "TTC" in mine.output
