"""Dealers whose sales are traced from Mexico more often than the others'.

For each dealer, ``traces / sales`` is compared with the overall rate ``p`` (all traced
acquisitions over all acquisitions) by an exact one-sided binomial test: the chance of at
least this many traces among this many sales if the dealer traced at the overall rate. With
many dealers tested, the p-value is multiplied by their number (Bonferroni). A dealer is
flagged only with at least ``MIN_TRACES`` traces *and* an adjusted p-value under ``ALPHA``,
so one trace at a small shop never flags.

The rate is only as good as its denominator: the sales a node holds, not every sale the shop
made. Traces with a time-to-crime under one year are counted beside it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from paridad.firearms.indicators import time_to_crime
from paridad.firearms.indicators.base import ONE_YEAR, IndicatorResult, Reason
from paridad.firearms.tables import Tables
from paridad.i18n import N_

NAME = "dealers"
VERSION = "1"
TITLE = N_("Dealers with unusual trace rates")
MIN_TRACES = 3
ALPHA = 0.05

MSG_RATE = N_(
    "{traces} traces out of {sales} sales ({rate}%), {ratio} times the overall rate "
    "({overall}%); adjusted p = {p}"
)
MSG_SHORT = N_("{count} traces with time-to-crime under 1 year")
MSG_TOO_FEW = N_("Fewer than {min} traces: not flagged whatever the rate")

COLUMNS = [
    "rank",
    "dealer_id",
    "dealer_name",
    "dealer_state",
    "sales",
    "traces",
    "short_ttc_traces",
    "trace_rate",
    "rate_ratio",
    "p_value",
    "p_adjusted",
    "flagged",
]


def binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed in log space."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * log_p
        + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def run(tables: Tables) -> IndicatorResult:
    sales = tables.rows(
        "SELECT dealer_id, max(dealer_name) AS dealer_name, max(dealer_state) AS dealer_state,"
        " COUNT(*) AS sales FROM acquisitions WHERE dealer_id IS NOT NULL GROUP BY dealer_id"
    )
    traced: dict[str, set[str]] = defaultdict(set)
    short: dict[str, set[str]] = defaultdict(set)
    for trace in time_to_crime.trace_rows(tables):
        if trace["dealer_id"]:
            traced[trace["dealer_id"]].add(trace["acquisition_id"])
            if trace["ttc_days"] is not None and trace["ttc_days"] < ONE_YEAR:
                short[trace["dealer_id"]].add(trace["acquisition_id"])
    total_sales = sum(int(r["sales"]) for r in sales)
    total_traces = sum(len(traced[r["dealer_id"]]) for r in sales)
    overall = total_traces / total_sales if total_sales else 0.0
    tested = max(len(sales), 1)
    rows: list[dict[str, Any]] = []
    for row in sales:
        n, t = int(row["sales"]), len(traced[row["dealer_id"]])
        rate = t / n if n else 0.0
        p_value = binomial_tail(t, n, overall)
        p_adj = min(1.0, p_value * tested)
        flagged = t >= MIN_TRACES and p_adj < ALPHA
        reasons: list[Reason] = []
        if t:
            reasons.append(
                Reason(
                    MSG_RATE,
                    {
                        "traces": t,
                        "sales": n,
                        "rate": round(100 * rate, 1),
                        "ratio": round(rate / overall, 1) if overall else 0,
                        "overall": round(100 * overall, 1),
                        "p": f"{p_adj:.2g}",
                    },
                )
            )
        if short[row["dealer_id"]]:
            reasons.append(Reason(MSG_SHORT, {"count": len(short[row["dealer_id"]])}))
        if 0 < t < MIN_TRACES and rate > overall:
            reasons.append(Reason(MSG_TOO_FEW, {"min": MIN_TRACES}))
        rows.append(
            {
                **row,
                "sales": n,
                "traces": t,
                "short_ttc_traces": len(short[row["dealer_id"]]),
                "trace_rate": round(rate, 4),
                "rate_ratio": round(rate / overall, 2) if overall else None,
                "p_value": p_value,
                "p_adjusted": p_adj,
                "flagged": flagged,
                "reasons": reasons,
            }
        )
    rows.sort(key=lambda r: (not r["flagged"], r["p_value"], -r["traces"], r["dealer_id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    summary = {
        "dealers": len(rows),
        "sales": total_sales,
        "traces": total_traces,
        "overall_rate": round(overall, 4),
        "flagged": sum(r["flagged"] for r in rows),
        "min_traces": MIN_TRACES,
        "alpha": ALPHA,
    }
    return IndicatorResult(NAME, VERSION, TITLE, COLUMNS, rows, summary)
