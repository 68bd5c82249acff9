"""Chain of custody of the data itself: for each value, who obtained it from whom, and how.

A court asks of every item: who originated it (country and agency, from the markings), how it
came to this node, under which legal basis, and where the proof is. The statements answer
the first two, because every value keeps the dataset and origin it was stored under:

- *received* from a partner node: the dataset is ``partner-<node>`` and the origin is the
  envelope's ``<stream>#<sequence>``; the ``received`` and ``inbox`` ledgers name the
  agreement, purpose and the envelope's digest, and the audit log's ``receipt`` entry for that
  envelope is the proof (its inclusion proof goes into the package);
- *ingested* locally: the dataset and the ingest run (source file and its digest) it came in
  with, and the ``ingest`` audit entry that recorded the run (:mod:`paridad.audit.ingests`).

A judicial consent on record adds the originator's answer and its ``consent`` audit entry.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from paridad.exchange.context import Exchange
from paridad.exchange.inbox import received_dataset
from paridad.store.base import EntityRecord

RECEIVED = "received"
INGESTED = "ingested"
JUDICIAL = "judicial"


@dataclass
class AuditIndex:
    """Where in the audit log each receipt and consent answer was recorded."""

    receipts: dict[tuple[str, int], int]
    consents: dict[str, int]
    ingests: dict[tuple[str, str], int]  # (dataset, file SHA-256): the latest run's entry

    @classmethod
    def read(cls, ex: Exchange) -> AuditIndex:
        receipts: dict[tuple[str, int], int] = {}
        consents: dict[str, int] = {}
        ingests: dict[tuple[str, str], int] = {}
        rows = ex.db.query(
            "SELECT idx, kind, body FROM audit_entries"
            " WHERE kind IN ('receipt', 'consent', 'ingest') ORDER BY idx"
        )
        for idx, kind, body in rows:
            try:
                details = json.loads(body)["details"]
            except (ValueError, KeyError, TypeError):
                continue  # a damaged entry proves nothing; ``paridad audit verify`` reports it
            if kind == "receipt" and "stream" in details and "rejected" not in details:
                receipts.setdefault((str(details["stream"]), int(details["seq"])), int(idx))
            elif kind == "consent" and details.get("granted") is True:
                consents.setdefault(str(details.get("request")), int(idx))
            elif kind == "ingest":
                ingests[(str(details.get("dataset")), str(details.get("digest")))] = int(idx)
        return cls(receipts, consents, ingests)


def judicial_consents(ex: Exchange, entity_ids: list[str] | None = None) -> dict[str, Any]:
    """Judicial consents on record, by entity: given by a node that sent us the entity."""
    rows = ex.db.query(
        "SELECT c.entity_id, c.originator, c.request_id, c.granted_at FROM consents c"
        " JOIN received r ON r.entity_id = c.entity_id AND r.sender = c.originator"
        " WHERE c.use = ? ORDER BY c.entity_id, c.granted_at",
        (JUDICIAL,),
    )
    wanted = set(entity_ids) if entity_ids is not None else None
    out: dict[str, Any] = {}
    for entity_id, originator, request, granted_at in rows:
        if wanted is None or entity_id in wanted:
            out.setdefault(
                entity_id, {"originator": originator, "request": request, "granted_at": granted_at}
            )
    return out


class CustodyReader:
    """Reads the ledgers once per package and answers per entity."""

    def __init__(self, ex: Exchange) -> None:
        self.ex = ex
        self.audit = AuditIndex.read(ex)
        self.consents = judicial_consents(ex)
        self._runs: dict[tuple[str, str], dict[str, Any]] = {}
        for dataset, source, digest, started, finished in ex.db.query(
            "SELECT dataset, source, digest, started_at, finished_at FROM ingest_runs"
        ):
            run = {"source": source, "digest": digest, "started_at": started}
            run["finished_at"] = finished
            self._runs[(dataset, f"{source}#{digest[:12]}")] = run

    def _received(self, entity_id: str, origin: str) -> tuple[dict[str, Any], int | None]:
        stream, _, seq_text = origin.rpartition("#")
        seq = int(seq_text) if seq_text.isdigit() else -1
        sender = stream.split(">", 1)[0]
        info: dict[str, Any] = {"partner": sender, "stream": stream, "sequence": seq}
        inbox = self.ex.db.query(
            "SELECT digest, received_at FROM inbox WHERE stream = ? AND seq = ?", (stream, seq)
        )
        if inbox:
            info["envelope_sha256"], info["received_at"] = inbox[0]
        ledger = self.ex.db.query(
            "SELECT agreement, purpose, case_ref FROM received WHERE entity_id = ? AND sender = ?",
            (entity_id, sender),
        )
        if ledger:
            info["agreement"], info["purpose"], info["case"] = ledger[0]
        return info, self.audit.receipts.get((stream, seq))

    def custody(self, record: EntityRecord) -> dict[str, Any]:
        """The chain of custody of one entity, statement by statement (grouped by source)."""
        groups: dict[tuple[str, str], list[tuple[str, str, str, str]]] = defaultdict(list)
        for row in record.rows:
            groups[(row[8], row[9] or "")].append((row[0], row[3], row[10], row[11]))
        sources: list[dict[str, Any]] = []
        for (dataset, origin), statements in sorted(groups.items()):
            source: dict[str, Any] = {
                "dataset": dataset,
                "origin": origin,
                "statements": sorted(s[0] for s in statements),
                "properties": sorted({s[1] for s in statements}),
                "first_seen": min(s[2] for s in statements),
                "last_seen": max(s[3] for s in statements),
            }
            sender = dataset.removeprefix("partner-")
            if dataset == received_dataset(sender) and origin.startswith(f"{sender}>"):
                info, idx = self._received(record.id, origin)
                source.update(how=RECEIVED, received=info, audit_entry=idx)
            else:
                run = self._runs.get((dataset, origin))
                entry = self.audit.ingests.get((dataset, run["digest"])) if run else None
                source.update(how=INGESTED, ingest_run=run, audit_entry=entry)
            sources.append(source)
        marks = record.markings
        out: dict[str, Any] = {
            "origin_country": marks.origin_country,
            "origin_agency": marks.origin_agency,
            "legal_basis": marks.legal_basis,
            "handling": marks.handling,
            "tlp": marks.tlp,
            "grading": marks.grading,
            "sources": sources,
            "consent": None,
        }
        consent = self.consents.get(record.id)
        if consent is not None:
            out["consent"] = {**consent, "audit_entry": self.audit.consents.get(consent["request"])}
        return out


def audit_entries_of(custody: dict[str, Any]) -> list[int]:
    """The audit-log entries one entity's custody cites (receipts, consent)."""
    out = [s["audit_entry"] for s in custody["sources"] if s.get("audit_entry") is not None]
    if custody.get("consent") and custody["consent"].get("audit_entry") is not None:
        out.append(custody["consent"]["audit_entry"])
    return out
