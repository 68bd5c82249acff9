"""Structuring: cash kept just below a reporting threshold, again and again.

Breaking cash into amounts under the threshold to avoid the report is itself an offence in
the US (31 CFR 1010.314; finance.md 5.1), and FIN-2019-A006 names it as a fentanyl red flag
(finance.md 4.1, flag 6). The thresholds come from ``paridad/finance/thresholds.yaml``: each
cash movement is compared with the thresholds in force at its date for its account's country
and its currency (the US CTR's $10,000; Mexico's USD-cash report from USD 500). Defaults: at
least 3 movements within 30 days each in the band [80 % of the threshold, the threshold).
Benign look-alike: a business whose cash deposits vary widely, or an occasional deposit in
the band, does not reach three in a month. A funnel account's deposits are structured too;
the funnel detector says more about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import DAY, alert_id, best_per_anchor, bucketed
from paridad.finance.thresholds import Threshold, load_thresholds, thresholds_sql
from paridad.i18n import N_


@dataclass(frozen=True)
class StructuringParams:
    min_movements: int = 3
    window_days: int = 30
    thresholds: tuple[Threshold, ...] = field(default_factory=lambda: tuple(load_thresholds()))


class Structuring(Detector):
    name = "structuring"
    version = "1"
    title = N_("Structuring")
    rule = N_(
        "{deposits} cash movements of {anchor} within {days} days were each between "
        "{band_low} and {threshold} {currency}, just below the reporting threshold "
        "({threshold_id}): {total} {currency} in all."
    )

    def __init__(self, params: StructuringParams | None = None) -> None:
        self.params = params or StructuringParams()

    def _movements(self) -> str:
        limits = thresholds_sql(list(self.params.thresholds))
        source = f"""
            SELECT t.tx_id, t.ts, t.amount, t.amount_usd,
                   CASE WHEN t.type = 'cash_deposit' THEN t.dst ELSE t.src END AS account,
                   h.threshold_id, h.amount AS threshold, h.band, h.currency
            FROM tx AS t
            JOIN ({limits}) AS h
              ON h.kind = t.type AND h.currency = t.currency
             AND h.jurisdiction = CASE WHEN t.type = 'cash_deposit' THEN t.dst_country
                                       ELSE t.src_country END
            WHERE t.type IN ('cash_deposit', 'cash_withdrawal')
              AND t.ts >= h.t_from AND t.ts <= h.t_to
              AND t.amount >= h.band * h.amount AND t.amount < h.amount
        """
        return bucketed(source, "ts", self.params.window_days * DAY)

    def alerts_sql(self) -> str:
        groups = f"""
            SELECT account AS anchor, threshold_id, _k, _bucket, count(*) AS deposits,
                   max(threshold) AS threshold, max(band) AS band, max(currency) AS currency,
                   sum(amount) AS total, sum(amount_usd) AS total_usd,
                   max(ts) - min(ts) AS span
            FROM ({self._movements()}) AS m
            GROUP BY account, threshold_id, _k, _bucket
            HAVING count(*) >= {self.params.min_movements}
        """
        best = best_per_anchor(groups, "r.deposits DESC, r.total_usd DESC, r.threshold_id")
        return f"""
            SELECT {alert_id(self.name)} || ':' || threshold_id AS alert_id, anchor,
                   least(1.0, CAST(deposits AS DOUBLE) / 10.0) AS score,
                   deposits, threshold_id, threshold, currency,
                   round(band * threshold, 2) AS band_low, round(total, 2) AS total,
                   round(total_usd, 2) AS total_usd, round(span / {DAY}.0, 1) AS days,
                   _k, _bucket
            FROM ({best}) AS best
        """

    def members_sql(self) -> str:
        return f"""
            SELECT a.alert_id, m.tx_id
            FROM alerts_structuring AS a
            JOIN ({self._movements()}) AS m
              ON m.account = a.anchor AND m.threshold_id = a.threshold_id
             AND m._k = a._k AND m._bucket = a._bucket
        """


DETECTORS = (Structuring,)
