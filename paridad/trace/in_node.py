"""Tracing inside one node: its own recoveries against its own acquisitions, kept as entities.

A node that holds both ends of a trace (the US node with recoveries a partner shared, or a
node fed from both sides' files) need not ask anyone: it reads its FirearmRecovery and
FirearmAcquisition entities (each with its Firearm; the acquisition with dealer and
purchaser) into the tracer's records, runs :func:`paridad.trace.tracer.trace`, and keeps each
match as a FirearmTrace entity next to the data it links. The answer is data like any other:
it carries markings (the most restrictive of the two records it joins, so a trace is never
easier to share than what it reveals) and it can be shared, recalled and audited.

A trace's id depends only on the method and the recovery, so running again replaces the
earlier answer instead of adding a second one, and a recovery that no longer matches loses
its stale trace: the store always says what the tracer says now.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from paridad.ingest.records import entity_from_dict
from paridad.model.markings import Markings
from paridad.policy.release_gate import Candidate
from paridad.trace.records import Acquisition, Recovery, TraceMatch

if TYPE_CHECKING:
    from paridad.exchange.context import Exchange

IN_NODE = "in-node"
TRACE_REQUEST = "trace-request"
DATASET = "trace-in-node"
AUDIT_KIND = "match"  # tracing is matching: recoveries linked to sales

Properties = dict[str, list[str]]
Tracer = Callable[[Sequence[Recovery], Sequence[Acquisition]], list[TraceMatch]]


@dataclass(frozen=True)
class Entity:
    """An entity as the tracer's readers need it: schema, markings, values by property."""

    id: str
    schema: str
    markings: Markings
    properties: Properties

    def first(self, name: str) -> str:
        values = self.properties.get(name)
        return values[0] if values else ""


def _entity(candidate: Candidate) -> Entity:
    props: Properties = {}
    for prop, value in candidate.values:
        props.setdefault(prop, []).append(value)
    return Entity(candidate.id, candidate.schema, candidate.markings, props)


def read_entities(ex: Exchange, ids: Iterable[str]) -> dict[str, Entity]:
    """Entities by id (those the node holds), read in bulk."""
    wanted = list(dict.fromkeys(i for i in ids if i))
    return {c.id: _entity(c) for c in ex.candidates(wanted)}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def recovery_record(recovery: Entity, firearm: Entity | None) -> Recovery:
    gun = firearm.first if firearm else (lambda _name: "")
    return Recovery(
        recovery_id=recovery.id,
        serial=gun("serialNumber"),
        make=gun("make"),
        model=gun("model"),
        caliber=gun("caliber"),
        type=gun("type"),
        recovered_on=_day(recovery.first("date")),
        state=recovery.first("state"),
        municipality=recovery.first("municipality"),
    )


def acquisition_record(acquisition: Entity, firearm: Entity | None) -> Acquisition:
    gun = firearm.first if firearm else (lambda _name: "")
    return Acquisition(
        acquisition_id=acquisition.id,
        serial=gun("serialNumber"),
        make=gun("make"),
        model=gun("model"),
        caliber=gun("caliber"),
        type=gun("type"),
        sold_on=_day(acquisition.first("date")),
        dealer_id=acquisition.first("dealer") or acquisition.first("dealerLicense"),
        dealer_state=acquisition.first("state"),
        purchaser_id=acquisition.first("purchaser"),
    )


def read_recoveries(ex: Exchange, ids: Sequence[str] | None = None) -> list[Recovery]:
    """The node's recoveries (or those named) with their firearms, as tracer records."""
    recoveries = read_entities(ex, ex.entity_ids("FirearmRecovery") if ids is None else ids)
    recoveries = {k: v for k, v in recoveries.items() if v.schema == "FirearmRecovery"}
    firearms = read_entities(ex, (r.first("firearm") for r in recoveries.values()))
    return [recovery_record(r, firearms.get(r.first("firearm"))) for r in recoveries.values()]


def read_acquisitions(ex: Exchange, origin_country: str | None = None) -> list[Acquisition]:
    """The node's acquisitions with their firearms; only those originated in
    ``origin_country`` when given (a responder traces against its own records)."""
    acquisitions = read_entities(ex, ex.entity_ids("FirearmAcquisition"))
    if origin_country is not None:
        acquisitions = {
            k: v
            for k, v in acquisitions.items()
            if v.markings.origin_country.upper() == origin_country.upper()
        }
    firearms = read_entities(ex, (a.first("firearm") for a in acquisitions.values()))
    return [acquisition_record(a, firearms.get(a.first("firearm"))) for a in acquisitions.values()]


