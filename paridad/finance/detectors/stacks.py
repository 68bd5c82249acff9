"""Stacks: layering chains — money relayed through three or more accounts in a row.

Each layer puts distance between the money and its source (AMLSim's "stack"; the layering
stage of every typology in finance.md 4). Built on the shared ``paths`` walks: at least 3
relayed hops (4 accounts) within 14 days, each keeping at least 80 % of what came in, first
payment at least 5,000 USD. Only maximal chains are reported (a chain that continues, or that
is the tail of a longer one, is reported once, as the longest), except that walks stop at 6
hops. A chain whose payments belong to a cycle is the cycle's, not a stack. Benign look-alike:
an ordinary payment that happens to be passed on once is a single hop.
"""

from __future__ import annotations

from dataclasses import dataclass

from paridad.finance.detectors.base import Detector
from paridad.finance.detectors.shared import PATH_MAX_EDGES
from paridad.finance.detectors.windows import DAY
from paridad.i18n import N_


@dataclass(frozen=True)
class StackParams:
    min_hops: int = 3
    max_days: int = 14


class Stack(Detector):
    name = "stack"
    version = "1"
    title = N_("Layering chain")
    rule = N_(
        "{first_usd} USD from {anchor} was passed on through {hops} accounts in a row within "
        "{days} days; {kept_pct} % of it reached the last."
    )
    requires = ("forwarding", "paths")

    def __init__(self, params: StackParams | None = None) -> None:
        self.params = params or StackParams()

    def alerts_sql(self) -> str:
        p = self.params
        in_cycles = " UNION ".join(
            f"SELECT x{i} AS tx FROM paths WHERE closed = 1 AND x{i} IS NOT NULL"
            for i in range(1, 7)
        )
        return f"""
            WITH cyc AS ({in_cycles}),
            open_paths AS (
                SELECT * FROM paths
                WHERE closed = 0 AND edges >= {p.min_hops}
                  AND t_last - t_first <= {p.max_days * DAY}
            ),
            longer AS (SELECT x1, prev_tx, x2, last_tx FROM paths WHERE closed = 0),
            maximal AS (
                SELECT o.* FROM open_paths AS o
                LEFT JOIN longer AS f ON f.x1 = o.x1 AND f.prev_tx = o.last_tx
                LEFT JOIN longer AS b ON b.x2 = o.x1 AND b.last_tx = o.last_tx
                LEFT JOIN cyc ON cyc.tx = o.x1
                WHERE (f.x1 IS NULL OR o.edges = {PATH_MAX_EDGES})
                  AND b.x2 IS NULL AND cyc.tx IS NULL
            )
            SELECT 'stack:' || a1 || ':' || x1 || ':' || last_tx AS alert_id, a1 AS anchor,
                   least(1.0, edges / 5.0) * least(1.0, last_usd / first_usd) AS score,
                   edges AS hops, round((t_last - t_first) / {DAY}.0, 1) AS days,
                   round(first_usd, 2) AS first_usd,
                   round(100.0 * last_usd / first_usd, 1) AS kept_pct,
                   x1 AS _x1, x2 AS _x2, x3 AS _x3, x4 AS _x4, x5 AS _x5, x6 AS _x6
            FROM maximal
        """

    def members_sql(self) -> str:
        return " UNION ".join(
            f"SELECT alert_id, _x{i} AS tx_id FROM alerts_stack WHERE _x{i} IS NOT NULL"
            for i in range(1, 7)
        )


DETECTORS = (Stack,)
