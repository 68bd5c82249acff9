"""``paridad bench resolve`` on a trimmed scenario: the rows carry the agreed fields and
Paridad's resolution is scored against the planted truth."""

from __future__ import annotations

from paridad.bench.resolve import run

FIELDS = {"bench", "system", "backend", "dataset", "n", "seconds", "precision", "recall", "f1"}


def test_resolution_rows_score_against_the_truth() -> None:
    rows = list(run(size=20))
    assert {(r["system"], r["schema"]) for r in rows} == {
        ("paridad", "Person"),
        ("paridad", "Organization"),
        ("splink", "Person"),
    }
    for row in rows:
        assert row.keys() >= FIELDS and row["bench"] == "resolve"
        assert row["dataset"] == "synthetic-small-20" and row["n"] > 0
        assert 0.0 <= row["precision"] <= 1.0 and 0.0 <= row["recall"] <= 1.0
    ours = {r["schema"]: r for r in rows if r["system"] == "paridad"}
    assert ours["Person"]["precision"] == 1.0 and ours["Person"]["recall"] >= 0.8
    assert ours["Organization"]["f1"] == 1.0
