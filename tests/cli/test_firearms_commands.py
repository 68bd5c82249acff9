"""``paridad indicators`` and ``paridad report etrace`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.run import run as _run
from tests.firearms.conftest import Scenario, build_scenario


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_scenario(tmp_path_factory.mktemp("synth"))


def test_indicators_summary_csvs_and_json(
    scenario: Scenario,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [
        "--recoveries",
        str(scenario.recoveries),
        "--acquisitions",
        str(scenario.acquisitions),
        "--traces",
        str(scenario.traces),
    ]
    code, out, _ = _run(capsys, "--lang", "en", "indicators", *files, "--out", str(tmp_path))
    assert code == 0 and "Multiple-sale events:" in out and "Purchasers flagged:" in out
    assert (tmp_path / "purchasers.csv").exists() and (tmp_path / "network_edges.csv").exists()
    code, out, _ = _run(capsys, "indicators", *files, "--json")
    data = json.loads(out)
    assert code == 0 and set(data["indicators"]) >= {"time_to_crime", "network"}
    code, out, _ = _run(
        capsys, "report", "etrace", *files, "--out", str(tmp_path / "r.html"), "--lang", "es"
    )
    assert code == 0 and (tmp_path / "r.json").exists()


def test_indicators_need_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _run(capsys, "indicators")
    assert code == 2 and "--node" in err
    code, _, err = _run(
        capsys,
        "indicators",
        "--recoveries",
        str(tmp_path / "nope.csv"),
        "--acquisitions",
        str(tmp_path / "nope.csv"),
    )
    assert code == 2 and "nope.csv" in err
