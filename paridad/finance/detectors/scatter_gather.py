"""Scatter-gather: one account pays several intermediaries, and each passes the money on to
the same destination.

Layering through mules: the sum is split (scatter), each mule forwards its part within days,
keeping a small cut, and the parts meet again (gather) — the AMLSim "scatter-gather" pattern
and the pass-through of FIN-2025-A003's money mules (finance.md 4.4). Built on the shared
``forwarding`` pairs (a payment in, then ≥ 80 % of it out of the same account within 7 days).
Defaults: at least 2 distinct intermediaries (each node sees only its own country's
mules, so a network of six may show two on each side) between the same source and destination within
a 7-day window of the first legs. The benign look-alike — two people who happen to pay a
common friend — rarely repeats through three intermediaries with relayed amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import DAY, HOUR, alert_id, best_per_anchor, bucketed
from paridad.i18n import N_


@dataclass(frozen=True)
class ScatterGatherParams:
    min_intermediaries: int = 2
    window_days: int = 7


class ScatterGather(Detector):
    name = "scatter-gather"
    version = "1"
    title = N_("Scatter-gather")
    rule = N_(
        "{origin} split {total_usd} USD across {intermediaries} accounts, which passed "
        "{forwarded_pct} % of it on to {anchor} within {hours} hours."
    )
    requires = ("forwarding",)

    def __init__(self, params: ScatterGatherParams | None = None) -> None:
        self.params = params or ScatterGatherParams()

    def _legs(self) -> str:
        source = "SELECT * FROM forwarding WHERE src IS NOT NULL AND src <> dst AND via <> dst"
        return bucketed(source, "t_in", self.params.window_days * DAY)

    def alerts_sql(self) -> str:
        p = self.params
        groups = f"""
            SELECT dst AS anchor, src AS origin, _k, _bucket,
                   count(DISTINCT via) AS intermediaries,
                   sum(a_in) AS total_usd, sum(a_out) AS out_usd,
                   max(t_out) - min(t_in) AS span
            FROM ({self._legs()}) AS legs
            GROUP BY dst, src, _k, _bucket
            HAVING count(DISTINCT via) >= {p.min_intermediaries}
        """
        best = best_per_anchor(groups, "r.intermediaries DESC, r.total_usd DESC, r.origin")
        return f"""
            SELECT {alert_id(self.name)} || ':' || origin AS alert_id, anchor,
                   least(1.0, CAST(intermediaries AS DOUBLE) / {2 * p.min_intermediaries})
                     AS score,
                   origin, intermediaries, round(total_usd, 2) AS total_usd,
                   round(100.0 * out_usd / total_usd, 1) AS forwarded_pct,
                   round(span / {HOUR}.0, 1) AS hours, _k, _bucket
            FROM ({best}) AS best
        """

    def members_sql(self) -> str:
        joined = f"""
            FROM alerts_scatter_gather AS a
            JOIN ({self._legs()}) AS l ON l.dst = a.anchor AND l.src = a.origin
              AND l._k = a._k AND l._bucket = a._bucket
        """
        return f"""
            SELECT a.alert_id, l.in_tx AS tx_id {joined}
            UNION SELECT a.alert_id, l.out_tx AS tx_id {joined}
        """


DETECTORS = (ScatterGather,)
