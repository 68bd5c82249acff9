"""Repeat and straw purchasers, scored with the reasons an investigator would give.

The signals are ATF's Crime Gun Intelligence flags and the straw-ring pattern of the
research (``domain.md`` C.3): guns recovered in Mexico soon after the sale, especially in
someone else's hands; several traces to one buyer; multiple-sale reports; the same model
bought again and again; several dealers visited in a short span. The score is a weighted
sum, so every point can be explained:

    score = 2.0 x traces with TTC < 1 year
          + 1.0 x those of them whose possessor is not the purchaser (or is unknown)
          + 1.0 x traces with TTC of 1-3 years
          + 0.5 x other traces (a gun recovered in Mexico)
          + 1.5 x multiple-sale events
          + 0.5 x repeat purchases of one model (the most bought model's count - 1, up to 5)
          + 1.0 x extra dealers in a 30-day window (distinct dealers - 1, up to 4)

A purchaser is flagged at ``FLAG_SCORE`` (4.0): one quick trace with an unknown possessor
and one multiple-sale event, say, while an innocent matched pair of pistols (1.5) or an old
gun found in Mexico (0.5) stays below it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from paridad.firearms.indicators import multiple_sales, time_to_crime
from paridad.firearms.indicators.base import ONE_YEAR, THREE_YEARS, IndicatorResult, Reason
from paridad.firearms.tables import Tables
from paridad.i18n import N_

NAME = "purchasers"
VERSION = "1"
TITLE = N_("Repeat and straw purchasers")

W_SHORT_TTC = 2.0
W_OTHER_POSSESSOR = 1.0
W_TTC_1_3 = 1.0
W_RECOVERED = 0.5
W_MULTIPLE_SALE = 1.5
W_SAME_MODEL = 0.5
MAX_SAME_MODEL = 5
W_DEALERS = 1.0
MAX_DEALERS = 4
DEALER_WINDOW = timedelta(days=30)
FLAG_SCORE = 4.0

MSG_SHORT_TTC = N_("{count} guns recovered in Mexico less than a year after the sale")
MSG_OTHER_POSSESSOR = N_("{count} of them in the hands of someone else or of an unknown person")
MSG_TTC_1_3 = N_("{count} guns recovered 1 to 3 years after the sale")
MSG_RECOVERED = N_("{count} guns recovered in Mexico")
MSG_REPEAT_TRACES = N_("Traced {count} times")
MSG_MULTIPLE = N_("{count} multiple-sale events")
MSG_SAME_MODEL = N_("Bought {count} of the same model ({model})")
MSG_DEALERS = N_("Bought from {count} dealers within 30 days")

COLUMNS = [
    "rank",
    "purchaser_id",
    "purchaser_name",
    "score",
    "flagged",
    "purchases",
    "traces",
    "short_ttc_traces",
    "multiple_sale_events",
    "same_model_max",
    "dealers_30d",
]


def _dealers_in_window(purchases: list[dict[str, Any]]) -> int:
    dated = sorted((p["sold_on"], p["dealer_id"]) for p in purchases if p["sold_on"])
    best = 0
    start = 0
    for end in range(len(dated)):
        while dated[end][0] - dated[start][0] > DEALER_WINDOW:
            start += 1
        best = max(best, len({d for _, d in dated[start : end + 1]}))
    return best


def run(
    tables: Tables,
    events: list[multiple_sales.Event] | None = None,
    calendar: multiple_sales.Calendar = "observed",
) -> IndicatorResult:
    if events is None:
        events, _how = multiple_sales.detect(tables, calendar)
    purchases: dict[str, list[dict[str, Any]]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in tables.rows(
        "SELECT purchaser_id, purchaser_name, acquisition_id, make, model, sold_on, dealer_id"
        " FROM acquisitions WHERE purchaser_id IS NOT NULL"
    ):
        purchases[row["purchaser_id"]].append(row)
        if row["purchaser_name"]:
            names[row["purchaser_id"]] = row["purchaser_name"]
    traces: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for trace in time_to_crime.trace_rows(tables):
        if trace["purchaser_id"]:
            traces[trace["purchaser_id"]].append(trace)
    ms_count = Counter(e.purchaser_id for e in events)
    rows: list[dict[str, Any]] = []
    for pid, bought in purchases.items():
        mine = traces.get(pid, [])
        short = [t for t in mine if t["ttc_days"] is not None and t["ttc_days"] < ONE_YEAR]
        other = [t for t in short if t["possessor_id"] != pid]
        mid = [
            t for t in mine if t["ttc_days"] is not None and ONE_YEAR <= t["ttc_days"] < THREE_YEARS
        ]
        rest = len(mine) - len(short) - len(mid)
        models = Counter(
            f"{p['make'] or ''} {p['model'] or ''}".strip() for p in bought if p["model"]
        )
        model, model_count = models.most_common(1)[0] if models else ("", 0)
        repeats = min(max(model_count - 1, 0), MAX_SAME_MODEL)
        dealers = _dealers_in_window(bought)
        extra_dealers = min(max(dealers - 1, 0), MAX_DEALERS)
        score = (
            W_SHORT_TTC * len(short)
            + W_OTHER_POSSESSOR * len(other)
            + W_TTC_1_3 * len(mid)
            + W_RECOVERED * rest
            + W_MULTIPLE_SALE * ms_count[pid]
            + W_SAME_MODEL * repeats
            + W_DEALERS * extra_dealers
        )
        if score <= 0:
            continue
        reasons: list[Reason] = []
        if short:
            reasons.append(Reason(MSG_SHORT_TTC, {"count": len(short)}))
        if other:
            reasons.append(Reason(MSG_OTHER_POSSESSOR, {"count": len(other)}))
        if mid:
            reasons.append(Reason(MSG_TTC_1_3, {"count": len(mid)}))
        if rest:
            reasons.append(Reason(MSG_RECOVERED, {"count": rest}))
        if len(mine) >= 2:
            reasons.append(Reason(MSG_REPEAT_TRACES, {"count": len(mine)}))
        if ms_count[pid]:
            reasons.append(Reason(MSG_MULTIPLE, {"count": ms_count[pid]}))
        if repeats:
            reasons.append(Reason(MSG_SAME_MODEL, {"count": model_count, "model": model}))
        if extra_dealers:
            reasons.append(Reason(MSG_DEALERS, {"count": dealers}))
        rows.append(
            {
                "purchaser_id": pid,
                "purchaser_name": names.get(pid),
                "score": round(score, 2),
                "flagged": score >= FLAG_SCORE,
                "purchases": len(bought),
                "traces": len(mine),
                "short_ttc_traces": len(short),
                "multiple_sale_events": ms_count[pid],
                "same_model_max": model_count,
                "dealers_30d": dealers,
                "reasons": reasons,
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["traces"], r["purchaser_id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    summary = {
        "purchasers": len(purchases),
        "scored": len(rows),
        "flagged": sum(r["flagged"] for r in rows),
        "flag_score": FLAG_SCORE,
    }
    return IndicatorResult(NAME, VERSION, TITLE, COLUMNS, rows, summary)