def default_tracer() -> Tracer:
    """The node's tracer (imported when first needed: it loads its make and caliber tables)."""
    from paridad.trace.tracer import trace

    return trace


def trace_id(method: str, key: str) -> str:
    """A trace's id: one per method and recovery (or request), so a re-run replaces it."""
    digest = hashlib.sha256(f"{method}\x1f{key}".encode()).hexdigest()[:24]
    return f"trace-{digest}"


def trace_markings(recovery: Markings, acquisition: Markings, own_country: str) -> Markings:
    """The most restrictive of the two records' markings; the originator is whichever record
    this node originated (the trace is this node's work), else the recovery's."""
    if acquisition.origin_country.upper() == own_country.upper():
        return acquisition.combine(recovery)
    return recovery.combine(acquisition)


def trace_entity(
    match: TraceMatch,
    markings: Markings,
    *,
    method: str,
    entity_id: str,
    traced_on: date,
    request_number: str | None = None,
) -> dict[str, Any]:
    """A FirearmTrace entity line (``{"id", "schema", "properties", "markings"}``)."""
    properties: dict[str, list[str]] = {
        "recovery": [match.recovery_id],
        "acquisition": [match.acquisition_id],
        "score": [f"{match.score:.4f}"],
        "method": [method],
        "serialMatch": [match.serial_match],
        "date": [traced_on.isoformat()],
    }
    if match.ttc_days is not None:
        properties["timeToCrimeDays"] = [str(match.ttc_days)]
    if request_number:
        properties["requestNumber"] = [request_number]
    return {
        "id": entity_id,
        "schema": "FirearmTrace",
        "properties": properties,
        "markings": markings.to_dict(),
    }


@dataclass
class InNodeResult:
    recoveries: int = 0
    acquisitions: int = 0
    traced: int = 0
    untraced: int = 0
    removed: int = 0
    by_serial_match: dict[str, int] = field(default_factory=dict)
    trace_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "recoveries": self.recoveries,
            "acquisitions": self.acquisitions,
            "traced": self.traced,
            "untraced": self.untraced,
            "removed": self.removed,
            "by_serial_match": dict(sorted(self.by_serial_match.items())),
        }


def _markings_of(ex: Exchange, ids: Iterable[str]) -> Mapping[str, Markings]:
    return {e.id: e.markings for e in read_entities(ex, ids).values()}


def trace_in_node(
    ex: Exchange,
    *,
    tracer: Tracer | None = None,
    actor: str = "analyst",
    today: date | None = None,
) -> InNodeResult:
    """Trace every recovery the node holds against every acquisition it holds; store one
    FirearmTrace per match (method ``in-node``), drop traces that no longer hold, log it."""
    from paridad.store.base import EntityRecord

    run = tracer or default_tracer()
    traced_on = today or date.today()
    recoveries = read_recoveries(ex)
    acquisitions = read_acquisitions(ex)
    matches = run(recoveries, acquisitions) if recoveries and acquisitions else []
    markings = _markings_of(
        ex, [m.recovery_id for m in matches] + [m.acquisition_id for m in matches]
    )
    result = InNodeResult(recoveries=len(recoveries), acquisitions=len(acquisitions))
    records: list[EntityRecord] = []
    seen = f"{traced_on.isoformat()}T00:00:00"
    for match in matches:
        combined = trace_markings(
            markings[match.recovery_id], markings[match.acquisition_id], ex.country
        )
        entity_id = trace_id(IN_NODE, match.recovery_id)
        line = trace_entity(
            match, combined, method=IN_NODE, entity_id=entity_id, traced_on=traced_on
        )
        records.append(entity_from_dict(line, DATASET, seen, "trace:in-node"))
        result.trace_ids.append(entity_id)
        result.by_serial_match[match.serial_match] = (
            result.by_serial_match.get(match.serial_match, 0) + 1
        )
    result.traced = len(records)
    result.untraced = len(recoveries) - len(records)
    keep = set(result.trace_ids)
    stale = [
        r[0]
        for r in ex.db.query(
            "SELECT DISTINCT entity_id FROM statements WHERE dataset = ?", (DATASET,)
        )
        if r[0] not in keep
    ]
    with ex.db.transaction() as tx:
        for entity_id in [*result.trace_ids, *stale]:
            tx.purge(entity_id, DATASET)
        tx.put_records(records)
        result.removed = len(stale)
        ex.audit.append(
            tx,
            AUDIT_KIND,
            actor,
            {
                "trace": IN_NODE,
                "recoveries": result.recoveries,
                "acquisitions": result.acquisitions,
                "traced": result.traced,
                "removed": result.removed,
                "traces": result.trace_ids[:1000],
            },
        )
    return result
