"""Small builders for firearms rows, so each test states only what its rule looks at."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any

from paridad.firearms.tables import (
    ACQUISITION_OPTIONAL,
    ACQUISITION_REQUIRED,
    RECOVERY_OPTIONAL,
    RECOVERY_REQUIRED,
)

_ids = count(1)

PISTOL = {"type": "pistol", "make": "Glock", "model": "19", "caliber": "9mm"}
AR15 = {"type": "rifle", "make": "Colt", "model": "LE6920", "caliber": "5.56x45mm"}
RIMFIRE = {"type": "rifle", "make": "Ruger", "model": "10/22", "caliber": ".22 LR"}


def sale(
    day: date,
    purchaser: str = "P1",
    dealer: str = "D1",
    state: str = "TX",
    gun: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One acquisition row; ids are unique across a test session."""
    n = next(_ids)
    return {
        "acquisition_id": f"A{n}",
        "serial": f"S{n}",
        "sold_on": day,
        "purchaser_id": purchaser,
        "dealer_id": dealer,
        "dealer_state": state,
        **(gun or PISTOL),
        **extra,
    }


def recovery(
    day: date, state: str = "Sonora", municipality: str = "Nogales", **extra: Any
) -> dict[str, Any]:
    n = next(_ids)
    return {
        "recovery_id": f"R{n}",
        "serial": f"S{n}",
        "recovered_on": day,
        "state": state,
        "municipality": municipality,
        **PISTOL,
        **extra,
    }


def trace(rec: dict[str, Any], acq: dict[str, Any], ttc_days: int | None = None) -> dict[str, Any]:
    days = ttc_days if ttc_days is not None else (rec["recovered_on"] - acq["sold_on"]).days
    return {
        "recovery_id": rec["recovery_id"],
        "acquisition_id": acq["acquisition_id"],
        "score": 1.0,
        "ttc_days": days,
    }


def write_csv(
    path: Path,
    columns: Iterable[str],
    rows: Iterable[dict[str, Any]],
    date_format: str = "%Y-%m-%d",
) -> Path:
    cols = list(columns)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for row in rows:
            writer.writerow(
                [
                    v.strftime(date_format) if isinstance(v, date) else ("" if v is None else v)
                    for v in (row.get(c) for c in cols)
                ]
            )
    return path


RECOVERY_COLUMNS = RECOVERY_REQUIRED + RECOVERY_OPTIONAL
ACQUISITION_COLUMNS = ACQUISITION_REQUIRED + ACQUISITION_OPTIONAL
