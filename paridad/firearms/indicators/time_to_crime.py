"""Time-to-crime (TTC): days from the first retail sale to the recovery in Mexico.

ATF treats a short TTC as a trafficking indicator: historically under 3 years, and the
National Firearms Commerce and Trafficking Assessment reports the share under 1 year. A trace
carries its TTC when the tracer computed it; otherwise it is recomputed from the two dates.
Bands: under 1 year (< 365 days), 1-3 years (< 1,095 days), 3 years or more.
"""

from __future__ import annotations

import statistics
from typing import Any

from paridad.firearms.indicators.base import ONE_YEAR, THREE_YEARS, IndicatorResult, Reason
from paridad.firearms.tables import Tables
from paridad.i18n import N_

NAME = "time_to_crime"
VERSION = "1"
TITLE = N_("Time-to-crime")
MSG_UNDER_1 = N_("Time-to-crime of {days} days: under 1 year")
MSG_UNDER_3 = N_("Time-to-crime of {days} days: under 3 years")

BAND_UNDER_1 = "under-1y"
BAND_1_TO_3 = "1-3y"
BAND_3_PLUS = "3y-plus"
BANDS = (BAND_UNDER_1, BAND_1_TO_3, BAND_3_PLUS)
BAND_LABELS = {
    BAND_UNDER_1: N_("under 1 year"),
    BAND_1_TO_3: N_("1 to 3 years"),
    BAND_3_PLUS: N_("3 years or more"),
}

COLUMNS = [
    "recovery_id",
    "acquisition_id",
    "ttc_days",
    "band",
    "type",
    "make",
    "caliber",
    "sold_on",
    "recovered_on",
    "dealer_state",
    "recovery_state",
]

TRACE_ROWS_SQL = """
SELECT t.recovery_id, t.acquisition_id,
       COALESCE(t.ttc_days, date_diff('day', a.sold_on, r.recovered_on)) AS ttc_days,
       lower(COALESCE(a.type, r.type)) AS type,
       COALESCE(a.make, r.make) AS make,
       COALESCE(a.caliber, r.caliber) AS caliber,
       a.sold_on, r.recovered_on, a.dealer_state, a.dealer_county,
       r.state AS recovery_state, r.municipality AS recovery_municipality,
       a.purchaser_id, a.dealer_id, r.possessor_id, t.score
FROM traces t
LEFT JOIN acquisitions a ON a.acquisition_id = t.acquisition_id
LEFT JOIN recoveries r ON r.recovery_id = t.recovery_id
ORDER BY t.recovery_id
"""


def band(days: int | None) -> str | None:
    """The TTC band of a number of days (``None`` when unknown)."""
    if days is None:
        return None
    if days < ONE_YEAR:
        return BAND_UNDER_1
    if days < THREE_YEARS:
        return BAND_1_TO_3
    return BAND_3_PLUS


def trace_rows(tables: Tables) -> list[dict[str, Any]]:
    """Every trace joined to its acquisition and recovery, with its TTC (shared by the
    corridors, dealers, purchasers and the report)."""
    return tables.rows(TRACE_ROWS_SQL)


def stats(days: list[int]) -> dict[str, Any]:
    """Count, median, mean and the shares under 1 and 3 years of a list of TTCs."""
    if not days:
        return {
            "n": 0,
            "median_days": None,
            "mean_days": None,
            "share_under_1y": None,
            "share_under_3y": None,
        }
    n = len(days)
    return {
        "n": n,
        "median_days": float(statistics.median(days)),
        "mean_days": round(statistics.fmean(days), 1),
        "share_under_1y": round(sum(d < ONE_YEAR for d in days) / n, 4),
        "share_under_3y": round(sum(d < THREE_YEARS for d in days) / n, 4),
    }


def run(tables: Tables) -> IndicatorResult:
    rows: list[dict[str, Any]] = []
    by_type: dict[str, list[int]] = {}
    for trace in trace_rows(tables):
        days = trace["ttc_days"]
        b = band(days)
        reasons: list[Reason] = []
        if b == BAND_UNDER_1:
            reasons.append(Reason(MSG_UNDER_1, {"days": days}))
        elif b == BAND_1_TO_3:
            reasons.append(Reason(MSG_UNDER_3, {"days": days}))
        rows.append({**{c: trace.get(c) for c in COLUMNS}, "band": b, "reasons": reasons})
        if days is not None:
            by_type.setdefault(trace["type"] or "", []).append(days)
    known = [d for ds in by_type.values() for d in ds]
    summary = stats(known)
    summary["traces"] = len(rows)
    summary["without_ttc"] = len(rows) - len(known)
    summary["bands"] = {b: sum(r["band"] == b for r in rows) for b in BANDS}
    summary["by_type"] = {t: stats(ds) for t, ds in sorted(by_type.items())}
    return IndicatorResult(NAME, VERSION, TITLE, COLUMNS, rows, summary)
