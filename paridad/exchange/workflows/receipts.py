"""Use receipts: when partner data is viewed or used, its originator is told by whom.

The receipt names the agency and role, the use (view, or use in a product), the case and
the purpose — never the analyst's name, which stays in this node's own audit log — and
travels to the originator as a signed message that lands in the originator's audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError
from paridad.i18n import N_

USES = ("view", "use")
MSG_BAD_USE = N_("A use receipt is for 'view' or 'use', not '{use}'.")


def record_use(
    ex: Exchange,
    entity_ids: Sequence[str],
    *,
    use: str,
    role: str,
    purpose: str,
    case: str | None = None,
    actor: str = "analyst",
) -> int:
    """Log a view or use of entities; partner-originated ones send a receipt. Returns the
    number of receipts sent."""
    if use not in USES:
        raise ExchangeError(MSG_BAD_USE, use=use)
    by_sender: dict[str, list[str]] = defaultdict(list)
    for entity_id in dict.fromkeys(entity_ids):
        for (sender,) in ex.db.query(
            "SELECT sender FROM received WHERE entity_id = ?", (entity_id,)
        ):
            by_sender[sender].append(entity_id)
    with ex.db.transaction() as tx:
        ex.audit.append(
            tx,
            use,
            actor,
            {"entities": list(entity_ids), "role": role, "purpose": purpose, "case": case},
        )
        for sender, ids in sorted(by_sender.items()):
            payload: dict[str, Any] = {
                "kind": m.USE_RECEIPT,
                "entities": ids,
                "use": use,
                "role": role,
                "agency": ex.agency,
                "purpose": purpose,
            }
            if case:
                payload["case"] = case
            ex.enqueue(tx, sender, payload)
    return len(by_sender)
