"""``paridad bench finance``: how well the typology detectors find planted laundering, and how
fast they scan.

Quality is measured twice: on the synthetic world (``--dataset``, medium by default, seed 11),
where each node (UIF, FinCEN) scans its own payments and the findings are scored against the
planted typologies (:mod:`paridad.finance.evaluation`); and on the bulk population at the
baseline's size, which plants all ten typologies among heavy-tailed background traffic.

Speed: Paridad (DuckDB, every detector) scans ``--size`` transactions (default 10,000,000) of
the bulk population in a fresh child process — load the Parquet file, then scan — with its
peak memory. In the same run the networkx baseline (:mod:`paridad.bench.finance_networkx`,
the same rules) and Paridad both scan a tenth of that population, each in its own child
process; the ratio of their throughputs and the agreement of their (detector, anchor) sets
are reported.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_DATASET = N_("The finance benchmark's world is small, medium or large.")
QUALITY_SEED = 11
SPEED_SIZE = 10_000_000
POPULATION_SEED = 5


def _note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(size: int | None = None, dataset: str | None = None, **_: Any) -> Iterator[dict[str, Any]]:
    scale = dataset or "medium"
    if scale not in ("small", "medium", "large"):
        raise ParidadError(MSG_DATASET)
    size = size or SPEED_SIZE
    baseline = max(10_000, size // 10)
    with tempfile.TemporaryDirectory(prefix="paridad-bench-finance-") as tmp:
        root = Path(tmp)
        yield _world_quality(root / "world", scale)
        from paridad.finance.population import generate

        _note(f"finance: population of {baseline:,} transactions…")
        generate(baseline, POPULATION_SEED, root / "small")
        small = _child("paridad", root / "small")
        _note(f"finance: networkx baseline on {baseline:,} transactions…")
        peer = _child("networkx", root / "small")
        yield _bulk_quality(root / "small", small)
        _note(f"finance: population of {size:,} transactions…")
        generate(size, POPULATION_SEED, root / "big")
        big = _child("paridad", root / "big")
        yield from _speed_rows(size, baseline, big, small, peer)


def _world_quality(out: Path, scale: str) -> dict[str, Any]:
    import orjson

    from paridad.finance.detectors import all_detectors
    from paridad.finance.detectors.runner import scan
    from paridad.finance.engines import open_engine
    from paridad.finance.evaluation import evaluate, planted_from_truth, same_account_from_truth
    from paridad.finance.inputs.ftm import tables_from_entities
    from paridad.synth import generate

    _note(f"finance: synthetic world ({scale}, seed {QUALITY_SEED})…")
    generate(out, seed=QUALITY_SEED, scale=scale)  # type: ignore[arg-type]  # checked in run
    truth = orjson.loads((out / "truth.json").read_bytes())
    findings = []
    transactions = 0
    for side in ("mx", "us"):
        entities = [
            orjson.loads(line)
            for name in ("finance.jsonl", "people.jsonl", "organizations.jsonl")
            for line in (out / side / name).read_bytes().splitlines()
            if line.strip()
        ]
        tx, accounts = tables_from_entities(entities)
        transactions += tx.num_rows
        with open_engine("duckdb") as engine:
            engine.load("tx", tx)
            engine.load("accounts", accounts)
            findings += scan(engine, all_detectors())
    result = evaluate(
        findings,
        planted_from_truth(truth["typologies"]),
        same_account_from_truth(truth["account_pairs"]),
    )
    return {
        "bench": "finance",
        "system": "paridad",
        "dataset": f"synthetic-{scale}",
        "transactions": transactions,
        "alerts": len(findings),
        **result,
    }


def _bulk_quality(folder: Path, measured: dict[str, Any]) -> dict[str, Any]:
    from paridad.finance.detectors.base import Finding
    from paridad.finance.evaluation import evaluate, planted_from_truth

    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    findings = [
        Finding(a["detector"], "1", a["alert_id"], a["anchor"], 1.0, {}, tuple(a["accounts"]))
        for a in measured["alerts"]
    ]
    return {
        "bench": "finance",
        "system": "paridad",
        "dataset": "bulk-population",
        "transactions": measured["transactions"],
        "alerts": len(findings),
        **evaluate(findings, planted_from_truth(truth["typologies"])),
    }


def _speed_rows(
    size: int,
    baseline: int,
    big: dict[str, Any],
    small: dict[str, Any],
    peer: dict[str, Any],
) -> Iterator[dict[str, Any]]:
    ours = {(a["detector"], a["anchor"]) for a in small["alerts"]}
    theirs = {tuple(a) for a in peer["alerts"]}
    agreement: dict[str, float] = {}
    for detector in sorted({d for d, _ in ours | theirs}):
        a = {x for x in ours if x[0] == detector}
        b = {x for x in theirs if x[0] == detector}
        agreement[detector] = round(len(a & b) / len(a | b), 4) if a | b else 1.0
    for system, measured, n in (
        ("paridad", big, size),
        ("paridad", small, baseline),
        ("networkx", peer, baseline),
    ):
        yield {
            "bench": "finance",
            "system": system,
            "dataset": "bulk-population",
            "transactions": n,
            "load_seconds": round(measured["load_seconds"], 2),
            "scan_seconds": round(measured["scan_seconds"], 2),
            "per_second": round(n / (measured["load_seconds"] + measured["scan_seconds"])),
            "peak_rss_mb": round(measured["peak_rss_mb"]),
            "alerts": len(measured["alerts"]),
        }
    ours_rate = size / (big["load_seconds"] + big["scan_seconds"])
    peer_rate = baseline / (peer["load_seconds"] + peer["scan_seconds"])
    same_size = small["load_seconds"] + small["scan_seconds"]
    yield {
        "bench": "finance",
        "system": "paridad-vs-networkx",
        "speedup_throughput": round(ours_rate / peer_rate, 1),
        "speedup_same_input": round((peer["load_seconds"] + peer["scan_seconds"]) / same_size, 1),
        "agreement": agreement,
    }


def _child(system: str, folder: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_measure, args=(system, str(folder), child))
    process.start()
    result: dict[str, Any] = parent.recv()
    process.join()
    if "error" in result:
        raise RuntimeError(f"{system}: {result['error']}")
    return result


def _measure(system: str, folder: str, out: Any) -> None:
    try:
        import pyarrow.parquet as pq

        path = Path(folder) / "transactions.parquet"
        started = time.perf_counter()
        if system == "networkx":
            from paridad.bench.finance_networkx import build_graph, detect

            tx = pq.read_table(path)
            loaded = time.perf_counter()
            del build_graph
            alerts: list[Any] = [list(a) for a in detect(tx)]
            transactions = tx.num_rows
        else:
            from paridad.finance.detectors import all_detectors
            from paridad.finance.detectors.runner import scan
            from paridad.finance.engines import DuckDBEngine

            engine = DuckDBEngine()
            engine.load_parquet("tx", path)
            loaded = time.perf_counter()
            findings = scan(engine, all_detectors())
            transactions = int(engine.query("SELECT count(*) AS n FROM tx").to_pylist()[0]["n"])
            alerts = [
                {
                    "detector": f.detector,
                    "anchor": f.anchor,
                    "alert_id": f.alert_id,
                    "accounts": list(f.accounts),
                }
                for f in findings
            ]
        done = time.perf_counter()
        out.send(
            {
                "load_seconds": loaded - started,
                "scan_seconds": done - loaded,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                "alerts": alerts,
                "transactions": transactions,
            }
        )
    except BaseException as exc:  # reported to the parent, which raises it
        out.send({"error": f"{type(exc).__name__}: {exc}"})
