"""The same seed gives the same bytes; another seed gives another world."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from paridad.synth import generate
from tests.synth.conftest import Scenario


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_same_bytes(scenario: Scenario, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", seed=1, scale="small")
    assert again == scenario.manifest
    first, second = _files(scenario.root), _files(tmp_path / "again")
    assert first.keys() == second.keys()
    for name, data in first.items():
        assert data == second[name], f"{name} differs between two runs with seed 1"


def test_other_seed_other_world(scenario: Scenario, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", seed=2, scale="small")
    for name in ("mx/people.jsonl", "us/firearms.jsonl", "us/acquisitions.csv", "truth.json"):
        assert other["files"][name]["sha256"] != scenario.manifest["files"][name]["sha256"]


def test_manifest_describes_files(scenario: Scenario) -> None:
    m = scenario.manifest
    assert (m["seed"], m["scale"], m["generator"], m["version"]) == (
        1,
        "small",
        "paridad.synth",
        "1",
    )
    on_disk = {
        str(p.relative_to(scenario.root))
        for p in scenario.root.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert set(m["files"]) == on_disk
    for rel, info in m["files"].items():
        data = (scenario.root / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"], rel
        if rel.endswith(".jsonl"):
            assert data.count(b"\n") == info["entities"], rel
    total = sum(len(scenario.side(s)) for s in ("mx", "us"))
    assert sum(m["counts"].values()) == total
    for side in ("mx", "us"):
        assert m["sides"][side]["entities"] == len(scenario.side(side))
    for expected in (
        "mx/people.jsonl",
        "mx/firearms.jsonl",
        "mx/drones.jsonl",
        "mx/finance.jsonl",
        "mx/fuel.jsonl",
        "mx/cases.jsonl",
        "mx/meetings.jsonl",
        "mx/recoveries.csv",
        "mx/recoveries.mapping.yml",
        "us/people.jsonl",
        "us/firearms.jsonl",
        "us/drones.jsonl",
        "us/finance.jsonl",
        "us/cases.jsonl",
        "us/meetings.jsonl",
        "us/acquisitions.csv",
        "us/acquisitions.mapping.yml",
        "truth.json",
    ):
        assert expected in m["files"], expected


def test_small_is_a_few_thousand_per_side(scenario: Scenario) -> None:
    for side in ("mx", "us"):
        assert 2_000 <= len(scenario.side(side)) <= 20_000


def test_independent_of_hash_seed(scenario: Scenario, tmp_path: Path) -> None:
    """No set-iteration order leaks into the output: another PYTHONHASHSEED, same bytes."""
    code = (
        "import sys, json; from pathlib import Path; from paridad.synth import generate; "
        "print(json.dumps(generate(Path(sys.argv[1]), seed=1, scale='small')['files']))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "h")],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(out.stdout) == scenario.manifest["files"]
