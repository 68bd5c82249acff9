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
    result["screening"] = _screening(out, truth)
    return {
        "bench": "finance",
        "system": "paridad",
        "dataset": f"synthetic-{scale}",
        "transactions": transactions,
        "alerts": len(findings),
        **result,
    }


def _screening(out: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """The US designations screened from the Mexican side: every Mexican person and
    organisation record the world pairs with a US record (name variants: accents, aliases,
    particles, surname order) and its namesakes, against the US list of designated parties.
    A hit is right when the query and the listed record are the same identity."""
    import orjson

    from paridad.finance.screening.designations import DesignationList
    from paridad.finance.screening.matcher import Screener

    def load(side: str) -> dict[str, dict[str, Any]]:
        return {
            e["id"]: e
            for name in ("people.jsonl", "organizations.jsonl", "sanctions.jsonl")
            for e in map(orjson.loads, (out / side / name).read_bytes().splitlines())
        }

    us, mx = load("us"), load("mx")
    sanctions = [e for e in us.values() if e["schema"] == "Sanction"]
    targets = {t for e in sanctions for t in e["properties"].get("entity", []) if t in us}
    listing = DesignationList.from_entities(sanctions + [us[t] for t in sorted(targets)], "us")
    key_of: dict[str, str] = {}
    for pair in truth["people_pairs"] + truth["organization_pairs"]:
        key_of[pair["mx"]] = key_of[pair["us"]] = pair["key"]
    queries = [mx[m] for m in sorted(key_of) if m in mx]
    queries += [mx[n["mx"]] for n in truth["people_hard_negatives"] if n["mx"] in mx]
    listed_keys = {key_of[t] for t in listing.designations if t in key_of}
    expected = {q["id"] for q in queries if key_of.get(q["id"]) in listed_keys}
    started = time.perf_counter()
    with Screener(listing) as screener:
        found = screener.screen(queries)
    seconds = time.perf_counter() - started
    right = {
        h.query_id for h in found if key_of.get(h.query_id) == key_of.get(h.designation.entity_id)
    }
    wrong = [h for h in found if key_of.get(h.query_id) != key_of.get(h.designation.entity_id)]
    precision = len(right) / (len(right) + len(wrong)) if found else 1.0
    recall = len(right & expected) / len(expected) if expected else 1.0
    return {
        "queries": len(queries),
        "listed": len(listing),
        "expected_hits": len(expected),
        "hits": len(found),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "queries_per_second": round(len(queries) / seconds) if seconds else None,
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
    if big.get("traces"):
        seconds = sorted(t["seconds"] for t in big["traces"])
        yield {
            "bench": "finance",
            "system": "paridad-trace",
            "dataset": "bulk-population",
            "transactions": size,
            "traces": len(seconds),
            "hops": 3,
            "median_seconds": round(seconds[len(seconds) // 2], 2),
            "max_seconds": round(seconds[-1], 2),
            "max_transfers": max(t["transfers"] for t in big["traces"]),
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


def _traces(engine: Any, findings: list[Any]) -> list[dict[str, Any]]:
    """Flow traces from the anchors of five alerts, three hops each way, timed one by one:
    what an analyst waits for after clicking "trace" on an alert."""
    from paridad.finance.tracing.tracer import trace

    seeds = sorted({f.anchor for f in findings if f.detector in ("funnel", "fan-out", "stack")})
    out = []
    for seed in seeds[:5]:
        for direction, method in (("forward", "fifo"), ("backward", "proportional")):
            started = time.perf_counter()
            result = trace(engine, [seed], direction, 3, method=method)  # type: ignore[arg-type]
            out.append(
                {
                    "direction": direction,
                    "method": method,
                    "seconds": time.perf_counter() - started,
                    "transfers": len(result.transfers),
                }
            )
    return out


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
        traces = [] if system == "networkx" else _traces(engine, findings)
        out.send(
            {
                "load_seconds": loaded - started,
                "scan_seconds": done - loaded,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
                "alerts": alerts,
                "transactions": transactions,
                "traces": traces,
            }
        )
    except BaseException as exc:  # reported to the parent, which raises it
        out.send({"error": f"{type(exc).__name__}: {exc}"})
