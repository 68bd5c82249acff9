"""The PSI benchmark runs Paridad and openmined.psi on the same planted sets and reports the
agreed keys and whether each found exactly the planted intersection (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from paridad.bench import run_benchmark
from paridad.bench.psi import planted_sets
from paridad.errors import ParidadError

KEYS = {
    "bench",
    "system",
    "backend",
    "dataset",
    "n",
    "elements",
    "seconds",
    "per_second",
    "cpu_seconds",
    "intersection",
    "expected_intersection",
    "exact",
    "peak_rss_mb",
    "message_mb",
}


def test_planted_sets_are_deterministic_and_share_a_tenth() -> None:
    querier, responder, truth = planted_sets(500, seed=7)
    assert (querier, responder, truth) == planted_sets(500, seed=7)
    assert len(set(querier)) == len(set(responder)) == 500
    assert truth == sorted(i for i, v in enumerate(querier) if v in set(responder))
    assert len(truth) == 50
    assert planted_sets(500, seed=8)[0] != querier


@pytest.mark.slow
def test_psi_benchmark_reports_both_systems_exact() -> None:
    paridad, peer = run_benchmark("psi", size=400)
    assert paridad["system"] == "paridad" and peer["system"] == "openmined-psi"
    for row in (paridad, peer):
        assert set(row) >= KEYS
        assert row["bench"] == "psi" and row["n"] == 400 and row["elements"] == 800
        assert row["dataset"] == "synthetic-phones"
        assert row["exact"] is True
        assert row["intersection"] == row["expected_intersection"] == 40
        assert row["seconds"] > 0 and row["per_second"] > 0 and row["peak_rss_mb"] > 0
        assert row["per_second"] == pytest.approx(800 / row["seconds"], rel=0.01)
    # Paridad sends three 32-byte points per distinct value: request, reply, own set.
    assert paridad["message_mb"] == round(3 * 400 * 32 / 2**20, 2)
    assert paridad["workers"] >= 1 and paridad["speedup_vs_peer"] > 0
    assert {"request_s", "answer_s", "intersect_s"} <= set(paridad)


def test_psi_benchmark_has_one_dataset() -> None:
    with pytest.raises(ParidadError, match="synthetic-phones"):
        list(run_benchmark("psi", size=10, dataset="febrl4"))


@pytest.mark.slow
def test_cli_prints_psi_json_lines() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from paridad.cli import main; main()",
            "bench",
            "psi",
            "--size",
            "200",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["system"] for r in rows] == ["paridad", "openmined-psi"]
    assert all(r["exact"] and r["n"] == 200 for r in rows)
