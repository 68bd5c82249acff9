"""Recall: take back what was shared by mistake, as a signed tombstone.

The recipient purges every value it received about the recalled entities (only those: what
it knew on its own stays), records the purge in its audit log and confirms; the sender's
ledger then shows the release as recalled and the purge as confirmed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError, now_iso
from paridad.exchange.workflows.requests import _insert_out
from paridad.i18n import N_

MSG_NOT_RELEASED = N_(
    "Entity {entity} was never released to {partner}; there is nothing to recall."
)


def recall(
    ex: Exchange,
    partner: str,
    entity_ids: Sequence[str],
    reason: str,
    *,
    actor: str = "analyst",
) -> str:
    """Recall ``entity_ids`` from ``partner``; returns the recall id."""
    for entity_id in entity_ids:
        if not ex.db.query(
            "SELECT 1 FROM releases WHERE entity_id = ? AND recipient = ?", (entity_id, partner)
        ):
            raise ExchangeError(MSG_NOT_RELEASED, entity=entity_id, partner=partner)
    payload = {
        "kind": m.RECALL,
        "id": f"{ex.name}-recall-{uuid.uuid4().hex[:12]}",
        "entities": list(dict.fromkeys(entity_ids)),
        "reason": reason.strip()[:300] or "-",
    }
    with ex.db.transaction() as tx:
        _insert_out(ex, tx, "recall", partner, payload)
        ex.enqueue(tx, partner, payload)
        tx.executemany(
            "UPDATE releases SET recalled_at = ? WHERE entity_id = ? AND recipient = ?"
            " AND recalled_at IS NULL",
            [(now_iso(), e, partner) for e in payload["entities"]],
        )
        ex.audit.append(
            tx,
            "recall",
            actor,
            {"recall": payload["id"], "to": partner, "entities": payload["entities"]},
        )
    return str(payload["id"])
