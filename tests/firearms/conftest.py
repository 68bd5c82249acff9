"""The small synthetic scenario, generated once per session, with a traces file built from
its ground truth (every recovery whose truth names an acquisition)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from paridad.synth import generate


@dataclass(frozen=True)
class Scenario:
    recoveries: Path
    acquisitions: Path
    traces: Path
    truth: dict[str, Any]


def build_scenario(out: Path) -> Scenario:
    """Generate the scenario under ``out`` and write its truth traces as a CSV."""
    generate(out, seed=7, scale="small")
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    traces = out / "traces.csv"
    with traces.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["recovery_id", "acquisition_id", "score", "ttc_days"])
        for t in truth["traces"]:
            if t["acquisition"]:
                writer.writerow([t["recovery"], t["acquisition"], 1.0, t["time_to_crime_days"]])
    return Scenario(out / "mx" / "recoveries.csv", out / "us" / "acquisitions.csv", traces, truth)


@pytest.fixture(scope="session")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_scenario(tmp_path_factory.mktemp("synth"))
