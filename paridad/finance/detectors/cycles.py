"""Cycles: money that goes round a ring of accounts and comes back where it started.

Round-tripping through fronts makes dirty money look like business income (AMLSim's
"cycle"; consulting fees between related companies). Built on the shared ``paths`` walks over
relayed payments (each hop leaves after the previous one arrived and keeps at least 80 % of
it). Defaults: 3–6 accounts, the whole ring within 30 days, a first payment of at least
5,000 USD. A rotation of the same ring is one alert: it is reported from its smallest account.
Benign look-alike: two firms paying each other invoices (a 2-account loop) is not a cycle.
"""

from __future__ import annotations

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.windows import DAY
from paridad.i18n import N_

# The ring read from its smallest account: a1 is not larger than any other account on it.
_CANONICAL = " AND ".join(f"a1 <= coalesce(a{i}, a1)" for i in range(2, 7))


class Cycle(Detector):
    name = "cycle"
    version = "1"
    title = N_("Cycle")
    rule = N_(
        "{first_usd} USD left {anchor}, went round {accounts} accounts and came back within "
        "{days} days, {kept_pct} % of it."
    )
    requires = ("forwarding", "paths")

    def alerts_sql(self) -> str:
        return f"""
            SELECT 'cycle:' || a1 || ':' || x1 AS alert_id, a1 AS anchor,
                   least(1.0, 0.5 + edges / 12.0) * least(1.0, last_usd / first_usd) AS score,
                   edges AS accounts, round((t_last - t_first) / {DAY}.0, 1) AS days,
                   round(first_usd, 2) AS first_usd,
                   round(100.0 * last_usd / first_usd, 1) AS kept_pct,
                   x1 AS _x1, x2 AS _x2, x3 AS _x3, x4 AS _x4, x5 AS _x5, x6 AS _x6
            FROM paths
            WHERE closed = 1 AND {_CANONICAL}
        """

    def members_sql(self) -> str:
        return " UNION ".join(
            f"SELECT alert_id, _x{i} AS tx_id FROM alerts_cycle WHERE _x{i} IS NOT NULL"
            for i in range(1, 7)
        )


DETECTORS = (Cycle,)
