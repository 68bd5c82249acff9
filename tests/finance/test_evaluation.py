"""Precision and recall as the benchmark counts them, on findings and instances made by hand."""

from __future__ import annotations

from typing import Any

from paridad.finance.detectors.base import Finding
from paridad.finance.evaluation import Planted, evaluate, planted_from_truth


def _finding(detector: str, *accounts: str) -> Finding:
    return Finding(detector, "1", f"{detector}:{accounts[0]}", accounts[0], 1.0, {}, accounts)


def test_an_instance_is_found_by_its_own_detector_holding_half_its_accounts() -> None:
    planted = [Planted("P1", "fan-in", frozenset({"h", "a", "b", "c"}))]
    half = evaluate([_finding("fan-in", "h", "a")], planted)
    assert half["typologies"]["fan-in"]["recall"] == 1.0
    less = evaluate([_finding("fan-in", "h")], planted)
    assert less["typologies"]["fan-in"]["recall"] == 0.0
    other = evaluate([_finding("fan-out", "h", "a", "b")], planted)
    assert other["typologies"]["fan-in"]["recall"] == 0.0
    assert other["typologies"]["fan-out"]["precision"] == 0.0


def test_structuring_on_a_funnel_is_correct_but_does_not_find_it() -> None:
    planted = [Planted("P1", "funnel", frozenset({"f", "x"}))]
    result = evaluate([_finding("structuring", "f")], planted)
    assert result["typologies"]["structuring"]["precision"] == 1.0
    assert result["typologies"]["funnel"]["recall"] == 0.0


def test_accounts_overall_and_records_of_one_real_account() -> None:
    planted = [Planted("P1", "cycle", frozenset({"mx-a", "us-a", "b"}))]
    findings = [_finding("cycle", "mx-a", "b", "noise")]
    plain = evaluate(findings, planted)["accounts"]
    assert (plain["precision"], plain["recall"]) == (0.6667, 0.6667)
    joined = evaluate(findings, planted, {"mx-a": "A", "us-a": "A"})["accounts"]
    assert joined["recall"] == 1.0 and joined["precision"] == 0.6667


def test_truth_gives_one_entry_per_side_that_sees_an_instance() -> None:
    records: list[dict[str, Any]] = [
        {
            "id": "T1",
            "kind": "fan-in",
            "accounts": ["m1", "u1"],
            "accounts_by_side": {"mx": ["m1"], "us": ["u1"]},
        },
        {"id": "T2", "kind": "cycle", "accounts": ["z"]},
    ]
    planted = planted_from_truth(records)
    assert [(p.id, sorted(p.accounts)) for p in planted] == [
        ("T1", ["m1"]),
        ("T1", ["u1"]),
        ("T2", ["z"]),
    ]
