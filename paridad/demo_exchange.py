"""The exchange half of ``make demo``: the Mexican and the US node as two processes.

After the nodes are loaded, the operators pair them (cards, fingerprints, one agreement
signed by both), both start ``paridad serve`` on loopback over mutual TLS, and the analysts
work: Mexico asks which of its identifiers the US also holds (hit/no-hit by private set
intersection), confirms a serial hit and asks for the record behind it (step two, approved by
a US analyst: the firearm and its first retail sale), and traces its recovery to that sale;
Mexico shares its recovered firearms, sends a trace request for a recovery hit/no-hit could not
find (answered by the US node as the agreement says), asks for more (refused, with its
reason), recalls one firearm shared by mistake; a US analyst views Mexico's data (Mexico gets
the use receipt). Then the firearms analytics run (:mod:`paridad.demo_firearms`): indicators
and the eTrace-style report in both languages, and the prosecution package of the traced
recovery's case, verified. Both audit logs are verified, and each side's reciprocity figures
printed.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.audit.verify import verify_node
from paridad.demo_drones import DronesSummary, drones_lines, run_drones
from paridad.demo_finance import FinanceSummary, finance_lines, run_finance
from paridad.demo_firearms import build_and_verify_package, firearms_lines, render_reports
from paridad.exchange.context import Exchange
from paridad.exchange.pairing import NodeServer, free_port, pair
from paridad.exchange.reciprocity import reciprocity
from paridad.exchange.workflows.matching import (
    Hit,
    get_run,
    judge_hit,
    list_hits,
    request_disclosure,
    start_match,
)
from paridad.exchange.workflows.recall import recall
from paridad.exchange.workflows.receipts import record_use
from paridad.exchange.workflows.requests import get_request, refuse_rfi, send_rfi
from paridad.exchange.workflows.share import share
from paridad.exchange.workflows.tracing import (
    AUTOMATIC,
    answer_mode,
    answer_trace_request,
    get_trace_request,
    send_trace_request,
)
from paridad.i18n import LANGS, N_, Lang, _, format_number, translate
from paridad.model.vocabularies import vocabulary
from paridad.node import Node
from paridad.trace.from_disclosure import SERIAL_KINDS, answer_serial_disclosure, trace_disclosed

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
    "no-trace": N_("no trace"),
}
HOW_ANSWERED = {
    AUTOMATIC: N_("automatically, as the agreement says"),
    "analyst": N_("by a US analyst"),
}
# What the Mexican investigator states on the trace request; the rest comes from the records.
TRACE_STATED = {
    "requesting_agency": "Fiscalía General de la República (FGR)",
    "agency_identifier": "MXFGR0900",
    "officer": "Lic. Ana Torres",
    "urgency": "routine",
    "crime_type": "firearms-trafficking",
}


def _state_label(state: Any, lang: str) -> str:
    msgid = STATES.get(str(state))
    return translate(msgid, lang) if msgid else str(state)  # type: ignore[arg-type]


@dataclass
class ExchangeSummary:
    shared: int = 0
    held_back: dict[str, int] = field(default_factory=dict)
    traced: dict[str, Any] = field(default_factory=dict)
    trace_request: dict[str, Any] = field(default_factory=dict)
    refused: dict[str, Any] = field(default_factory=dict)
    recalled: dict[str, Any] = field(default_factory=dict)
    matched: dict[str, Any] = field(default_factory=dict)
    receipts: int = 0
    audit: dict[str, str] = field(default_factory=dict)
    reciprocity: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict)
    package: dict[str, Any] = field(default_factory=dict)
    drones: DronesSummary = field(default_factory=DronesSummary)
    finance: FinanceSummary = field(default_factory=FinanceSummary)
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


def _trace_request_subject(
    mx: Exchange, us_name: str, hits: set[str], near: Sequence[str] = ()
) -> str | None:
    """A recovery for a trace request: one whose firearm exact hit/no-hit did not find (its
    serial misread, say) and which the gate lets cross — first those with a near hit not
    taken to step two (the partner likely holds them); None if there is none."""
    gate = mx.gate(us_name, PURPOSE)
    rows = mx.db.query(
        "SELECT entity_id, value FROM statements WHERE schema = 'FirearmRecovery'"
        " AND prop = 'firearm' ORDER BY entity_id"
    )
    first = set(near)
    rows = sorted(rows, key=lambda row: (row[1] not in first, row[0]))
    for recovery, firearm in rows:
        if firearm in hits:
            continue
        candidates = mx.candidates([recovery, firearm])
        serial = [v for c in candidates for p, v in c.values if p == "serialNumber"]
        if len(candidates) == 2 and serial and all(gate.refusal(c) is None for c in candidates):
            return str(recovery)
    return None


def _trace_request(
    mx: Exchange, mx_node: Node, us_node: Node, hits: set[str], near: Sequence[str] = ()
) -> dict[str, Any]:
    """Mexico asks the US for a trace; the US node answers by itself when the agreement says
    so, else a US analyst answers; Mexico reads the answer in its own ledger."""
    us_name = us_node.config.name
    recovery = _trace_request_subject(mx, us_name, hits, near)
    if recovery is None:
        return {}
    request_id = send_trace_request(mx, us_name, recovery, TRACE_STATED, purpose=PURPOSE)
    how = answer_mode(mx.require_agreement(us_name, PURPOSE))
    if how != AUTOMATIC:
        how = "analyst"
        with Exchange(us_node) as us_view:
            _wait(lambda: get_trace_request(us_view, request_id, "in") is not None)
            answer_trace_request(us_view, request_id)

    def answered() -> bool:
        with Exchange(mx_node) as view:
            found = get_trace_request(view, request_id, "out")
            return found is not None and found.state != "open"

    _wait(answered)
    with Exchange(mx_node) as view:
        sent = get_trace_request(view, request_id, "out")
        sale = view.candidates([sent.acquisition]) if sent and sent.acquisition else []
    if sent is None:
        return {}
    state = [v for c in sale for p, v in c.values if p == "state"]
    return {
        "id": request_id,
        "recovery": recovery,
        "serial": sent.form.get("serial", ""),
        "state": sent.state,
        "how": how,
        "acquisition": sent.acquisition,
        "dealer_state": state[0] if state else None,
        "ttc_days": sent.ttc_days,
        "score": sent.score,
        "serial_match": sent.serial_match,
    }


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
        # serial_near keys are derived from serials already counted, nine or so apiece.
        counts = get_run(mx, run_id).counts
        items += sum(v for k, v in counts.items() if k != "serial_near")
        hits += list_hits(mx, run_id)
    found: dict[str, Any] = {
        "items": items,
        "hits": len(hits),
        "kinds": dict(Counter(h.kind for h in hits)),
        # Mexican bank accounts the US node also holds: the cross-border half of the money.
        "account_hits": {h.entity_id: h.id for h in hits if h.kind in ("clabe", "iban")},
    }
    serial_hits = [h for h in hits if h.kind in SERIAL_KINDS]
    if not serial_hits:
        return found
    # Step two for a near hit when there is one: a serial misread in Mexico, found anyway.
    near = [h for h in serial_hits if h.kind == "serial_near"]
    hit = (near or serial_hits)[0]
    judge_hit(mx, hit.id, "confirmed", "Misma marca, serie casi igual / same make, near serial")
    rfi = request_disclosure(mx, hit.id, "Registro detrás del hit / record behind the hit")
    with Exchange(us_node) as us_view:
        _wait(lambda: get_request(us_view, rfi, "in") is not None)
        answer_serial_disclosure(us_view, rfi)
    _wait(lambda: _state(mx_node, rfi) != "open")
    found["disclosed"] = {"entity": hit.entity_id, "rfi": rfi, "state": _state(mx_node, rfi)}
    # What the trace request below must not ask about: serials hit/no-hit found exactly, and
    # the one just disclosed. A near hit not taken to step two is a fair question for it.
    exact = {h.entity_id for h in serial_hits if h.kind == "serial"}
    found["serial_hits"] = sorted(exact | {hit.entity_id})
    found["near_hits"] = sorted({h.entity_id for h in near} - exact - {hit.entity_id})
    return found


def _trace_disclosed(mx_node: Node, rfi: str) -> dict[str, Any]:
    """The Mexican node traces its recovery against what step two disclosed."""
    with Exchange(mx_node) as view:
        result = trace_disclosed(view)
    return next((t.to_dict() for t in result.traces if t.disclosure == rfi), {})


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
        # Mexico's own firearms: not those a disclosure or a trace answer brought (a re-run).
        firearms = [
            c.id
            for c in mx.candidates(mx.entity_ids("Firearm"))
            if c.markings.origin_country == mx.country
        ]
        summary.matched = _hit_no_hit(mx, mx_node, us_node, us_name)
        disclosed = summary.matched.get("disclosed") or {}
        if disclosed.get("state") in ("answered", "partially-answered"):
            summary.traced = _trace_disclosed(mx_node, disclosed["rfi"])
        result = share(mx, us_name, PURPOSE, firearms, case="GIS-ARM-2025-0003")
        summary.shared, summary.held_back = result.released, dict(result.refused)
        hits = set(summary.matched.get("serial_hits", []))
        near = summary.matched.get("near_hits", [])
        summary.trace_request = _trace_request(mx, mx_node, us_node, hits, near)
        refused = send_rfi(
            mx, us_name, PURPOSE, "GIS-ARM-2025-0007", "Historial completo del distribuidor"
        )
        with Exchange(us_node) as us_view:
            _wait(lambda: get_request(us_view, refused, "in") is not None)
            refuse_rfi(us_view, refused, "ongoing-investigation")
        _wait(lambda: _state(mx_node, refused) != "open")
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
        log(_("Tracing the scenario's files, writing the indicators and the report…"))
        summary.report = render_reports(workdir)
        case = summary.traced.get("joint_case") or summary.traced.get("case_number")
        if case:
            log(_("Building the prosecution package of case {case}…", case=case))
            with Exchange(mx_node) as prosecutor:
                summary.package = build_and_verify_package(
                    prosecutor, case, workdir, us.partner(mx_name).fingerprint
                )
        summary.drones = run_drones(workdir, mx_node, us_node, log)
        summary.finance = run_finance(
            workdir, mx_node, us_node, log, {"mx": summary.matched.get("account_hits", {})}
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


def _num(value: float | int | None, lang: Lang, digits: int = 0) -> str:
    return "-" if value is None else format_number(value, lang, digits=digits)


def _trace_lines(s: ExchangeSummary, lang: Lang) -> list[str]:
    """The trace from step two and the trace request, in ``lang``."""
    t, r = s.traced, s.trace_request
    lines = [
        translate(
            "Trace from step two: recovery {recovery} (serial {read} as read, {sold} as sold) "
            "traced to sale {sale} by {dealer} ({state}) on {sold_on}; time-to-crime {ttc} "
            "days, score {score}, method hit/no-hit.",
            lang,
            recovery=t.get("recovery", "-"),
            read=t.get("serial_read") or "-",
            sold=t.get("serial_sold") or "-",
            sale=t.get("acquisition", "-"),
            dealer=t.get("dealer") or "-",
            state=t.get("dealer_state") or "-",
            sold_on=t.get("sold_on") or "-",
            ttc=_num(t.get("ttc_days"), lang),
            score=_num(t.get("score"), lang, 2),
        )
        if t
        else translate("Trace from step two: no recovery traced.", lang)
    ]
    if not r:
        return [*lines, translate("Trace request: no recovery to ask about.", lang)]
    how = HOW_ANSWERED.get(r.get("how", ""), HOW_ANSWERED["analyst"])
    lines.append(
        translate(
            "Trace request {request} for recovery {recovery} (serial {serial} as read, which "
            "exact hit/no-hit could not find): {state}, {how}.",
            lang,
            request=r["id"],
            recovery=r["recovery"],
            serial=r.get("serial") or "-",
            state=_state_label(r.get("state"), lang),
            how=translate(how, lang),
        )
    )
    if r.get("acquisition"):
        match = r.get("serial_match")
        lines.append(
            "  "
            + translate(
                "Answer: sale {sale} ({state}), time-to-crime {ttc} days, score {score}, "
                "serial: {match}.",
                lang,
                sale=r["acquisition"],
                state=r.get("dealer_state") or "-",
                ttc=_num(r.get("ttc_days"), lang),
                score=_num(r.get("score"), lang, 2),
                match=vocabulary("serial_match").term(match).label(lang) if match else "-",
            )
        )
    return lines


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
            *_trace_lines(s, lang)[:1],
            translate(
                "Share: {shared} firearms released to the US node; {held} held back by the gate.",
                lang,
                shared=s.shared,
                held=held,
            ),
            *_trace_lines(s, lang)[1:],
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
            *firearms_lines(s.report, s.package, lang),
            *drones_lines(s.drones, lang),
            *finance_lines(s.finance, lang),
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
