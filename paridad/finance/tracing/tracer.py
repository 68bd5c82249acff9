"""``trace()``: the walk and the attribution together, as a graph and a table.

The table has one row per traced transfer (hop, time, from, to, amount, the dollars of it
attributed to the trace); the graph has the accounts (with their hop and the dollars that
reached or left them) and the transfers between them. Backward traces also name the
origins: the accounts whose own money, or the cash, ended up in the seed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from paridad.finance.engines import Engine
from paridad.finance.tracing.attribution import Method, Transfer, backward, forward
from paridad.finance.tracing.expand import Direction, walk
from paridad.i18n import N_

# No bound: the window's ends when the analyst gives none (31 Dec 9999, 23:59:59 UTC).
OPEN_START, OPEN_END = 0, 253_402_300_799

MSG_NO_SEED = N_("No account or holder {seed} in the transactions or the accounts file.")


@dataclass(frozen=True)
class TracedTransfer:
    tx_id: str
    hop: int
    ts: int
    src: str | None
    dst: str | None
    amount_usd: float
    attributed_usd: float


@dataclass
class Trace:
    seeds: list[str]
    direction: Direction
    method: Method
    hops: int
    start: int
    end: int
    transfers: list[TracedTransfer] = field(default_factory=list)
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    origins: dict[str, float] = field(default_factory=dict)
    cut_at_hop: int | None = None

    @property
    def attributed_total(self) -> float:
        """Dollars of the seeds' money that left them (forward) or reached them (backward)."""
        first = [t for t in self.transfers if t.hop == 1]
        return sum(t.attributed_usd for t in first)

    def as_graph(self) -> dict[str, Any]:
        return {
            "seeds": self.seeds,
            "direction": self.direction,
            "method": self.method,
            "hops": self.hops,
            "window": [
                None if self.start <= OPEN_START else _iso(self.start),
                None if self.end >= OPEN_END else _iso(self.end),
            ],
            "cut_at_hop": self.cut_at_hop,
            "nodes": [{"id": a, **v} for a, v in sorted(self.accounts.items())],
            "edges": [
                {
                    "tx_id": t.tx_id,
                    "hop": t.hop,
                    "timestamp": _iso(t.ts),
                    "source": t.src,
                    "target": t.dst,
                    "amount_usd": round(t.amount_usd, 2),
                    "attributed_usd": round(t.attributed_usd, 2),
                }
                for t in self.transfers
            ],
            "origins": {k or "own": round(v, 2) for k, v in sorted(self.origins.items())},
        }

    def write_graph(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_graph(), ensure_ascii=False, indent=2), "utf-8")

    def write_table(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(
                [
                    "hop",
                    "tx_id",
                    "timestamp",
                    "from_account",
                    "to_account",
                    "amount_usd",
                    "attributed_usd",
                ]
            )
            for t in self.transfers:
                writer.writerow(
                    [
                        t.hop,
                        t.tx_id,
                        _iso(t.ts),
                        t.src or "",
                        t.dst or "",
                        f"{t.amount_usd:.2f}",
                        f"{t.attributed_usd:.2f}",
                    ]
                )


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def trace(
    engine: Engine,
    seeds: list[str],
    direction: Direction = "forward",
    hops: int = 3,
    start: int = OPEN_START,
    end: int = OPEN_END,
    method: Method = "fifo",
    max_edges: int = 50_000,
) -> Trace:
    """Trace the money of ``seeds`` (accounts, loaded as ``tx`` in ``engine``)."""
    walked = walk(engine, seeds, direction, hops, start, end, max_edges)
    ledger = [
        Transfer(r["tx_id"], int(r["ts"]), r["src"], r["dst"], float(r["amount_usd"]))
        for r in walked.ledger.to_pylist()
    ]
    within = walked.inner
    seed_set = set(seeds)
    origins: dict[str, float] = {}
    if direction == "forward":
        attributed = forward(ledger, seed_set, within, method)
    else:
        attributed, origins = backward(ledger, seed_set, within, method)
    result = Trace(seeds, direction, method, hops, start, end, cut_at_hop=walked.cut_at_hop)
    for row in walked.edges.to_pylist():
        result.transfers.append(
            TracedTransfer(
                str(row["tx_id"]),
                int(row["hop"]),
                int(row["ts"]),
                row["src"],
                row["dst"],
                float(row["amount_usd"]),
                attributed.get(str(row["tx_id"]), 0.0),
            )
        )
    result.transfers.sort(key=lambda t: (t.hop, t.ts, t.tx_id))
    for account, hop in walked.hops_of.items():
        result.accounts[account] = {"hop": hop, "in_usd": 0.0, "out_usd": 0.0}
    for t in result.transfers:
        for end_, key in ((t.src, "out_usd"), (t.dst, "in_usd")):
            if end_ is not None:
                node = result.accounts.setdefault(
                    end_, {"hop": t.hop, "in_usd": 0.0, "out_usd": 0.0}
                )
                node[key] = round(float(node[key]) + t.attributed_usd, 2)
    result.origins = origins
    return result
