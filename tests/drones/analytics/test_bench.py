"""The benchmark runs on a small input and reports in ``paridad bench``'s keys (no timing is
asserted: the figures are for the documentation, not for a pass/fail)."""

from __future__ import annotations

from paridad.drones.analytics.bench import measure_hotspots, measure_repeat_sites


def test_repeat_sites_benchmark_reports_its_work() -> None:
    result = measure_repeat_sites(estimates=2_000, sites=50, seed=1)
    assert result["bench"] == "drone-repeat-sites" and result["system"] == "paridad"
    assert result["n"] == 2_000 and result["seconds"] >= 0
    assert 0 < result["pair_checks"] < 2_000 * 1_999 // 2
    assert 1 <= result["clusters"] <= 50


def test_hotspots_benchmark_reports_its_work() -> None:
    result = measure_hotspots(tracks=20, fixes=50, seed=1)
    assert result["bench"] == "drone-hotspots" and result["n"] == 1_000
    assert result["cells"] >= 0 and result["seconds"] >= 0
