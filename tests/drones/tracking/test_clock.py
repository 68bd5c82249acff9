"""The per-sensor clock estimator on its own."""

from __future__ import annotations

import numpy as np
import pytest

from paridad.drones.tracking import ClockBook


def test_samples_converge_on_the_offset_and_then_count_as_converged() -> None:
    book = ClockBook("MX", max_s=5.0, min_samples=20, converged_s=0.3)
    book.estimate("mx-radar", "MX")
    est = book.estimate("us-radar", "US")
    assert est.std == pytest.approx(2.5) and not book.converged("us-radar")
    assert book.country_variance("US") == pytest.approx(6.25)
    assert book.country_anchored("MX") and not book.country_anchored("US")
    rng = np.random.default_rng(0)
    for _ in range(40):
        # Ten detections a scan, each with information 0.5 (sigma 1.4 s), true offset 3 s:
        # the score is information times the error left after the current estimate.
        info = np.full(10, 0.5)
        error = 3.0 - est.offset + rng.normal(0, 1 / np.sqrt(0.5), 10)
        book.update("us-radar", info, info * error)
    assert est.offset == pytest.approx(3.0, abs=0.2)
    assert book.converged("us-radar") and book.country_anchored("US")
    assert book.country_variance("US") < 0.3**2
    assert book.offsets() == {"mx-radar": 0.0, "us-radar": est.offset}


def test_the_reference_is_never_moved_and_outliers_are_skipped() -> None:
    book = ClockBook("MX")
    book.estimate("mx-radar", "MX")
    assert book.update("mx-radar", np.ones(5), np.ones(5) * 3) == 0
    assert book.offsets()["mx-radar"] == 0.0
    est = book.estimate("us-radar", "US")
    # Information 100 (sigma 0.1 s) but an error of 50 s: a mis-association, not a clock.
    assert book.update("us-radar", np.array([100.0]), np.array([5000.0])) == 0
    assert est.offset == 0.0 and est.samples == 0
    # Estimates never leave the configured bound.
    book.update("us-radar", np.array([1.0]), np.array([7.0]))
    assert -5.0 <= est.offset <= 5.0


def test_disabled_estimation_makes_every_clock_a_reference() -> None:
    book = ClockBook("MX", enabled=False)
    est = book.estimate("us-radar", "US")
    assert est.reference and est.variance == 0.0
    assert book.update("us-radar", np.ones(3), np.ones(3)) == 0
