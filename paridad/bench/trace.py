"""``paridad bench trace``: how well and how fast recovered guns are traced to their sales.

Quality is measured on the synthetic scenario (``--dataset medium`` by default, seed 11)
against its planted truth: every recovery's true sale and whether it is *traceable* (sold in
the US, serial intact or restored). Recall counts the traceable recoveries traced to their
true sale; precision counts the traces that name the true sale (a gun with an altered serial
traced to its real sale is right, a gun never sold here traced anywhere is wrong). In the same
run, exact serial matching (the serial as typed, letters and digits only, equal to the
dealer's, one sale or none) gives the baseline.

Speed is measured on a flat population made in bulk (:mod:`paridad.bench.trace_population`):
``--size`` sales (default 5,000,000) and one recovery per fifty sales (100,000), traced from
the CSV files by ``trace_csv`` in a fresh child process, timed from opening the files to
the written output, with its peak memory. Its precision and recall are reported too; that
population packs far more guns into each serial pattern than any real maker's numbering.
"""

from __future__ import annotations

import csv
import json
import multiprocessing as mp
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.match.identifiers import canonical_serial

MSG_DATASET = N_("The trace benchmark runs on the synthetic scenario: small, medium or large.")

QUALITY_SEED = 11
SPEED_SALES = 5_000_000
RECOVERIES_PER_SALE = 1 / 50


def run(size: int | None = None, dataset: str | None = None, **_: Any) -> Iterator[dict[str, Any]]:
    scale = dataset or "medium"
    if scale not in ("small", "medium", "large"):
        raise ParidadError(MSG_DATASET)
    with tempfile.TemporaryDirectory(prefix="paridad-bench-trace-") as tmp:
        root = Path(tmp)
        yield from _quality(root / "scenario", scale)
        sales = size or SPEED_SALES
        recoveries = max(100, round(sales * RECOVERIES_PER_SALE))
        yield _speed(root / "population", sales, recoveries)


# -- quality on the synthetic scenario -----------------------------------------------------------


def _quality(out: Path, scale: str) -> Iterator[dict[str, Any]]:
    from paridad.synth import generate
    from paridad.trace.tracer import trace_csv

    generate(out, seed=QUALITY_SEED, scale=scale)  # type: ignore[arg-type]  # checked in run
    truth = json.loads((out / "truth.json").read_text("utf-8"))["traces"]
    recoveries, acquisitions = out / "mx" / "recoveries.csv", out / "us" / "acquisitions.csv"
    started = time.perf_counter()
    summary = trace_csv(recoveries, acquisitions, out / "traces.csv")
    seconds = time.perf_counter() - started
    with (out / "traces.csv").open(encoding="utf-8") as handle:
        found = {row["recovery_id"]: row["acquisition_id"] for row in csv.DictReader(handle)}
    common = {"bench": "trace", "dataset": f"synthetic-{scale}", "seed": QUALITY_SEED}
    yield {
        **common,
        "system": "paridad",
        **_scores(found, truth),
        "seconds": round(seconds, 3),
        "ambiguous": summary.ambiguous,
        "by_serial_match": dict(sorted(summary.by_serial_match.items())),
    }
    started = time.perf_counter()
    exact = _exact_serials(recoveries, acquisitions)
    yield {
        **common,
        "system": "exact-serial",
        **_scores(exact, truth),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _scores(found: dict[str, str], truth: list[dict[str, Any]]) -> dict[str, Any]:
    sold = {t["recovery"]: t["acquisition"] for t in truth if t["acquisition"]}
    traceable = [t["recovery"] for t in truth if t["traceable"]]
    right = sum(1 for r, a in found.items() if sold.get(r) == a)
    recalled = sum(1 for r in traceable if found.get(r) == sold[r])
    return {
        "recoveries": len(truth),
        "traceable": len(traceable),
        "traced": len(found),
        "correct": right,
        "precision": round(right / len(found), 4) if found else 0.0,
        "recall": round(recalled / len(traceable), 4) if traceable else 0.0,
    }


def _exact_serials(recoveries: Path, acquisitions: Path) -> dict[str, str]:
    """The baseline: the typed serial equal to exactly one dealer serial."""
    by_serial: dict[str, list[str]] = {}
    with acquisitions.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = canonical_serial(row["serial"])
            if key:
                by_serial.setdefault(key, []).append(row["acquisition_id"])
    found: dict[str, str] = {}
    with recoveries.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sales = by_serial.get(canonical_serial(row["serial"]), [])
            if len(sales) == 1:
                found[row["recovery_id"]] = sales[0]
    return found


# -- speed on a bulk population -------------------------------------------------------------------


def _speed(out: Path, sales: int, recoveries: int) -> dict[str, Any]:
    from paridad.bench.trace_population import make_population

    made = make_population(out, sales, recoveries)
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_timed_trace, args=(str(out), child))
    process.start()
    result = parent.recv()
    process.join()
    if "error" in result:
        raise RuntimeError(f"trace: {result['error']}")
    with (out / "traces.csv").open(encoding="utf-8") as handle:
        found = {row["recovery_id"]: row["acquisition_id"] for row in csv.DictReader(handle)}
    sold, traceable = made["sold"], made["traceable"]
    right = sum(1 for r, a in found.items() if sold.get(r) == a)
    return {
        "bench": "trace",
        "system": "paridad",
        "dataset": "bulk-population",
        "recoveries": recoveries,
        "acquisitions": made["acquisitions"],
        "seconds": round(result["seconds"], 2),
        "peak_rss_mb": round(result["peak_rss_mb"]),
        "traced": len(found),
        "precision": round(right / len(found), 4) if found else 0.0,
        "recall": round(
            sum(1 for r in traceable if found.get(r) == sold[r]) / max(1, len(traceable)), 4
        ),
    }


def _timed_trace(folder: str, out: Any) -> None:
    try:
        from paridad.process import tune_garbage_collector
        from paridad.trace.tracer import trace_csv

        tune_garbage_collector()  # as the paridad command sets it before ``paridad trace``
        root = Path(folder)
        started = time.perf_counter()
        trace_csv(root / "recoveries.csv", root / "acquisitions.csv", root / "traces.csv")
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        out.send({"seconds": seconds, "peak_rss_mb": peak})
    except BaseException as exc:  # reported to the parent, which raises it
        out.send({"error": f"{type(exc).__name__}: {exc}"})
