"""Trafficking corridors: where traced guns were sold and where in Mexico they turned up.

One row per source state (and county, when the acquisitions carry it) and recovery state and
municipality, with the number of traces, their median time-to-crime and the share under one
year; the summary adds the state-to-state corridors, which are what the eTrace report shows.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from paridad.firearms.indicators import time_to_crime
from paridad.firearms.indicators.base import ONE_YEAR, IndicatorResult, Reason
from paridad.firearms.tables import Tables
from paridad.i18n import N_

NAME = "corridors"
VERSION = "1"
TITLE = N_("Trafficking corridors")
MSG_CORRIDOR = N_("{count} traced guns from {source} to {destination}, median {median} days")

COLUMNS = [
    "rank",
    "source_state",
    "source_county",
    "recovery_state",
    "recovery_municipality",
    "traces",
    "median_ttc_days",
    "share_under_1y",
]


def _aggregate(
    traces: list[dict[str, Any]], keys: tuple[str, ...]
) -> list[tuple[tuple[Any, ...], list[int | None]]]:
    groups: dict[tuple[Any, ...], list[int | None]] = defaultdict(list)
    for t in traces:
        groups[tuple(t[k] for k in keys)].append(t["ttc_days"])
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), [str(x) for x in kv[0]]))


def _figures(days: list[int | None]) -> tuple[float | None, float | None]:
    known = [d for d in days if d is not None]
    if not known:
        return None, None
    return float(statistics.median(known)), round(sum(d < ONE_YEAR for d in known) / len(known), 4)


def run(tables: Tables) -> IndicatorResult:
    traces = [
        t for t in time_to_crime.trace_rows(tables) if t["dealer_state"] or t["recovery_state"]
    ]
    with_county = tables.has("acquisitions", "dealer_county")
    keys = ("dealer_state", "dealer_county", "recovery_state", "recovery_municipality")
    rows: list[dict[str, Any]] = []
    for key, days in _aggregate(traces, keys):
        median, share = _figures(days)
        source = ", ".join(str(x) for x in (key[1] if with_county else None, key[0]) if x)
        destination = ", ".join(str(x) for x in (key[3], key[2]) if x)
        rows.append(
            {
                "source_state": key[0],
                "source_county": key[1] if with_county else None,
                "recovery_state": key[2],
                "recovery_municipality": key[3],
                "traces": len(days),
                "median_ttc_days": median,
                "share_under_1y": share,
                "reasons": [
                    Reason(
                        MSG_CORRIDOR,
                        {
                            "count": len(days),
                            "source": source or "?",
                            "destination": destination or "?",
                            "median": median,
                        },
                    )
                ],
            }
        )
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    states = []
    for key, days in _aggregate(traces, ("dealer_state", "recovery_state")):
        median, share = _figures(days)
        states.append(
            {
                "source_state": key[0],
                "recovery_state": key[1],
                "traces": len(days),
                "median_ttc_days": median,
                "share_under_1y": share,
            }
        )
    summary = {"corridors": len(rows), "traces": len(traces), "by_state": states[:20]}
    return IndicatorResult(NAME, VERSION, TITLE, COLUMNS, rows, summary, extra={"states": states})
