"""The link benchmark runs every system and reports the agreed keys (no timing asserted)."""

from __future__ import annotations

import pytest

from paridad.bench import run_benchmark
from paridad.errors import ParidadError

KEYS = {"bench", "system", "backend", "dataset", "n", "seconds", "precision", "recall", "f1"}


@pytest.mark.slow
def test_febrl4_rows_for_paridad_and_its_peers() -> None:
    rows = list(run_benchmark("link", dataset="febrl4", size=300, install_peers=False))
    systems = [(r["system"], r.get("mode")) for r in rows]
    assert systems[:3] == [
        ("paridad", "one_to_one"),
        ("paridad", "threshold_only"),
        ("splink", "threshold_only"),
    ]
    assert rows[-1]["system"] == "anonlink"  # measured, or skipped without .venv-peers
    for row in rows:
        if "skipped" in row:
            continue
        assert set(row) >= KEYS and row["n"] == 300
        assert row["f1"] > 0.97 and row["precision"] > 0.97 and row["peak_rss_mb"] > 0
    assert rows[0]["threshold"] == 0.2 and rows[1]["threshold"] == 0.5


@pytest.mark.slow
def test_synthetic_rows_score_the_scenario_and_time_the_population() -> None:
    rows = list(
        run_benchmark(
            "link",
            dataset="synthetic",
            size=2000,
            scale="small",
            install_peers=False,
            dice_sample=300,
        )
    )
    scenario = [r for r in rows if r["dataset"] == "synthetic-small-seed1"]
    assert [(r["mode"], r["privacy"]) for r in scenario] == [
        ("one_to_one", "clk"),
        ("threshold_only", "clk"),
        ("one_to_one", "plain"),
    ]
    assert all(set(r) >= KEYS and r["f1"] > 0.95 and r["true_pairs"] > 0 for r in scenario)
    scale = next(r for r in rows if r["dataset"] == "population-seed1" and r["system"] == "paridad")
    assert scale["n"] == 2000 and scale["comparisons"] > 0 and scale["dice_per_second"] > 0
    assert 0 <= scale["blocking_recall_loss"] < 0.05 and scale["f1"] > 0.9


def test_unknown_dataset_is_a_clear_error() -> None:
    with pytest.raises(ParidadError, match="Unknown data set 'nope'"):
        list(run_benchmark("link", dataset="nope"))
