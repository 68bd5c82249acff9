"""Gather-scatter: a hub collects from several accounts, then pays most of it out to several
others.

The pattern of a collection account that redistributes (AMLSim's "gather-scatter"; the
funnel-then-disperse flow of FIN-2025-A003's CMLN brokers, finance.md 4.4). Defaults: at
least 3 distinct sources within a 6-day window, then at least 3 distinct destinations — none
of them a source — paid between the first inflow and 7 days after the last, carrying 70–100 %
of what came in. A business that receives from customers and pays suppliers passes on far
less of its takings in the week, and its customers and suppliers are not a short burst.
"""

from __future__ import annotations

from dataclasses import dataclass

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import DAY, alert_id, best_per_anchor, bucketed
from paridad.i18n import N_

_FLOWS = "('transfer', 'wire', 'check', 'other', 'cash_deposit')"


@dataclass(frozen=True)
class GatherScatterParams:
    min_sources: int = 3
    min_destinations: int = 3
    window_days: int = 6
    payout_days: int = 7
    min_out_share: float = 0.70
    max_out_share: float = 1.0
    min_in_usd: float = 5_000.0


class GatherScatter(Detector):
    name = "gather-scatter"
    version = "1"
    title = N_("Gather-scatter")
    rule = N_(
        "{sources} accounts paid {anchor} {in_usd} USD, and within days it paid {out_pct} % of "
        "that on to {destinations} other accounts."
    )

    def __init__(self, params: GatherScatterParams | None = None) -> None:
        self.params = params or GatherScatterParams()

    def stages(self) -> list[tuple[str, str]]:
        """The inflows of busy accounts, the gathers and each gather's payouts, materialised
        once: the alerts and their members both read them. The bucketed copy of the inflows
        is built only for accounts with at least ``min_sources`` inflows at all (few, on real
        ledgers)."""
        p = self.params
        flows = f"""
            SELECT tx_id, ts, src, dst, amount_usd, type FROM tx
            WHERE src IS NOT NULL AND dst IS NOT NULL AND src <> dst AND type IN {_FLOWS}
        """
        return [
            (
                "_gs_inflows",
                f"""
                WITH flows AS ({flows}),
                busy AS (
                    SELECT dst AS hub FROM flows GROUP BY dst
                    HAVING count(*) >= {int(p.min_sources)}
                ),
                busy_in AS (SELECT f.* FROM flows AS f JOIN busy ON busy.hub = f.dst)
                SELECT * FROM ({bucketed("SELECT * FROM busy_in", "ts", p.window_days * DAY)}) AS b
                """,
            ),
            (
                "_gs_gathers",
                f"""
                SELECT dst AS anchor, _k, _bucket, count(DISTINCT src) AS sources,
                       sum(amount_usd) AS in_usd, min(ts) AS t0, max(ts) AS t1
                FROM _gs_inflows
                GROUP BY dst, _k, _bucket
                HAVING count(DISTINCT src) >= {p.min_sources}
                   AND sum(amount_usd) >= {p.min_in_usd}
                """,
            ),
            (
                "_gs_payouts",
                f"""
                WITH flows AS ({flows}),
                was AS (
                    SELECT DISTINCT i.dst AS hub, i.src AS source, i._k, i._bucket
                    FROM _gs_inflows AS i
                    JOIN _gs_gathers AS g
                      ON g.anchor = i.dst AND g._k = i._k AND g._bucket = i._bucket
                )
                SELECT g.anchor, g._k, g._bucket, o.tx_id, o.dst, o.amount_usd
                FROM _gs_gathers AS g
                JOIN flows AS o ON o.src = g.anchor
                LEFT JOIN was ON was.hub = g.anchor AND was.source = o.dst
                    AND was._k = g._k AND was._bucket = g._bucket
                WHERE o.ts >= g.t0 AND o.ts <= g.t1 + {p.payout_days * DAY}
                  AND was.source IS NULL
                """,
            ),
        ]

    def alerts_sql(self) -> str:
        p = self.params
        scored = f"""
            SELECT g.anchor, g._k, g._bucket, g.sources, g.in_usd,
                   count(DISTINCT o.dst) AS destinations, sum(o.amount_usd) AS out_usd
            FROM _gs_gathers AS g
            JOIN _gs_payouts AS o
              ON o.anchor = g.anchor AND o._k = g._k AND o._bucket = g._bucket
            GROUP BY g.anchor, g._k, g._bucket, g.sources, g.in_usd
            HAVING count(DISTINCT o.dst) >= {p.min_destinations}
               AND sum(o.amount_usd) >= {p.min_out_share} * g.in_usd
               AND sum(o.amount_usd) <= {p.max_out_share} * g.in_usd
        """
        best = best_per_anchor(scored, "r.sources + r.destinations DESC, r.in_usd DESC")
        return f"""
            SELECT {alert_id(self.name)} AS alert_id, anchor,
                   least(1.0, CAST(sources + destinations AS DOUBLE) / 12.0) AS score,
                   sources, destinations, round(in_usd, 2) AS in_usd,
                   round(100.0 * out_usd / in_usd, 1) AS out_pct, _k, _bucket
            FROM ({best}) AS best
        """

    def members_sql(self) -> str:
        return """
            SELECT a.alert_id, i.tx_id
            FROM alerts_gather_scatter AS a
            JOIN _gs_inflows AS i
              ON i.dst = a.anchor AND i._k = a._k AND i._bucket = a._bucket
            UNION
            SELECT a.alert_id, o.tx_id
            FROM alerts_gather_scatter AS a
            JOIN _gs_payouts AS o
              ON o.anchor = a.anchor AND o._k = a._k AND o._bucket = a._bucket
        """


DETECTORS = (GatherScatter,)
