"""The hop-by-hop walk from a seed over the ``tx`` table, in SQL that DuckDB and Spark share.

Forward, hop k takes the transfers out of the accounts reached at hop k-1 made no earlier than
the money reached them; backward, the transfers into them made no later than the money left.
Each hop is one statement over the previous hop's frontier, so the walk never forms all
paths. The walk stops at ``hops`` or when a hop would pass ``max_edges`` (then the result
says it was cut, and where).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

from paridad.finance.engines import Engine

Direction = Literal["forward", "backward"]


@dataclass(frozen=True)
class Walk:
    """What the walk reached: each account's first hop, the traced edges, the ledger."""

    hops_of: dict[str, int]
    edges: pa.Table  # tx columns plus ``hop``
    ledger: pa.Table  # every transfer in the window touching an inner account
    inner: set[str]  # the accounts money is followed through (every hop but the last)
    cut_at_hop: int | None


def _values(rows: list[tuple[str, int]]) -> str:
    return ", ".join("('" + a.replace("'", "''") + f"', {int(t)})" for a, t in rows)


def walk(
    engine: Engine,
    seeds: list[str],
    direction: Direction,
    hops: int,
    start: int,
    end: int,
    max_edges: int = 50_000,
) -> Walk:
    """Walk up to ``hops`` hops from ``seeds`` over transfers with ``start <= ts <= end``."""
    edge = "t.src" if direction == "forward" else "t.dst"
    other = "t.dst" if direction == "forward" else "t.src"
    reached = other.replace("t.", "e.")  # the same end, in a hop's edge table
    # Forward: money can only leave an account after it arrived; backward, the reverse.
    timely = "t.ts >= f.moment" if direction == "forward" else "t.ts <= f.moment"
    first = start if direction == "forward" else end
    engine.create(
        "_trace_f0",
        f"SELECT * FROM (VALUES {_values([(s, first) for s in seeds])}) AS f(account, moment)",
    )
    engine.create("_trace_seen", "SELECT account, 0 AS hop FROM _trace_f0")
    engine.create(
        "_trace_edges",
        "SELECT tx_id, ts, src, dst, amount, currency, amount_usd, type, 0 AS hop "
        "FROM tx WHERE 1 = 0",
    )
    cut: int | None = None
    for hop in range(1, hops + 1):
        step = (
            f"SELECT t.tx_id, t.ts, t.src, t.dst, t.amount, t.currency, t.amount_usd, t.type, "
            f"{hop} AS hop FROM tx t JOIN _trace_f{hop - 1} f ON {edge} = f.account "
            f"WHERE {timely} AND t.ts BETWEEN {int(start)} AND {int(end)} "
            # Not walked before: an anti-join on the few edges so far, not a NOT IN over tx.
            f"AND NOT EXISTS (SELECT 1 FROM _trace_edges w WHERE w.tx_id = t.tx_id)"
        )
        engine.create(f"_trace_e{hop}", step)
        found = engine.query(f"SELECT count(*) AS n FROM _trace_e{hop}").column("n")[0].as_py()
        if not found:
            break
        total = engine.query("SELECT count(*) AS n FROM _trace_edges").column("n")[0].as_py()
        if int(total) + int(found) > max_edges:
            cut = hop
            break
        engine.create(
            "_trace_edges", f"SELECT * FROM _trace_edges UNION ALL SELECT * FROM _trace_e{hop}"
        )
        agg = "min" if direction == "forward" else "max"
        # The next frontier: accounts reached by this hop (cash has no account), with the
        # earliest time money arrived (forward) or the latest it left (backward).
        engine.create(
            f"_trace_f{hop}",
            f"SELECT {reached} AS account, {agg}(e.ts) AS moment "
            f"FROM _trace_e{hop} e WHERE {reached} IS NOT NULL "
            f"AND {reached} NOT IN (SELECT account FROM _trace_seen) "
            f"GROUP BY {reached}",
        )
        engine.create(
            "_trace_seen",
            f"SELECT account, hop FROM _trace_seen UNION ALL "
            f"SELECT account, {hop} AS hop FROM _trace_f{hop}",
        )
    seen = engine.query("SELECT account, hop FROM _trace_seen")
    hops_of = {
        str(a): int(h)
        for a, h in zip(
            seen.column("account").to_pylist(), seen.column("hop").to_pylist(), strict=True
        )
    }
    edges = engine.query("SELECT * FROM _trace_edges ORDER BY ts, tx_id")
    # The ledgers attribution needs: those of the accounts money is followed through, the
    # seeds and every hop but the last (where the walk stops and the trace ends).
    last = max(hops_of.values(), default=0)
    engine.create(
        "_trace_inner",
        f"SELECT account FROM _trace_seen WHERE hop < {max(last, 1)} AND hop < {int(hops)}",
    )
    window = f"t.ts BETWEEN {int(start)} AND {int(end)}"
    engine.create(
        "_trace_ledger",
        "SELECT t.tx_id, t.ts, t.src, t.dst, t.amount_usd FROM tx t "
        f"JOIN _trace_inner i ON t.src = i.account WHERE {window} "
        "UNION "
        "SELECT t.tx_id, t.ts, t.src, t.dst, t.amount_usd FROM tx t "
        f"JOIN _trace_inner i ON t.dst = i.account WHERE {window}",
    )
    ledger = engine.query("SELECT * FROM _trace_ledger ORDER BY ts, tx_id")
    inner = {str(a) for a in engine.query("SELECT account FROM _trace_inner").column(0).to_pylist()}
    return Walk(hops_of=hops_of, edges=edges, ledger=ledger, inner=inner, cut_at_hop=cut)
