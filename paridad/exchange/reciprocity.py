"""Reciprocity figures per agreement: is the cooperation a two-way street?

Items shared each way, requests for information sent and received with how they ended,
answer times against the agreed deadline, and refusals by reason — the figures a liaison
officer brings to the bilateral meeting. Both nodes compute them from their own ledgers;
each side's figures can be checked against the other's signed log.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from paridad.exchange.context import Exchange


@dataclass
class RequestFigures:
    total: int = 0
    states: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    answered_in_time: int = 0
    answered_late: int = 0
    median_hours: float | None = None
    max_hours: float | None = None


@dataclass
class Reciprocity:
    agreement: str
    partner: str
    deadline_hours: int
    records_sent: int = 0
    records_received: int = 0
    entities_sent: int = 0
    entities_held: int = 0
    recalls_sent: int = 0
    recalls_received: int = 0
    use_receipts: int = 0
    rfis_sent: RequestFigures = field(default_factory=RequestFigures)
    rfis_received: RequestFigures = field(default_factory=RequestFigures)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _hours(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 3600


def _requests(ex: Exchange, partner: str, agreement: str, direction: str) -> RequestFigures:
    rows = ex.db.query(
        "SELECT state, reason, created_at, deadline, answered_at FROM requests"
        " WHERE partner = ? AND agreement = ? AND direction = ? AND kind = 'rfi'",
        (partner, agreement, direction),
    )
    figures = RequestFigures(total=len(rows))
    figures.states = dict(Counter(r[0] for r in rows))
    figures.refusals = dict(Counter(r[1] for r in rows if r[0] == "refused" and r[1]))
    times: list[float] = []
    for state, _reason, created, deadline, answered in rows:
        if answered and state in ("answered", "partially-answered", "refused"):
            times.append(_hours(created, answered))
            if deadline and datetime.fromisoformat(answered) <= datetime.fromisoformat(deadline):
                figures.answered_in_time += 1
            else:
                figures.answered_late += 1
    if times:
        figures.median_hours = round(statistics.median(times), 3)
        figures.max_hours = round(max(times), 3)
    return figures


def reciprocity(ex: Exchange) -> list[Reciprocity]:
    out: list[Reciprocity] = []
    for agreement, _terminated in ex.agreements():
        partner = next(p.node for p in agreement.parties if p.node != ex.name)
        fig = Reciprocity(agreement.id, partner, agreement.rfi_deadline_hours)
        fig.records_sent, fig.entities_sent = ex.db.query(
            "SELECT COUNT(*), COUNT(DISTINCT entity_id) FROM releases"
            " WHERE recipient = ? AND agreement = ?",
            (partner, agreement.id),
        )[0]
        fig.records_received = int(
            ex.db.query(
                "SELECT COALESCE(SUM(records), 0) FROM inbox WHERE sender = ?"
                " AND status = 'applied'",
                (partner,),
            )[0][0]
        )
        fig.entities_held = int(
            ex.db.query(
                "SELECT COUNT(*) FROM received WHERE sender = ? AND agreement = ?",
                (partner, agreement.id),
            )[0][0]
        )
        for direction, attr in (("out", "recalls_sent"), ("in", "recalls_received")):
            setattr(
                fig,
                attr,
                int(
                    ex.db.query(
                        "SELECT COUNT(*) FROM requests WHERE partner = ? AND kind = 'recall'"
                        " AND direction = ?",
                        (partner, direction),
                    )[0][0]
                ),
            )
        fig.use_receipts = int(
            ex.db.query(
                "SELECT COUNT(*) FROM inbox WHERE sender = ? AND kind = 'use-receipt'",
                (partner,),
            )[0][0]
        )
        fig.rfis_sent = _requests(ex, partner, agreement.id, "out")
        fig.rfis_received = _requests(ex, partner, agreement.id, "in")
        out.append(fig)
    return out
