"""Rapid pass-through: large cash in, nearly all of it out within a day.

FIN-2025-Alert001 (finance.md 4.3): armoured-car cash credited to a US business with a
Mexican affiliate, then moved to a Mexican bank within hours — bulk cash repatriated as
business revenue. Built on the shared ``forwarding`` pairs: a cash inflow of at least 25,000
USD of which at least 90 % leaves by transfer or wire within 24 hours (so at most 10 % is
retained). Benign look-alike: a business that deposits its takings and pays suppliers over
the following weeks keeps its balance; a relay of transfers (not cash) is a stack's or a
mule's business, not this rule's.
"""

from __future__ import annotations

from dataclasses import dataclass

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import HOUR
from paridad.i18n import N_


@dataclass(frozen=True)
class PassThroughParams:
    min_cash_usd: float = 25_000.0
    max_hours: int = 24
    min_out_share: float = 0.90


class RapidPassThrough(Detector):
    name = "rapid-pass-through"
    version = "1"
    title = N_("Rapid pass-through")
    rule = N_(
        "{inflows} cash deliveries to {anchor} ({in_usd} USD) left again within {hours} hours, "
        "{out_pct} % of them; {foreign} of the payments out went abroad."
    )
    requires = ("forwarding",)

    def __init__(self, params: PassThroughParams | None = None) -> None:
        self.params = params or PassThroughParams()

    def _relays(self) -> str:
        p = self.params
        return f"""
            SELECT * FROM forwarding
            WHERE in_type = 'cash_deposit' AND a_in >= {p.min_cash_usd}
              AND t_out - t_in <= {p.max_hours * HOUR}
              AND a_out >= {p.min_out_share} * a_in
        """

    def alerts_sql(self) -> str:
        return f"""
            WITH per_inflow AS (
                SELECT via, in_tx, max(a_in) AS a_in, max(a_out) AS a_out,
                       min(t_out - t_in) AS delay,
                       max(CASE WHEN dst_country <> via_country THEN 1 ELSE 0 END) AS foreign_out
                FROM ({self._relays()}) AS r GROUP BY via, in_tx
            )
            SELECT 'rapid-pass-through:' || via AS alert_id, via AS anchor,
                   least(1.0, 0.5 + count(*) / 8.0 + sum(foreign_out) / 8.0) AS score,
                   count(*) AS inflows, round(sum(a_in), 2) AS in_usd,
                   round(100.0 * sum(a_out) / sum(a_in), 1) AS out_pct,
                   round(max(delay) / {HOUR}.0, 1) AS hours, sum(foreign_out) AS foreign
            FROM per_inflow GROUP BY via
        """

    def members_sql(self) -> str:
        relays = self._relays()
        return f"""
            SELECT 'rapid-pass-through:' || via AS alert_id, in_tx AS tx_id FROM ({relays}) AS r
            UNION
            SELECT 'rapid-pass-through:' || via AS alert_id, out_tx AS tx_id FROM ({relays}) AS r
        """


DETECTORS = (RapidPassThrough,)
