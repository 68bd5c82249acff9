"""``paridad resolve`` as an analyst uses it: run, review, merge, split, history, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.run import run
from tests.resolve.helpers import duplicates, scenario


@pytest.fixture
def node_dir(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A SQLite node with people and companies from both sides, loaded with ``paridad ingest``."""
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    planted = duplicates(
        scenario(tmp_path_factory),
        tmp_path / "joint.jsonl",
        pairs=12,
        namesakes=3,
        singles=20,
        organizations=4,
    )
    node = tmp_path / "node"
    assert run(capsys, "node", "init", str(node), "--country", "MX", "--agency", "FGR")[0] == 0
    code, _, err = run(capsys, "ingest", str(planted.path), "--node", str(node), "--no-progress")
    assert code == 0, err
    return node


def test_run_list_split_merge_and_history(
    capsys: pytest.CaptureFixture[str], node_dir: Path
) -> None:
    node = ["--node", str(node_dir)]
    code, out, err = run(capsys, "resolve", "run", *node, "--actor", "ana")
    assert code == 0, err
    assert "person@1 on duckdb (priors)" in out and "organization@1" in out
    assert "Training" in err and "Scoring" in err
    code, out, _ = run(capsys, "resolve", "list", *node, "--json")
    clusters = json.loads(out)
    assert clusters and all(c["canonical_id"] == min(c["members"]) for c in clusters)
    code, out, _ = run(capsys, "resolve", "list", *node, "--schema", "Organization")
    assert code == 0 and "records)" in out
    a, b = clusters[0]["members"][:2]

    code, out, _ = run(
        capsys, "resolve", "split", a, b, *node, "--reason", "two people", "--actor", "ana"
    )
    assert code == 0 and "different" in out and "Two clusters" in out
    code, out, _ = run(capsys, "resolve", "run", *node, "--schema", "Person", "--json")
    assert json.loads(out)[0]["recorded"] == 0
    code, out, _ = run(
        capsys, "resolve", "merge", b, a, *node, "--reason", "same CURP", "--actor", "luis"
    )
    assert code == 0 and "One cluster" in out

    code, out, _ = run(capsys, "resolve", "history", a, *node, "--json")
    record = json.loads(out)
    mine = [j for j in record["judgements"] if {j["left_id"], j["right_id"]} == {a, b}]
    assert [j["verdict"] for j in mine] == ["same", "different", "same"]
    assert [j["effective"] for j in mine] == [False, False, True]
    assert record["canonical_id"] == min(record["cluster"])
    code, out, _ = run(capsys, "--lang", "es", "resolve", "history", a, *node)
    assert code == 0 and "misma entidad" in out and "vigente" in out

    code, out, _ = run(capsys, "resolve", "list", *node, "--pending")
    assert code == 0


def test_bad_requests_are_refused_in_the_users_language(
    capsys: pytest.CaptureFixture[str], node_dir: Path
) -> None:
    node = ["--node", str(node_dir)]
    code, _, err = run(capsys, "resolve", "merge", "nobody", "somebody", *node, "--reason", "x")
    assert code == 2 and "No entity with id 'nobody'" in err
    code, _, err = run(capsys, "--lang", "es", "resolve", "split", "a", "a", *node, "--reason", "x")
    assert code == 2 and "consigo misma" in err
    code, _, err = run(capsys, "resolve", "merge", "a", "b", *node)
    assert code == 2 and "--reason" in err
    code, _, err = run(capsys, "resolve", "history", "nobody", *node)
    assert code == 2 and "nobody" in err
    code, _, err = run(capsys, "resolve", "run", *node, "--threshold", "0.4", "--review", "0.6")
    assert code == 2 and "review threshold" in err
