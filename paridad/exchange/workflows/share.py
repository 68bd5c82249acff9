"""Share: push records to a partner, through the release gate, in signed batches.

Records are read, gated and sealed a batch at a time: each batch is one envelope with the
Merkle root of its records, one outbox row, one ``releases`` row per entity and one audit
entry, all in one transaction — so what the ledger says was released is exactly what the
envelope carries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, now_iso
from paridad.exchange.envelope import canonical_records
from paridad.policy.release_gate import Released, ReleaseGate
from paridad.store.database import Tx

BATCH = 1000


@dataclass
class ShareResult:
    released: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    not_found: int = 0
    envelopes: list[tuple[str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "released": self.released,
            "refused": dict(self.refused),
            "not_found": self.not_found,
            "envelopes": len(self.envelopes),
        }


def send_records(
    ex: Exchange,
    tx: Tx,
    gate: ReleaseGate,
    released: Sequence[Released],
    payload: dict[str, Any],
    actor: str,
    case: str | None,
    refused: Counter[str] | None = None,
) -> tuple[str, int]:
    """Seal gated records into one envelope and record the release, inside ``tx``."""
    records = [r.to_payload() for r in released]
    record_bytes = canonical_records(records)
    root = m.root_of(record_bytes)
    body = {
        **payload,
        "agreement": gate.agreement.id,
        "version": gate.agreement.version,
        "purpose": gate.purpose,
        "records": records,
        "records_root": root,
    }
    if case:
        body["case"] = case
    stream, seq = ex.enqueue(tx, gate.recipient, body, record_bytes)
    at = now_iso()
    tx.executemany(
        "INSERT INTO releases (entity_id, recipient, agreement, stream, seq, purpose, case_ref,"
        " released_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
        [
            (r.entity_id, gate.recipient, gate.agreement.id, stream, seq, gate.purpose, case, at)
            for r in released
        ],
    )
    ex.audit.append(
        tx,
        "release",
        actor,
        {
            "recipient": gate.recipient,
            "agreement": gate.agreement.id,
            "version": gate.agreement.version,
            "purpose": gate.purpose,
            "case": case,
            "kind": body["kind"],
            "stream": stream,
            "seq": seq,
            "records": len(records),
            "records_root": root,
            "entities": [r.entity_id for r in released],
            "refused": dict(refused or {}),
        },
    )
    return stream, seq


def share(
    ex: Exchange,
    partner: str,
    purpose: str,
    entity_ids: Sequence[str],
    *,
    case: str | None = None,
    note: str | None = None,
    actor: str = "analyst",
    progress: Callable[[int], None] | None = None,
) -> ShareResult:
    """Release what the agreement allows of ``entity_ids`` to ``partner`` for ``purpose``."""
    gate = ex.gate(partner, purpose, ex.onward_consents(entity_ids))
    result = ShareResult()
    for start in range(0, len(entity_ids), BATCH):
        chunk = entity_ids[start : start + BATCH]
        records = ex.candidates(chunk)
        result.not_found += len(set(chunk)) - len(records)
        released, refused = gate.release_all(records)
        codes = Counter(r.code for r in refused)
        result.refused.update(codes)
        if released:
            payload: dict[str, Any] = {"kind": m.SHARE}
            if note:
                payload["note"] = note[: m.MAX_TEXT]
            with ex.db.transaction() as tx:
                result.envelopes.append(
                    send_records(ex, tx, gate, released, payload, actor, case, codes)
                )
            result.released += len(released)
        if progress is not None:
            progress(len(chunk))
    return result
