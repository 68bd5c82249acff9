"""``paridad match`` from the shell's side: a run, its hits, a judgement and step two."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from paridad.exchange.context import Exchange
from paridad.exchange.courier import Courier
from paridad.exchange.inbox import Inbox
from paridad.exchange.pairing import pair
from paridad.exchange.partners import Partner
from paridad.ingest.records import entity_from_dict
from paridad.node import Node
from tests.cli.run import run
from tests.conftest import MARKINGS, entity

US_MARKINGS = {**MARKINGS, "origin_country": "US", "origin_agency": "ATF"}


def _deliver(*nodes: Node) -> None:
    """Move every pending message between the nodes, as two servers' couriers would."""
    exchanges = {n.config.name: Exchange(n) for n in nodes}
    inboxes = {name: Inbox(ex) for name, ex in exchanges.items()}

    def link(partner: Partner, body: bytes) -> dict[str, Any]:
        return inboxes[partner.node].receive(orjson.loads(body)["envelopes"]).to_dict()

    try:
        for _ in range(5):
            moved = 0
            for ex in exchanges.values():
                courier = Courier(ex, link)
                for recipient in courier.pending():
                    moved += courier.deliver(recipient).acknowledged
            if not moved:
                return
    finally:
        for ex in exchanges.values():
            ex.close()


def _load(node: Node, items: list[dict[str, Any]]) -> None:
    with Exchange(node) as ex, ex.db.transaction() as tx:
        tx.put_records([entity_from_dict(i, "t", "2026-01-01T00:00:00", "t") for i in items])


@pytest.fixture
def nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Node, Node]:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    mx = Node.init(tmp_path / "mx", "MX", "FGR", name="mx-fgr")
    us = Node.init(tmp_path / "us", "US", "ATF", name="us-atf")
    pair(mx, us, "https://127.0.0.1:1", "https://127.0.0.1:2")
    _load(mx, [entity("mx-f-1", "Firearm", MARKINGS, serialNumber="KX401233", make="Colt")])
    _load(us, [entity("us-f-1", "Firearm", US_MARKINGS, serialNumber="KX-4O1233", make="Colt")])
    return mx, us


def test_a_run_its_hit_a_judgement_and_a_disclosure(
    capsys: pytest.CaptureFixture[str], nodes: tuple[Node, Node]
) -> None:
    mx, us = (str(n.path) for n in nodes)
    code, out, err = run(
        capsys, "match", "run", "--node", mx, "--with", "us-atf",
        "--purpose", "firearms-trafficking", "--case", "FGR/2026/7", "--no-names",
    )  # fmt: skip
    assert code == 0, err
    run_id = out.strip()
    assert "serial: 1" in err
    _deliver(*nodes)
    assert run(capsys, "match", "process", "--node", us)[1].startswith("1 ")
    _deliver(*nodes)
    run(capsys, "match", "process", "--node", mx)
    code, out, _ = run(capsys, "match", "hits", "--node", mx, run_id, "--json")
    (hit,) = json.loads(out)
    assert (hit["entity_id"], hit["kind"], hit["score"]) == ("mx-f-1", "serial", 1.0)
    code, out, _ = run(
        capsys, "match", "judge", "--node", mx, hit["id"], "confirmed", "--reason", "same gun"
    )
    assert code == 0 and "confirmed" in out
    code, out, _ = run(
        capsys, "match", "disclose", "--node", mx, hit["id"], "--question", "Purchase history"
    )
    assert code == 0
    rfi = out.strip()
    _deliver(*nodes)
    code, out, _ = run(capsys, "--lang", "es", "match", "approve", "--node", us, rfi)
    assert code == 0 and out.startswith("1 ")
    _deliver(*nodes)
    with Exchange(nodes[0]) as ex:
        assert [r.id for r in ex.records(["us-f-1"])] == ["us-f-1"]
    code, out, _ = run(capsys, "match", "runs", "--node", mx)
    assert run_id in out and "completed" in out


def test_errors_are_translated(
    capsys: pytest.CaptureFixture[str], nodes: tuple[Node, Node]
) -> None:
    mx = str(nodes[0].path)
    code, _, err = run(
        capsys, "--lang", "es", "match", "judge", "--node", mx, "hit-nope", "confirmed",
        "--reason", "x",
    )  # fmt: skip
    assert code == 2 and "No existe la coincidencia hit-nope" in err
    code, _, err = run(
        capsys, "match", "run", "--node", mx, "--with", "us-atf",
        "--purpose", "firearms-trafficking", "--case", "C", "--entity", "no-such-entity",
    )  # fmt: skip
    assert code == 2 and "None of the chosen entities" in err
    code, _, err = run(capsys, "--lang", "es", "match", "approve", "--node", mx, "rfi-nope")
    assert code == 2 and "no es una solicitud de entrega" in err
