"""Traces made from hit/no-hit: a confirmed serial hit, the record behind it, the sale found.

Hit/no-hit tells the Mexican node only that the US node holds a firearm whose serial folds to
the serial of one it recovered. Step two, a disclosure request answered through the US release
gate, brings the firearm itself and, as :func:`disclosure_records` has the responder release
it, the first retail sale(s) of that firearm with the dealer and the purchaser. This module
turns that into a trace on the requesting node: the node's recovery of the hit's firearm is
traced with :func:`paridad.trace.tracer.trace` against the disclosed sales of the disclosed
firearm and kept as one FirearmTrace entity (method ``hit-no-hit``), beside the traces from
trace requests and from in-node tracing (:mod:`paridad.trace.in_node`, whose readers, ids and
markings rules this module reuses).

The tracer has the last word, not the hit: the hit only says two serials fold to one key; the
tracer also weighs make, model and caliber, and works out the time-to-crime. A trace joins a
Mexican record with a US one, so it carries the most restrictive of the two records' markings
and is never easier to share than what it reveals.

:func:`trace_disclosed` is idempotent: a trace's id depends on the method and the recovery, a
re-run replaces it, and a trace whose ground is gone (the hit rejected, the sale recalled and
purged) is removed, so the store says what the disclosures say now. Every run is logged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson

from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError
from paridad.exchange.workflows.matching import Hit, entities_for_handle, list_hits
from paridad.exchange.workflows.requests import answer_rfi, get_request
from paridad.exchange.workflows.share import ShareResult
from paridad.i18n import N_
from paridad.ingest.records import entity_from_dict
from paridad.store.base import EntityRecord
from paridad.trace.in_node import (
    AUDIT_KIND,
    Entity,
    Tracer,
    acquisition_record,
    default_tracer,
    read_entities,
    read_recoveries,
    trace_entity,
    trace_id,
    trace_markings,
)

HIT_NO_HIT = "hit-no-hit"  # the ``trace_method`` code
DATASET = "trace-hit-no-hit"
ANSWERED = ("answered", "partially-answered")
_CHUNK = 500
# Hits on a firearm serial: exactly (look-alikes folded) or within one misread character.
SERIAL_KINDS = ("serial", "serial_near")

MSG_NOT_SERIAL_DISCLOSURE = N_(
    "Request {request} is not a disclosure request from a serial hit; answer it as an RFI."
)


# --- the responder: what it discloses behind a serial hit ----------------------------------


def _pointing(ex: Exchange, schema: str, prop: str, targets: Sequence[str]) -> list[str]:
    """Entities of ``schema`` whose ``prop`` names one of ``targets``."""
    out: list[str] = []
    for i in range(0, len(targets), _CHUNK):
        chunk = list(targets[i : i + _CHUNK])
        rows = ex.db.query(
            "SELECT DISTINCT entity_id FROM statements WHERE schema = ? AND prop = ?"
            f" AND value IN ({','.join('?' * len(chunk))}) ORDER BY entity_id",
            [schema, prop, *chunk],
        )
        out.extend(r[0] for r in rows)
    return out


def disclosure_records(ex: Exchange, rfi_id: str) -> list[str]:
    """What a node discloses for a serial hit: the firearm behind the hit's handle and its
    first retail sale(s), with each sale's dealer and purchaser. A firearm alone tells an
    investigator little; the sale is what the trace needs. The release gate still cuts each
    record to the agreement when :func:`answer_serial_disclosure` sends them."""
    request = get_request(ex, rfi_id, "in")
    hit = (request.body.get("subject") or {}).get("hit") if request else None
    if not isinstance(hit, dict) or hit.get("kind") not in SERIAL_KINDS:
        raise ExchangeError(MSG_NOT_SERIAL_DISCLOSURE, request=rfi_id)
    firearms = entities_for_handle(ex, str(hit.get("run")), str(hit.get("handle")))
    sales = _pointing(ex, "FirearmAcquisition", "firearm", firearms)
    parties = [
        value
        for sale in read_entities(ex, sales).values()
        for prop in ("dealer", "purchaser")
        for value in sale.properties.get(prop, [])
    ]
    return list(dict.fromkeys([*firearms, *sales, *parties]))


def answer_serial_disclosure(
    ex: Exchange, rfi_id: str, *, note: str | None = None, actor: str = "analyst"
) -> ShareResult:
    """Approve a disclosure request from a serial hit with :func:`disclosure_records`."""
    return answer_rfi(ex, rfi_id, disclosure_records(ex, rfi_id), note=note, actor=actor)


# --- the requester: the trace made from what was disclosed ---------------------------------


@dataclass(frozen=True)
class DisclosedTrace:
    """One recovery traced from a disclosure, with what an investigator reads first."""

    trace: str
    hit: str
    disclosure: str
    recovery: str
    acquisition: str
    serial_read: str
    serial_sold: str
    make: str
    dealer: str
    dealer_state: str
    sold_on: str
    recovered_on: str
    ttc_days: int | None
    score: float
    serial_match: str
    case_number: str
    joint_case: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DisclosedResult:
    """What a run did: hits considered, traces kept, hits whose disclosure gave no trace."""

    hits: int = 0
    waiting: list[str] = field(default_factory=list)  # disclosure not answered yet
    untraced: list[str] = field(default_factory=list)  # answered, but the tracer found no sale
    traces: list[DisclosedTrace] = field(default_factory=list)
    removed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "hits": self.hits,
            "traced": len(self.traces),
            "waiting": list(self.waiting),
            "untraced": list(self.untraced),
            "removed": self.removed,
            "traces": [t.to_dict() for t in self.traces],
        }


def _disclosed_ids(ex: Exchange, partners: Iterable[str]) -> dict[str, list[str]]:
    """Record ids each applied RFI answer from ``partners`` carried, by RFI."""
    wanted = sorted(set(partners))
    if not wanted:
        return {}
    rows = ex.db.query(
        "SELECT envelope FROM inbox WHERE kind = ? AND status = 'applied'"
        f" AND sender IN ({','.join('?' * len(wanted))}) ORDER BY stream, seq",
        [m.RFI_ANSWER, *wanted],
    )
    out: dict[str, list[str]] = {}
    for (envelope,) in rows:
        payload = orjson.loads(envelope)["payload"]
        ids = [str(r["id"]) for r in payload.get("records", []) if isinstance(r, dict)]
        out.setdefault(str(payload.get("rfi")), []).extend(ids)
    return out


def _first_of(entity: Entity | None, name: str) -> str:
    return entity.first(name) if entity else ""


def trace_disclosed(
    ex: Exchange,
    *,
    tracer: Tracer | None = None,
    actor: str = "analyst",
    today: date | None = None,
) -> DisclosedResult:
    """Trace the recovery of every confirmed serial hit whose disclosure was answered against
    the disclosed sales of the disclosed firearm; keep one FirearmTrace per recovery (method
    ``hit-no-hit``), drop traces that no longer hold, log the run."""
    run = tracer or default_tracer()
    traced_on = today or date.today()
    result = DisclosedResult()
    # Oldest judgement first: when two runs hit the same firearm, the latest disclosure wins.
    hits = sorted(
        (
            h
            for h in list_hits(ex)
            if h.kind in SERIAL_KINDS and h.judgement == "confirmed" and h.disclosure
        ),
        key=lambda h: (h.judged_at or "", h.id),
    )
    result.hits = len(hits)
    requests = {h.id: get_request(ex, str(h.disclosure), "out") for h in hits}
    disclosed = _disclosed_ids(ex, (r.partner for r in requests.values() if r is not None))
    kept: dict[str, tuple[DisclosedTrace, EntityRecord]] = {}
    seen = f"{traced_on.isoformat()}T00:00:00"
    for hit in hits:
        request = requests[hit.id]
        if request is None or request.state not in ANSWERED:
            result.waiting.append(hit.id)
            continue
        found = _trace_hit(ex, run, hit, request.id, disclosed.get(request.id, []), traced_on)
        if not found:
            result.untraced.append(hit.id)
        for trace, line in found:
            origin = f"{HIT_NO_HIT}:{request.id}"
            kept[trace.trace] = (trace, entity_from_dict(line, DATASET, seen, origin))
    result.traces = [trace for trace, _record in kept.values()]
    _store(ex, result, [record for _trace, record in kept.values()], actor)
    return result


def _trace_hit(
    ex: Exchange,
    run: Tracer,
    hit: Hit,
    rfi_id: str,
    disclosed: Sequence[str],
    traced_on: date,
) -> list[tuple[DisclosedTrace, dict[str, Any]]]:
    """The traces one hit gives: its firearm's recoveries against the disclosed sales."""
    entities = read_entities(ex, disclosed)
    guns = [e.id for e in entities.values() if e.schema == "Firearm"]
    sale_ids = _pointing(ex, "FirearmAcquisition", "firearm", guns) if guns else []
    sales = read_entities(ex, sale_ids)
    firearms = read_entities(ex, [hit.entity_id, *guns])
    acquisitions = [acquisition_record(s, firearms.get(s.first("firearm"))) for s in sales.values()]
    recoveries = read_recoveries(ex, _pointing(ex, "FirearmRecovery", "firearm", [hit.entity_id]))
    if not recoveries or not acquisitions:
        return []
    recovered = read_entities(ex, [r.recovery_id for r in recoveries])
    out: list[tuple[DisclosedTrace, dict[str, Any]]] = []
    for match in run(recoveries, acquisitions):
        recovery, sale = recovered[match.recovery_id], sales[match.acquisition_id]
        entity_id = trace_id(HIT_NO_HIT, match.recovery_id)
        markings = trace_markings(recovery.markings, sale.markings, ex.country)
        line = trace_entity(
            match, markings, method=HIT_NO_HIT, entity_id=entity_id, traced_on=traced_on
        )
        sold_gun = firearms.get(sale.first("firearm"))
        dealers = read_entities(ex, sale.properties.get("dealer", []))
        trace = DisclosedTrace(
            trace=entity_id,
            hit=hit.id,
            disclosure=rfi_id,
            recovery=match.recovery_id,
            acquisition=match.acquisition_id,
            serial_read=_first_of(firearms.get(hit.entity_id), "serialNumber"),
            serial_sold=_first_of(sold_gun, "serialNumber"),
            make=_first_of(sold_gun, "make"),
            dealer=next((d.first("name") for d in dealers.values()), "")
            or sale.first("dealerLicense"),
            dealer_state=sale.first("state"),
            sold_on=sale.first("date")[:10],
            recovered_on=recovery.first("date")[:10],
            ttc_days=match.ttc_days,
            score=match.score,
            serial_match=match.serial_match,
            case_number=recovery.first("caseNumber"),
            joint_case=recovery.first("case"),
        )
        out.append((trace, line))
    return out


def _store(ex: Exchange, result: DisclosedResult, records: list[EntityRecord], actor: str) -> None:
    """Replace this method's traces with ``records`` and log the run, in one transaction."""
    keep = {t.trace for t in result.traces}
    stale = [
        r[0]
        for r in ex.db.query(
            "SELECT DISTINCT entity_id FROM statements WHERE dataset = ?", (DATASET,)
        )
        if r[0] not in keep
    ]
    result.removed = len(stale)
    with ex.db.transaction() as tx:
        for entity_id in [*sorted(keep), *stale]:
            tx.purge(entity_id, DATASET)
        tx.put_records(records)
        ex.audit.append(
            tx,
            AUDIT_KIND,
            actor,
            {
                "trace": HIT_NO_HIT,
                "hits": result.hits,
                "traced": len(result.traces),
                "removed": result.removed,
                "traces": [
                    {"trace": t.trace, "hit": t.hit, "disclosure": t.disclosure}
                    for t in result.traces[:1000]
                ],
            },
        )
