"""Funnel accounts: cash paid in at branches in several places, wired out soon after.

FIN-2014-A005 (finance.md 4.5): an account in one area receives many cash deposits, often
below the reporting threshold, made by several people at branches elsewhere, and the money
leaves shortly after — often to pay for goods shipped abroad (trade-based laundering) or to
Mexico. Defaults: at least 5 cash deposits each under 10,000 USD, at at least 3 distinct
locations, within 30 days; then transfers or wires out of the account between the first
deposit and 7 days after the last carrying at least 70 % of the cash. Benign look-alikes: a
shop depositing its takings at one branch; a person paying in at two branches and keeping
the money.
"""

from __future__ import annotations

from dataclasses import dataclass

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import DAY, HOUR, alert_id, best_per_anchor, bucketed
from paridad.i18n import N_


@dataclass(frozen=True)
class FunnelParams:
    min_deposits: int = 5
    min_locations: int = 3
    below_usd: float = 10_000.0
    window_days: int = 30
    exit_days: int = 7
    min_out_share: float = 0.70


class Funnel(Detector):
    name = "funnel"
    version = "1"
    title = N_("Funnel account")
    rule = N_(
        "{deposits} cash deposits under {below_usd} USD were paid into {anchor} at {locations} "
        "different places ({cash_usd} USD), and {out_pct} % of it left {hours_to_exit} hours "
        "after the last one."
    )

    def __init__(self, params: FunnelParams | None = None) -> None:
        self.params = params or FunnelParams()

    def _deposits(self) -> str:
        p = self.params
        source = f"""
            SELECT tx_id, ts, dst, amount_usd, location FROM tx
            WHERE type = 'cash_deposit' AND dst IS NOT NULL AND amount_usd < {p.below_usd}
        """
        return bucketed(source, "ts", p.window_days * DAY)

    def _bursts(self) -> str:
        p = self.params
        return f"""
            SELECT dst AS anchor, _k, _bucket, count(*) AS deposits,
                   count(DISTINCT location) AS locations, sum(amount_usd) AS cash_usd,
                   min(ts) AS t0, max(ts) AS t1
            FROM ({self._deposits()}) AS d
            GROUP BY dst, _k, _bucket
            HAVING count(*) >= {p.min_deposits} AND count(DISTINCT location) >= {p.min_locations}
        """

    def _exits(self) -> str:
        p = self.params
        return f"""
            SELECT b.anchor, b._k, b._bucket, o.tx_id, o.ts, o.amount_usd
            FROM ({self._bursts()}) AS b JOIN tx AS o ON o.src = b.anchor
            WHERE o.type IN ('transfer', 'wire', 'check', 'other') AND o.dst IS NOT NULL
              AND o.ts >= b.t0 AND o.ts <= b.t1 + {p.exit_days * DAY}
        """

    def alerts_sql(self) -> str:
        p = self.params
        groups = f"""
            SELECT b.anchor, b._k, b._bucket, b.deposits, b.locations, b.cash_usd,
                   sum(e.amount_usd) AS out_usd, max(e.ts) - b.t1 AS exit_after
            FROM ({self._bursts()}) AS b
            JOIN ({self._exits()}) AS e
              ON e.anchor = b.anchor AND e._k = b._k AND e._bucket = b._bucket
            GROUP BY b.anchor, b._k, b._bucket, b.deposits, b.locations, b.cash_usd, b.t1
            HAVING sum(e.amount_usd) >= {p.min_out_share} * b.cash_usd
        """
        best = best_per_anchor(groups, "r.deposits DESC, r.cash_usd DESC")
        return f"""
            SELECT {alert_id(self.name)} AS alert_id, anchor,
                   least(1.0, CAST(deposits * locations AS DOUBLE) / 40.0) AS score,
                   deposits, locations, {p.below_usd} AS below_usd,
                   round(cash_usd, 2) AS cash_usd,
                   round(100.0 * out_usd / cash_usd, 1) AS out_pct,
                   round(greatest(exit_after, 0) / {HOUR}.0, 1) AS hours_to_exit, _k, _bucket
            FROM ({best}) AS best
        """

    def members_sql(self) -> str:
        return f"""
            SELECT a.alert_id, d.tx_id FROM alerts_funnel AS a
            JOIN ({self._deposits()}) AS d
              ON d.dst = a.anchor AND d._k = a._k AND d._bucket = a._bucket
            UNION
            SELECT a.alert_id, e.tx_id FROM alerts_funnel AS a
            JOIN ({self._exits()}) AS e
              ON e.anchor = a.anchor AND e._k = a._k AND e._bucket = a._bucket
        """


DETECTORS = (Funnel,)
