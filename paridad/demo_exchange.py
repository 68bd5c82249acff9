"""The exchange half of ``make demo``: the Mexican and the US node as two processes.

After the nodes are loaded, the operators pair them (cards, fingerprints, one agreement
signed by both), both start ``paridad serve`` on loopback over mutual TLS, and the analysts
work: Mexico asks which of its identifiers the US also holds (hit/no-hit by private set
intersection), confirms a hit and asks for the record behind it (step two, approved by a US
analyst); Mexico shares its recovered firearms, asks the US for a trace (answered), asks again
(refused, with its reason), recalls one firearm shared by mistake; a US analyst views
Mexico's data (Mexico gets the use receipt). Both audit logs are then verified, and each
side's reciprocity figures printed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.audit.verify import verify_node
from paridad.exchange.context import Exchange
from paridad.exchange.pairing import NodeServer, free_port, pair
from paridad.exchange.reciprocity import reciprocity
from paridad.exchange.workflows.matching import (
    Hit,
    answer_disclosure,
    get_run,
    judge_hit,
    list_hits,
    request_disclosure,
    start_match,
)
from paridad.exchange.workflows.recall import recall
from paridad.exchange.workflows.receipts import record_use
from paridad.exchange.workflows.requests import answer_rfi, get_request, refuse_rfi, send_rfi
from paridad.exchange.workflows.share import share
from paridad.i18n import LANGS, N_, _, translate
from paridad.model.vocabularies import vocabulary
from paridad.node import Node

PURPOSE = "firearms-trafficking"
MATCH_PURPOSES = (PURPOSE, "drug-trafficking")
STATES = {
    "open": N_("open"),
    "answered": N_("answered"),
    "partially-answered": N_("partially answered"),
    "refused": N_("refused"),
    "expired": N_("expired"),
    "confirmed": N_("confirmed"),
    "granted": N_("granted"),
    "sent": N_("sent, awaiting confirmation"),
}


def _state_label(state: Any, lang: str) -> str:
    msgid = STATES.get(str(state))
    return translate(msgid, lang) if msgid else str(state)  # type: ignore[arg-type]


@dataclass
class ExchangeSummary:
    shared: int = 0
    held_back: dict[str, int] = field(default_factory=dict)
    answered: dict[str, Any] = field(default_factory=dict)
    refused: dict[str, Any] = field(default_factory=dict)
    recalled: dict[str, Any] = field(default_factory=dict)
    matched: dict[str, Any] = field(default_factory=dict)
    receipts: int = 0
    audit: dict[str, str] = field(default_factory=dict)
    reciprocity: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    node: str = ""


def _ports(workdir: Path) -> tuple[int, int]:
    """Ports chosen once and kept, so the cards the nodes exchanged stay right."""
    path = workdir / "nodes" / "ports.json"
    if path.is_file():
        mx, us = json.loads(path.read_text(encoding="utf-8"))
        return int(mx), int(us)
    chosen = free_port(), free_port()
    path.write_text(json.dumps(chosen), encoding="utf-8")
    return chosen


def _wait(check: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def _state(node: Node, request_id: str) -> str:
    with Exchange(node) as ex:
        found = get_request(ex, request_id, "out")
        return found.state if found else "?"


def _traceable(mx: Exchange, us: Exchange) -> tuple[str, list[str]]:
    """A firearm Mexico recovered whose serial the US holds, and what the US has on it."""
    mine = dict(
        mx.db.query(
            "SELECT value, entity_id FROM statements WHERE prop = 'serialNumber'"
            " AND schema = 'Firearm' ORDER BY entity_id"
        )
    )
    for value, firearm in us.db.query(
        "SELECT value, entity_id FROM statements WHERE prop = 'serialNumber'"
        " AND schema = 'Firearm' ORDER BY entity_id"
    ):
        if value in mine:
            acquisitions = [
                r[0]
                for r in us.db.query(
                    "SELECT entity_id FROM statements WHERE prop = 'firearm' AND value = ?",
                    (firearm,),
                )
            ]
            purchasers = [
                r[0]
                for a in acquisitions
                for r in us.db.query(
                    "SELECT value FROM statements WHERE entity_id = ? AND prop = 'purchaser'",
                    (a,),
                )
            ]
            return value, [firearm, *acquisitions, *purchasers]
    raise LookupError("no shared serial in the scenario")


def _hit_no_hit(mx: Exchange, mx_node: Node, us_node: Node, us_name: str) -> dict[str, Any]:
    """Mexico matches everything it holds, once per purpose of the agreement (each run sees
    only what the US gate allows for that purpose); the servers answer and complete the
    runs; one firearm hit is confirmed and disclosed through the US release gate."""
    hits: list[Hit] = []
    items = 0
    for purpose in MATCH_PURPOSES:
        run_id = start_match(mx, us_name, purpose, "GIS-ARM-2025-0003")

        def finished(run: str = run_id) -> bool:
            return get_run(mx, run).state in ("completed", "refused", "failed")

        _wait(finished, timeout=120)
        items += sum(get_run(mx, run_id).counts.values())
        hits += list_hits(mx, run_id)
    found: dict[str, Any] = {
        "items": items,
        "hits": len(hits),
        "kinds": dict(Counter(h.kind for h in hits)),
    }
    serial_hits = [h for h in hits if h.kind == "serial"]
    if not serial_hits:
        return found
    hit = serial_hits[0]
    judge_hit(mx, hit.id, "confirmed", "Misma marca y serie / same make and serial")
    rfi = request_disclosure(mx, hit.id, "Registro detrás del hit / record behind the hit")
    with Exchange(us_node) as us_view:
        _wait(lambda: get_request(us_view, rfi, "in") is not None)
        answer_disclosure(us_view, rfi)
    _wait(lambda: _state(mx_node, rfi) != "open")
    found["disclosed"] = {"entity": hit.entity_id, "rfi": rfi, "state": _state(mx_node, rfi)}
    return found


def run_exchange(workdir: Path, log: Callable[[str], None] = print) -> ExchangeSummary:
    mx_node = Node.open(workdir / "nodes" / "mx")
    us_node = Node.open(workdir / "nodes" / "us")
    ports = _ports(workdir)
    log(_("Pairing the nodes: cards, fingerprints, one agreement signed by both…"))
    pair(mx_node, us_node, f"https://127.0.0.1:{ports[0]}", f"https://127.0.0.1:{ports[1]}")
    summary = ExchangeSummary(node=str(mx_node.path))
    mx_name, us_name = mx_node.config.name, us_node.config.name
    log(_("Starting both nodes over mutual TLS on ports {mx} and {us}…", mx=ports[0], us=ports[1]))
    with (
        NodeServer(mx_node.path, ports[0]),
        NodeServer(us_node.path, ports[1]),
        Exchange(mx_node) as mx,
        Exchange(us_node) as us,
    ):
        firearms = mx.entity_ids("Firearm")  # Mexico's own, before any disclosure adds to them
        summary.matched = _hit_no_hit(mx, mx_node, us_node, us_name)
        result = share(mx, us_name, PURPOSE, firearms, case="GIS-ARM-2025-0003")
        summary.shared, summary.held_back = result.released, dict(result.refused)
        serial, trace = _traceable(mx, us)
        answered = send_rfi(
            mx,
            us_name,
            PURPOSE,
            "GIS-ARM-2025-0003",
            f"Solicitud de rastreo / trace request: serial {serial}",
        )
        refused = send_rfi(
            mx, us_name, PURPOSE, "GIS-ARM-2025-0007", "Historial completo del distribuidor"
        )
        with Exchange(us_node) as us_view:
            _wait(lambda: get_request(us_view, refused, "in") is not None)
            answer_rfi(us_view, answered, trace)
            refuse_rfi(us_view, refused, "ongoing-investigation")
        _wait(lambda: _state(mx_node, answered) != "open" and _state(mx_node, refused) != "open")
        summary.answered = {"id": answered, "serial": serial, "state": _state(mx_node, answered)}
        summary.refused = {"id": refused, "state": _state(mx_node, refused)}
        with Exchange(mx_node) as again:
            found = get_request(again, refused, "out")
            summary.refused["reason"] = found.reason if found else None
        mistaken = firearms[-1]
        recall_id = recall(mx, us_name, [mistaken], "Compartido por error / shared by mistake")
        _wait(lambda: _state(mx_node, recall_id) == "confirmed")
        summary.recalled = {"entity": mistaken, "state": _state(mx_node, recall_id)}
        summary.receipts = record_use(
            us, firearms[:3], use="view", role="analyst", purpose=PURPOSE, case="ATF-2026-0117"
        )
        _wait(
            lambda: (
                not mx.db.query("SELECT 1 FROM outbox WHERE delivered_at IS NULL")
                and not us.db.query("SELECT 1 FROM outbox WHERE delivered_at IS NULL")
            )
        )
        for key, ex, partner in (("mx", mx, us_name), ("us", us, mx_name)):
            report = verify_node(
                ex.db, ex.identity.verify_key, {partner: ex.partner(partner).verify_key}
            )
            summary.audit[key] = "OK" if report.ok else "; ".join(report.lines("en"))
            summary.reciprocity[key] = [f.to_dict() for f in reciprocity(ex)]
    return summary


def exchange_summary_text(s: ExchangeSummary) -> str:
    refusal = vocabulary("refusal")
    lines: list[str] = []
    for lang in LANGS:
        reason = refusal.term(s.refused["reason"]).label(lang) if s.refused.get("reason") else "-"
        held = sum(s.held_back.values())
        matched = s.matched
        disclosed = matched.get("disclosed") or {}
        lines += [
            translate(
                "Hit/no-hit: {items} identifiers matched against the US node without "
                "disclosing them; {hits} hits ({kinds}).",
                lang,
                items=matched.get("items", 0),
                hits=matched.get("hits", 0),
                kinds=", ".join(f"{k}: {v}" for k, v in sorted(matched.get("kinds", {}).items()))
                or "-",
            ),
            translate(
                "Step two: disclosure of the record behind the hit on {entity}: {state}.",
                lang,
                entity=disclosed.get("entity", "-"),
                state=_state_label(disclosed.get("state", "-"), lang),
            ),
            translate(
                "Share: {shared} firearms released to the US node; {held} held back by the gate.",
                lang,
                shared=s.shared,
                held=held,
            ),
            translate(
                "RFI (trace of serial {serial}): {state}.",
                lang,
                serial=s.answered.get("serial"),
                state=_state_label(s.answered.get("state"), lang),
            ),
            translate(
                "RFI refused by the US node: {state} — {reason}.",
                lang,
                state=_state_label(s.refused.get("state"), lang),
                reason=reason,
            ),
            translate(
                "Recall of {entity}: {state} (purged by the recipient).",
                lang,
                entity=s.recalled.get("entity"),
                state=_state_label(s.recalled.get("state"), lang),
            ),
            translate(
                "Audit logs verified — MX: {mx}; US: {us}. Use receipts sent: {receipts}.",
                lang,
                mx=s.audit.get("mx"),
                us=s.audit.get("us"),
                receipts=s.receipts,
            ),
            translate("Reciprocity figures: paridad reciprocity --node {path}", lang, path=s.node),
            "",
        ]
    return "\n".join(lines).rstrip()
