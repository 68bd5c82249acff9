"""Bipartite blocks: several accounts each paying the same several accounts.

A many-to-many block of payments between two sets of accounts (AMLSim's "bipartite"; shell
companies invoicing each other, FIN-2024-A002's shell-like counterparties, finance.md 4.2).
Defaults: at least 2 sources sharing at least 2 destinations within a 10-day window. To
scale, only edges whose source pays 2–12 distinct accounts and whose destination is paid by
2–12 distinct accounts in the window are considered: a hub (a payroll account, a shop) is
not a block, and pairs are formed only among those edges. The block is named by its smallest
destination.
"""

from __future__ import annotations

from dataclasses import dataclass

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import DAY, alert_id, best_per_anchor, bucketed
from paridad.i18n import N_

_FLOWS = "('transfer', 'wire', 'check', 'other')"


@dataclass(frozen=True)
class BipartiteParams:
    window_days: int = 10
    min_side: int = 2
    max_degree: int = 12
    min_usd: float = 1_000.0


class Bipartite(Detector):
    name = "bipartite"
    version = "1"
    title = N_("Bipartite block")
    rule = N_(
        "{sources} accounts each paid the same {destinations} accounts (the block of {anchor}) "
        "within {days} days: {total_usd} USD in {payments} payments."
    )

    def __init__(self, params: BipartiteParams | None = None) -> None:
        self.params = params or BipartiteParams()

    def _bucketed(self) -> str:
        p = self.params
        source = f"""
            SELECT tx_id, ts, src, dst, amount_usd FROM tx
            WHERE src IS NOT NULL AND dst IS NOT NULL AND src <> dst AND type IN {_FLOWS}
              AND amount_usd >= {p.min_usd}
        """
        return bucketed(source, "ts", p.window_days * DAY)

    def _kept_links(self) -> str:
        """Links whose source pays, and whose destination is paid by, 2 to ``max_degree``
        distinct accounts in the window (degrees by window functions, not joins)."""
        p = self.params
        return f"""
            WITH links AS (SELECT DISTINCT src, dst, _k, _bucket FROM bipartite_bucketed),
            degrees AS (
                SELECT src, dst, _k, _bucket,
                       count(*) OVER (PARTITION BY src, _k, _bucket) AS out_degree,
                       count(*) OVER (PARTITION BY dst, _k, _bucket) AS in_degree
                FROM links
            )
            SELECT src, dst, _k, _bucket FROM degrees
            WHERE out_degree BETWEEN 2 AND {p.max_degree}
              AND in_degree BETWEEN 2 AND {p.max_degree}
        """

    def _edges(self) -> str:
        return """
            SELECT b.* FROM bipartite_bucketed AS b
            JOIN bipartite_links AS k
              ON k.src = b.src AND k.dst = b.dst AND k._k = b._k AND k._bucket = b._bucket
        """

    def stages(self) -> list[tuple[str, str]]:
        return [
            ("bipartite_bucketed", self._bucketed()),
            ("bipartite_links", self._kept_links()),
            ("bipartite_edges", self._edges()),
            ("bipartite_blocks", self._blocks()),
        ]

    def _blocks(self) -> str:
        """Source pairs sharing at least two destinations; the block's smallest shared
        destination names it; every (block, source, destination) edge of it."""
        return """
            WITH e AS (SELECT * FROM bipartite_edges),
            pairs AS (
                SELECT a.src AS s1, b.src AS s2, a._k, a._bucket, min(a.dst) AS anchor
                FROM e AS a JOIN e AS b
                  ON a.dst = b.dst AND a._k = b._k AND a._bucket = b._bucket AND a.src < b.src
                GROUP BY a.src, b.src, a._k, a._bucket
                HAVING count(DISTINCT a.dst) >= 2
            ),
            shared AS (
                SELECT p.anchor, p._k, p._bucket, a.src, a.dst
                FROM pairs AS p
                JOIN e AS a ON a.src = p.s1 AND a._k = p._k AND a._bucket = p._bucket
                JOIN e AS b ON b.src = p.s2 AND b._k = p._k AND b._bucket = p._bucket
                           AND b.dst = a.dst
                UNION
                SELECT p.anchor, p._k, p._bucket, b.src, b.dst
                FROM pairs AS p
                JOIN e AS a ON a.src = p.s1 AND a._k = p._k AND a._bucket = p._bucket
                JOIN e AS b ON b.src = p.s2 AND b._k = p._k AND b._bucket = p._bucket
                           AND b.dst = a.dst
            )
            SELECT s.anchor, s._k, s._bucket, e.tx_id, e.src, e.dst, e.amount_usd, e.ts
            FROM shared AS s
            JOIN e ON e.src = s.src AND e.dst = s.dst AND e._k = s._k AND e._bucket = s._bucket
        """

    def alerts_sql(self) -> str:
        p = self.params
        groups = f"""
            SELECT anchor, _k, _bucket, count(DISTINCT src) AS sources,
                   count(DISTINCT dst) AS destinations, count(*) AS payments,
                   sum(amount_usd) AS total_usd, max(ts) - min(ts) AS span
            FROM bipartite_blocks AS blk
            GROUP BY anchor, _k, _bucket
            HAVING count(DISTINCT src) >= {p.min_side} AND count(DISTINCT dst) >= {p.min_side}
        """
        best = best_per_anchor(groups, "r.payments DESC, r.total_usd DESC")
        return f"""
            SELECT {alert_id(self.name)} AS alert_id, anchor,
                   least(1.0, CAST(payments AS DOUBLE) / 12.0) AS score,
                   sources, destinations, payments, round(total_usd, 2) AS total_usd,
                   round(span / {DAY}.0, 1) AS days, _k, _bucket
            FROM ({best}) AS best
        """

    def members_sql(self) -> str:
        return """
            SELECT a.alert_id, blk.tx_id
            FROM alerts_bipartite AS a
            JOIN bipartite_blocks AS blk
              ON blk.anchor = a.anchor AND blk._k = a._k AND blk._bucket = a._bucket
        """


DETECTORS = (Bipartite,)
