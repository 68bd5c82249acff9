"""Gather a case's entities by following references, through the judicial gate as it goes.

A case is a JointCase entity (recoveries point to it with ``case``) or a case number
(``caseNumber`` on a FirearmRecovery or a JointCase). From the recoveries the trace chain runs
recovery -> firearm -> FirearmTrace -> first retail FirearmAcquisition -> purchaser and dealer,
then the purchasers' other acquisitions (purchase history) and the entities directly linked
to the people and organisations found (links).

Each entity is judged by :class:`paridad.policy.release_gate.JudicialGate` the moment it is
reached, and a withheld entity is never followed: walking through it would show the court
what it connects, which is part of what its originator kept back. The walk is bounded
(:data:`MAX_ENTITIES`, :data:`MAX_LINKS`) so a hub entity cannot turn a case into the whole
store; a package that hit the bound says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from paridad.errors import ParidadError
from paridad.exchange.context import Exchange
from paridad.i18n import N_
from paridad.policy.release_gate import JudicialGate, Refused, Released
from paridad.store.base import EntityRecord

# The sections of a package, in the order a reader meets them.
SECTIONS: tuple[str, ...] = (
    "case",
    "recoveries",
    "firearms",
    "traces",
    "acquisitions",
    "parties",
    "purchase_history",
    "links",
)
MAX_ENTITIES = 2000
MAX_LINKS = 50  # entities linked to one person or organisation
_CHUNK = 500

MSG_UNKNOWN_CASE = N_(
    "There is no case '{case}' on this node: no joint case has that id or case number, and "
    "no firearm recovery names it."
)
MSG_EMPTY_CASE = N_("Give a case: a joint case id or a case number.")


class UnknownCase(ParidadError):
    """The case asked for is not on this node."""


@dataclass
class Collected:
    """What the walk found: released entities by section, and what it withheld or missed."""

    case: str
    joint_cases: list[str] = field(default_factory=list)
    case_numbers: list[str] = field(default_factory=list)
    sections: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SECTIONS})
    released: dict[str, Released] = field(default_factory=dict)
    records: dict[str, EntityRecord] = field(default_factory=dict)
    withheld: list[Refused] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    truncated: bool = False


class _Walk:
    def __init__(self, ex: Exchange, gate: JudicialGate, out: Collected) -> None:
        self.ex = ex
        self.gate = gate
        self.out = out
        self.seen: set[str] = set()

    def admit(self, ids: Iterable[str], section: str) -> list[str]:
        """Judge the entities not seen yet; return those released (now in ``section``)."""
        fresh = [i for i in dict.fromkeys(ids) if i not in self.seen]
        room = MAX_ENTITIES - len(self.seen)
        if len(fresh) > room:
            self.out.truncated = True
            fresh = fresh[: max(room, 0)]
        self.seen.update(fresh)
        found = {r.id: r for r in self.ex.records(fresh)}
        admitted: list[str] = []
        for entity_id in fresh:
            record = found.get(entity_id)
            if record is None:
                self.out.missing.append(entity_id)
                continue
            outcome = self.gate.release(record)
            if isinstance(outcome, Refused):
                self.out.withheld.append(outcome)
                continue
            self.out.released[entity_id] = outcome
            self.out.records[entity_id] = record
            self.out.sections[section].append(entity_id)
            admitted.append(entity_id)
        return admitted

    def refs(self, ids: Iterable[str], props: Sequence[str]) -> list[str]:
        """Values of entity properties ``props`` of released entities ``ids`` (forward)."""
        out: list[str] = []
        for entity_id in ids:
            released = self.out.released.get(entity_id)
            if released is not None:
                for prop in props:
                    out.extend(released.properties.get(prop, []))
        return out

    def pointing(self, schema: str | None, prop: str | None, targets: Sequence[str]) -> list[str]:
        """Entities (of ``schema``, by ``prop`` when given) whose entity value is a target."""
        out: list[str] = []
        for i in range(0, len(targets), _CHUNK):
            chunk = list(targets[i : i + _CHUNK])
            if not chunk:
                continue
            where = ["prop_type = 'entity'", f"value IN ({','.join('?' * len(chunk))})"]
            args: list[str] = list(chunk)
            if schema is not None:
                where.append("schema = ?")
                args.append(schema)
            if prop is not None:
                where.append("prop = ?")
                args.append(prop)
            rows = self.ex.db.query(
                f"SELECT DISTINCT entity_id FROM statements WHERE {' AND '.join(where)}"
                " ORDER BY entity_id",
                args,
            )
            out.extend(r[0] for r in rows)
        return out

    def with_value(self, schema: str, prop: str, value: str) -> list[str]:
        rows = self.ex.db.query(
            "SELECT DISTINCT entity_id FROM statements WHERE schema = ? AND prop = ?"
            " AND value = ? ORDER BY entity_id",
            (schema, prop, value),
        )
        return [r[0] for r in rows]


def collect(ex: Exchange, case: str, gate: JudicialGate) -> Collected:
    """Walk the case ``case`` on ``ex``'s node (see the module docstring)."""
    case = case.strip()
    if not case:
        raise UnknownCase(MSG_EMPTY_CASE)
    out = Collected(case)
    walk = _Walk(ex, gate, out)
    joint = ex.db.query("SELECT id FROM entities WHERE id = ? AND schema = 'JointCase'", (case,))
    joint_ids = [r[0] for r in joint] + walk.with_value("JointCase", "caseNumber", case)
    joint_ids = list(dict.fromkeys(joint_ids))
    recoveries = walk.with_value("FirearmRecovery", "caseNumber", case)
    recoveries += walk.pointing("FirearmRecovery", "case", joint_ids)
    if not joint_ids and not recoveries:
        raise UnknownCase(MSG_UNKNOWN_CASE, case=case)
    out.joint_cases = walk.admit(joint_ids, "case")
    numbers = {case} if not joint else set()
    numbers.update(walk.refs(out.joint_cases, ["caseNumber"]))
    for number in sorted(numbers - {case}):
        recoveries += walk.with_value("FirearmRecovery", "caseNumber", number)
    out.case_numbers = sorted(numbers)

    kept_recoveries = walk.admit(recoveries, "recoveries")
    walk.admit(walk.refs(kept_recoveries, ["firearm"]), "firearms")
    traces = walk.admit(walk.pointing("FirearmTrace", "recovery", kept_recoveries), "traces")
    acquisitions = walk.admit(walk.refs(traces, ["acquisition"]), "acquisitions")
    walk.admit(walk.refs(acquisitions, ["firearm"]), "firearms")
    walk.admit(walk.refs(kept_recoveries, ["possessor"]), "parties")
    walk.admit(walk.refs(acquisitions, ["purchaser", "dealer"]), "parties")
    purchasers = [p for p in walk.refs(acquisitions, ["purchaser"]) if p in out.released]
    history = walk.admit(
        walk.pointing("FirearmAcquisition", "purchaser", purchasers), "purchase_history"
    )
    walk.admit(walk.refs(history, ["firearm"]), "firearms")
    walk.admit(walk.refs(history, ["dealer"]), "parties")
    for party in list(out.sections["parties"]):
        linked = walk.pointing(None, None, [party])[:MAX_LINKS]
        edges = walk.admit(linked, "links")
        # An edge (an Ownership, a family tie) is worth its other end.
        ends = [e for e in _entity_values(out.records, edges) if e != party]
        forward = _entity_values(out.records, [party])
        walk.admit([*ends, *forward][:MAX_LINKS], "links")
    return out


def _entity_values(records: dict[str, EntityRecord], ids: Iterable[str]) -> list[str]:
    """Every entity-typed value of the given records (their outgoing references)."""
    out: list[str] = []
    for entity_id in ids:
        record = records.get(entity_id)
        if record is not None:
            out.extend(row[5] for row in record.rows if row[4] == "entity")
    return out
