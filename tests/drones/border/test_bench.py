"""The throughput probe runs and reports; no timing is asserted (machines are noisy)."""

from __future__ import annotations

import pytest

from paridad.drones.border import InvalidPosition
from paridad.drones.border.bench import measure


def test_measure_reports_both_rates() -> None:
    result = measure(2_000)
    assert result["n"] == 2_000
    assert result["signed_distance_per_second"] > 0
    assert result["update_many_per_second"] > 0
    assert result["crossings"] > 0  # the synthetic tracks do cross


def test_measure_handles_fewer_points_than_a_track() -> None:
    assert measure(7)["n"] == 7


@pytest.mark.parametrize("points", [0, -5, 2.5, True])
def test_measure_refuses_bad_counts(points: object) -> None:
    with pytest.raises(InvalidPosition, match="whole number"):
        measure(points)  # type: ignore[arg-type]
