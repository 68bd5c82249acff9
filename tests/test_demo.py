"""``make demo``'s job: one world, two sovereign nodes, each holding only its own data."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.demo import demo_summary_text, run_demo


@pytest.mark.slow
def test_demo_builds_two_nodes_and_is_idempotent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    summary = run_demo(tmp_path, seed=3, scale="small", log=lambda _: None)
    mx, us = summary.nodes["mx"], summary.nodes["us"]
    assert mx["country"] == "MX" and us["country"] == "US"
    assert mx["entities"] > 500 and us["entities"] > 500
    assert mx["quarantined"] == 0 and us["quarantined"] == 0
    assert "FirearmRecovery" in mx["by_schema"] and "FirearmAcquisition" in us["by_schema"]
    assert "Meeting" in mx["by_schema"] and "Meeting" in us["by_schema"]
    text = demo_summary_text(summary)
    assert "Personas / People" in text
    assert "Demostración de Paridad" in text and "Paridad demo" in text

    from paridad.node import Node

    with Node.open(tmp_path / "nodes" / "mx").open_store() as store:
        origins = {r.markings.origin_country for r in store.iter_entities("Person")}
        assert origins == {"MX"}
        assert store.check() == []

    again = run_demo(tmp_path, seed=3, scale="small", log=lambda _: None)
    assert all(r.skipped for reports in again.reports.values() for r in reports)
    assert again.nodes["mx"]["entities"] == mx["entities"]


@pytest.mark.slow
def test_demo_exchange_runs_every_workflow_between_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paridad.demo_exchange import exchange_summary_text, run_exchange

    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    run_demo(tmp_path, seed=3, scale="small", log=lambda _: None)
    summary = run_exchange(tmp_path, log=lambda _: None)
    assert summary.shared > 100
    assert summary.answered["state"] == "answered"
    assert summary.refused == {
        **summary.refused,
        "state": "refused",
        "reason": "ongoing-investigation",
    }
    assert summary.recalled["state"] == "confirmed"
    assert summary.audit == {"mx": "OK", "us": "OK"}
    mx_figures = summary.reciprocity["mx"][0]
    assert mx_figures["rfis_sent"]["states"] == {"answered": 1, "refused": 1}
    assert mx_figures["recalls_sent"] == 1 and mx_figures["use_receipts"] == 1
    text = exchange_summary_text(summary)
    assert "investigación en curso" in text and "ongoing investigation" in text
