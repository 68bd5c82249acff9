"""The ingest benchmark runs both systems and reports the agreed keys (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from paridad.bench import run_benchmark
from paridad.errors import ParidadError
from tests.conftest import postgres_url

KEYS = {
    "bench",
    "system",
    "backend",
    "dataset",
    "n",
    "seconds",
    "per_second",
    "statements",
    "statements_per_second",
    "peak_rss_mb",
}


@pytest.mark.slow
def test_ingest_benchmark_reports_both_systems(backend: str) -> None:
    if backend == "postgres":
        assert postgres_url() is not None
    lines = list(run_benchmark("ingest", entities=300, backends=[backend]))
    assert [line["system"] for line in lines] == ["nomenklatura", "paridad"]
    for line in lines:
        assert set(line) >= KEYS
        assert line["bench"] == "ingest" and line["backend"] == backend and line["n"] == 300
        assert line["seconds"] > 0 and line["per_second"] > 0 and line["peak_rss_mb"] > 0
    # The same statements were written by both.
    assert lines[0]["statements"] == lines[1]["statements"] > 300
    assert "speedup_vs_peer" in lines[1]


@pytest.mark.slow
def test_cli_prints_json_lines() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from paridad.cli import main; main()",
            "bench",
            "ingest",
            "--entities",
            "100",
            "--backend",
            "sqlite",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["system"] for r in rows} == {"paridad", "nomenklatura"}


def test_unknown_benchmark() -> None:
    with pytest.raises(ParidadError, match="Unknown benchmark"):
        list(run_benchmark("nope"))


@pytest.mark.slow
def test_exchange_bench_runs_two_nodes_and_the_ceiling() -> None:
    lines = list(run_benchmark("exchange", records=300, latency_samples=5))
    paridad, ceiling = lines
    assert paridad["system"] == "paridad" and ceiling["system"] == "https-ceiling"
    assert paridad["records"] == 300 and paridad["envelopes"] == 1
    assert paridad["latency_samples"] == 5
    assert paridad["share_p99_ms"] >= paridad["share_p50_ms"] > 0
    assert ceiling["per_second"] > 0 and ceiling["paridad_share_of_ceiling"] > 0
