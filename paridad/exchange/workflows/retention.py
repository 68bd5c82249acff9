"""Retention: received data is deleted when its clock runs out, and the deletion recorded.

Each received entity's deadline is the earlier of the originator's ``retain_until`` and the
agreement's retention for that direction (set on receipt). Expiry purges only the partner's
values, like a recall, and appends one audit entry naming what went.
"""

from __future__ import annotations

from datetime import date

from paridad.exchange.context import Exchange


def expire_retention(ex: Exchange, today: date | None = None) -> int:
    """Purge received entities whose retention ended before ``today``; returns how many."""
    day = (today or date.today()).isoformat()
    rows = ex.db.query(
        "SELECT entity_id, sender, dataset FROM received WHERE retain_until < ?"
        " ORDER BY sender, entity_id",
        (day,),
    )
    if not rows:
        return 0
    with ex.db.transaction() as tx:
        for entity_id, sender, dataset in rows:
            tx.purge(entity_id, dataset)
            tx.execute(
                "DELETE FROM received WHERE entity_id = ? AND sender = ?", (entity_id, sender)
            )
        ex.audit.append(
            tx,
            "retention",
            ex.name,
            {"on": day, "purged": [[sender, entity_id] for entity_id, sender, _ in rows]},
        )
    return len(rows)
