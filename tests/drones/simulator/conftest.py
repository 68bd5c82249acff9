"""Shared nights for the simulator's tests: simulated once per session (about a second each)
against the shipped border, and one of them written to a folder and read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.drones.border import Border
from paridad.drones.simulator import (
    Night,
    NightConfig,
    Truth,
    read_truth,
    simulate_night,
    write_night,
)

# Small but complete: two sectors, many cooperative drones and crossings, so every kind of
# record appears in two hours of night.
SMALL = NightConfig(
    seed=11,
    flights=30,
    hours=2.0,
    sectors=("San Diego", "Rio Grande Valley"),
    remote_id_share=0.6,
    crossing_share=0.5,
)


@pytest.fixture(scope="session")
def border() -> Border:
    return Border.load()


@pytest.fixture(scope="session")
def small_night(border: Border) -> Night:
    return simulate_night(SMALL, border)


@pytest.fixture(scope="session")
def default_night(border: Border) -> Night:
    return simulate_night(NightConfig(), border)


@pytest.fixture(scope="session")
def night_dir(small_night: Night, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("night")
    write_night(small_night, directory)
    return directory


@pytest.fixture(scope="session")
def truth(night_dir: Path) -> Truth:
    return read_truth(night_dir)
