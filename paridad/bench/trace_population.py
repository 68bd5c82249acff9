"""Millions of dealer sales and a hundred thousand recoveries, made fast, with their truth.

The synthetic scenario (``paridad synth``) is the quality benchmark's input, but it builds
people, dealers and rings one by one and tops out near a hundred thousand sales. The speed
figure asks for 100,000 recoveries against 5,000,000 sales, so this module makes a flatter
population in bulk with numpy: the same catalogue of makes and models (their market weights,
serial patterns and the ways each is written), serials unique per make, and recoveries read
with the scenario's own misreads (:func:`paridad.synth.serials.read_serial`). Seventy per cent
of the recoveries come from a sale (the GAO's US-sourced share); the rest are guns nobody
sold here, whose serials must trace to nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from paridad.synth.catalog import firearm_models
from paridad.synth.serials import read_serial
from paridad.trace.layouts import RECOVERY_COLUMNS

LETTERS = np.frombuffer(b"ABCDEFGHJKLMNPRSTUVWXYZ", dtype="S1")
DIGITS = np.frombuffer(b"0123456789", dtype="S1")
STATES = ("TX", "AZ", "CA", "NM", "FL", "GA", "NV", "CO", "OK", "LA")
CONDITIONS = (("intact", 0.88), ("restored", 0.06), ("obliterated", 0.04), ("altered", 0.02))
FIRST_SALE = date(1990, 1, 1)
LAST_SALE = date(2025, 6, 30)


def _serials(rng: np.random.Generator, pattern: str, n: int) -> np.ndarray:
    """``n`` serials filling ``pattern`` (A a letter, 9 a digit, anything else kept)."""
    columns = []
    for char in pattern:
        if char == "A":
            columns.append(LETTERS[rng.integers(0, len(LETTERS), n)])
        elif char == "9":
            columns.append(DIGITS[rng.integers(0, len(DIGITS), n)])
        else:
            columns.append(np.full(n, char.encode(), dtype="S1"))
    stacked = np.stack(columns, axis=1)
    return stacked.view(f"S{len(pattern)}").ravel()


def make_population(
    out: Path, acquisitions: int, recoveries: int, seed: int = 11
) -> dict[str, Any]:
    """Write ``acquisitions.csv`` and ``recoveries.csv`` into ``out`` in the trace layouts;
    return the truth: ``sold``, recovery id to the acquisition it really came from (for
    every recovered gun sold here), and ``traceable``, the ids of those whose serial is
    intact or restored (an obliterated serial cannot be traced, an altered one should not)."""
    rng = np.random.default_rng(seed)
    pyrng = random.Random(seed)
    models = [m for m in firearm_models() if not m.foreign or m.importer]
    weights = np.array([max(m.market_weight, 0.5) for m in models], dtype=float)
    weights /= weights.sum()
    counts = rng.multinomial(acquisitions, weights)
    serials: list[np.ndarray] = []
    model_of: list[np.ndarray] = []
    for index, (model, count) in enumerate(zip(models, counts, strict=True)):
        if count == 0:
            continue
        made = np.unique(_serials(rng, model.serial_pattern, int(count * 1.05) + 10))
        made = rng.permutation(made)[:count]
        serials.append(made)
        model_of.append(np.full(len(made), index, dtype=np.int32))
    serial = np.concatenate(serials)
    which = np.concatenate(model_of)
    order = rng.permutation(len(serial))
    serial, which = serial[order], which[order]
    n = len(serial)
    days = (LAST_SALE - FIRST_SALE).days
    sold = rng.integers(0, days, n)
    ids = np.char.add("acq-", np.char.zfill(np.arange(1, n + 1).astype(str), 8))
    table = pa.table(
        {
            "acquisition_id": ids,
            "serial": serial.astype(str),
            "make": np.array([m.make for m in models])[which],
            "model": np.array([m.model for m in models])[which],
            "caliber": np.array([m.caliber for m in models])[which],
            "type": np.array([m.type for m in models])[which],
            "sold_on": pa.array(
                (np.datetime64(FIRST_SALE.isoformat()) + sold).astype("datetime64[D]")
            ),
            "dealer_id": np.char.add("ffl-", rng.integers(0, 2000, n).astype(str)),
            "dealer_state": np.array(STATES)[rng.integers(0, len(STATES), n)],
            "purchaser_id": np.char.add("p-", rng.integers(0, n // 2, n).astype(str)),
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, out / "acquisitions.csv")

    sold_truth: dict[str, str] = {}
    traceable: list[str] = []
    rows: dict[str, list[Any]] = {k: [] for k in RECOVERY_COLUMNS}
    sold_picks = rng.choice(n, size=round(recoveries * 0.7), replace=False)
    conditions = [c for c, _ in CONDITIONS]
    condition_weights = [w for _, w in CONDITIONS]
    for i in range(recoveries):
        from_sale = i < len(sold_picks)
        if from_sale:
            a = int(sold_picks[i])
            model = models[int(which[a])]
            true_serial = serial[a].decode()
            sold_on = FIRST_SALE + timedelta(days=int(sold[a]))
        else:
            model = models[int(rng.choice(len(models), p=weights))]
            true_serial = _serials(rng, model.serial_pattern, 1)[0].decode()
            sold_on = FIRST_SALE + timedelta(days=int(rng.integers(0, days)))
        condition = pyrng.choices(conditions, condition_weights)[0]
        read, _errors = read_serial(pyrng, true_serial, condition)
        ttc = int(np.exp(np.log(4 * 365) + 1.0 * rng.standard_normal()))
        recovered = min(sold_on + timedelta(days=max(ttc, 1)), date(2025, 12, 31))
        recovery_id = f"rec-{i + 1:07d}"
        if from_sale:
            sold_truth[recovery_id] = str(ids[a])
            if condition in ("intact", "restored"):
                traceable.append(recovery_id)
        make = pyrng.choice(model.make_variants) if model.make_variants else model.make
        caliber = pyrng.choice(model.caliber_variants) if model.caliber_variants else ""
        values = (
            recovery_id,
            read,
            make,
            model.model.upper() if pyrng.random() < 0.8 else "",
            caliber or model.caliber,
            model.type,
            recovered.strftime("%d/%m/%Y"),
            "Sonora",
            "Nogales",
        )
        for column, value in zip(RECOVERY_COLUMNS, values, strict=True):
            rows[column].append(value)
    pacsv.write_csv(pa.table(rows), out / "recoveries.csv")
    return {
        "sold": sold_truth,
        "traceable": traceable,
        "acquisitions": n,
        "recoveries": recoveries,
    }
