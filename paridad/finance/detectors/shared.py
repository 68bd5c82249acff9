"""Tables several detectors read, materialised once per scan.

``forwarding`` is every relay of money through one account: a payment in (``in_tx``) and a
payment out of the same account (``out_tx``) that leaves after it, within ``max_delay``
seconds, carrying between ``low`` and 100 % of what came in. Cycles, stacks (layering chains),
scatter-gather and rapid pass-through are all walks over these pairs, so the one join that
touches every transaction is done once. Card payments and cash withdrawals never start a relay
(a shop's takings are not passed on card by card), which keeps merchants' and payroll
accounts' many-to-many traffic out of the pair table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

DAY: Final = 86_400
FORWARD_MAX_DELAY: Final = 7 * DAY
FORWARD_LOW: Final = 0.80
FORWARD_MIN_USD: Final = 1_000.0


def forwarding_sql(
    max_delay: int = FORWARD_MAX_DELAY, low: float = FORWARD_LOW, min_usd: float = FORWARD_MIN_USD
) -> str:
    return f"""
        SELECT i.tx_id AS in_tx, o.tx_id AS out_tx, i.dst AS via,
               i.src AS src, o.dst AS dst,
               i.ts AS t_in, o.ts AS t_out,
               i.amount_usd AS a_in, o.amount_usd AS a_out,
               i.type AS in_type, o.type AS out_type,
               i.dst_country AS via_country, o.dst_country AS dst_country
        FROM tx AS i
        JOIN tx AS o ON o.src = i.dst
        WHERE i.dst IS NOT NULL
          AND i.type IN ('transfer', 'wire', 'cash_deposit', 'check', 'other')
          AND o.type IN ('transfer', 'wire', 'check', 'other')
          AND i.amount_usd >= {float(min_usd)}
          AND o.ts >= i.ts AND o.ts <= i.ts + {int(max_delay)}
          AND o.amount_usd <= i.amount_usd
          AND o.amount_usd >= i.amount_usd * {float(low)}
          AND o.tx_id <> i.tx_id
    """


PATH_MIN_USD: Final = 5_000.0
PATH_MAX_DAYS: Final = 30
PATH_MAX_EDGES: Final = 6


def paths_sql(min_usd: float = PATH_MIN_USD, max_days: int = PATH_MAX_DAYS) -> str:
    """Walks of 2 to 6 relayed payments (``x1``… the payments, ``a1``… the accounts).

    Each step joins the walks so far with the forwarding pairs that continue their last
    payment, never revisiting an account except the first: a walk that comes back to its
    first account is ``closed`` (a cycle) and goes no further. Only relays of at least
    ``min_usd`` start a walk and a walk lasts at most ``max_days``.
    """
    span = int(max_days) * 86_400
    cols = ", ".join(
        [f"a{i}" for i in range(1, PATH_MAX_EDGES + 2)] + [f"x{i}" for i in range(1, 7)]
    )
    steps = [
        f"""p2 AS (
            SELECT src AS a1, via AS a2, dst AS a3, in_tx AS x1, out_tx AS x2,
                   2 AS edges, t_in AS t_first, t_out AS t_last, a_in AS first_usd,
                   a_out AS last_usd, 0 AS closed
            FROM forwarding
            WHERE src IS NOT NULL AND src <> dst AND a_in >= {float(min_usd)}
        )"""
    ]
    for n in range(3, PATH_MAX_EDGES + 1):
        prev = n - 1
        keep = ", ".join(f"p.a{i}" for i in range(1, n + 1))
        kept_tx = ", ".join(f"p.x{i}" for i in range(1, n))
        seen = " AND ".join(f"f.dst <> p.a{i}" for i in range(2, n + 1))
        steps.append(
            f"""p{n} AS (
            SELECT {keep}, f.dst AS a{n + 1}, {kept_tx}, f.out_tx AS x{n},
                   {n} AS edges, p.t_first, f.t_out AS t_last, p.first_usd,
                   f.a_out AS last_usd,
                   CASE WHEN f.dst = p.a1 THEN 1 ELSE 0 END AS closed
            FROM p{prev} AS p JOIN forwarding AS f ON f.in_tx = p.x{prev}
            WHERE p.closed = 0 AND {seen} AND f.t_out - p.t_first <= {span}
        )"""
        )

    def select(n: int) -> str:
        values = [f"a{i}" if i <= n + 1 else "CAST(NULL AS VARCHAR)" for i in range(1, 8)]
        values += [f"x{i}" if i <= n else "CAST(NULL AS VARCHAR)" for i in range(1, 7)]
        names = cols.split(", ")
        listed = ", ".join(f"{v} AS {c}" for v, c in zip(values, names, strict=True))
        return (
            f"SELECT {listed}, edges, t_first, t_last, first_usd, last_usd, closed, "
            f"x{n} AS last_tx, x{n - 1} AS prev_tx FROM p{n}"
        )

    body = "\n UNION ALL ".join(select(n) for n in range(2, PATH_MAX_EDGES + 1))
    return "WITH " + ",\n".join(steps) + "\n" + body


# name -> SQL of the shared table; the runner creates each one the first time it is needed,
# in the order listed here (``paths`` reads ``forwarding``).
SHARED: Final[dict[str, Callable[[], str]]] = {"forwarding": forwarding_sql, "paths": paths_sql}
