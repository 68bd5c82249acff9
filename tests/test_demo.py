"""``make demo``'s job: one world, two sovereign nodes, each holding only its own data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paridad.demo import demo_summary_text, run_demo
from paridad.errors import ParidadError
from paridad.exchange.context import Exchange
from paridad.exchange.workflows.matching import list_hits
from paridad.match.identifiers import normalise
from paridad.node import Node


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
    assert summary.refused == {
        **summary.refused,
        "state": "refused",
        "reason": "ongoing-investigation",
    }
    assert summary.recalled["state"] == "confirmed"
    assert summary.audit == {"mx": "OK", "us": "OK"}
    # Hit/no-hit finds exactly the planted traces whose serial, as read in Mexico, folds to
    # the US record's (misreads such as O/0 included); step two discloses one of them.
    truth = json.loads((tmp_path / "scenario" / "truth.json").read_text(encoding="utf-8"))
    expected = {
        t["firearm_mx"]
        for t in truth["traces"]
        if t["firearm_us"] and _serial(t["serial_read"]) == _serial(t["serial_true"])
    }
    with Exchange(Node.open(tmp_path / "nodes" / "mx")) as ex:
        hits = list_hits(ex)
    serial_hits = {h.entity_id for h in hits if h.kind == "serial"}
    assert serial_hits == expected and len(expected) > 100
    # Persons found by name linkage are the planted cross-border pairs (the encodings carry
    # random bit flips, so a borderline pair may come or go between runs). Most planted
    # pairs cannot take part: one side's gate holds them back (another purpose, H2 data of
    # another agency, not releasable, TLP or handling outside the agreement).
    planted = {p["mx"] for p in truth["people_pairs"]}
    by_name = {h.entity_id for h in hits if h.kind == "name:person"}
    assert len(by_name) >= 10 and len(by_name & planted) >= 0.95 * len(by_name)
    assert summary.matched["disclosed"]["state"] == "answered"
    _check_traces(tmp_path, summary.traced, summary.trace_request, truth)
    mx_figures = summary.reciprocity["mx"][0]
    assert mx_figures["rfis_sent"]["states"] == {"answered": 1, "refused": 1}
    assert mx_figures["recalls_sent"] == 1 and mx_figures["use_receipts"] == 1
    _check_report_and_package(summary.report, summary.package)
    text = exchange_summary_text(summary)
    assert "investigación en curso" in text and "ongoing investigation" in text
    assert "Hit/no-hit" in text and "cotejo" in text.casefold()
    assert summary.traced["recovery"] in text and summary.trace_request["id"] in text
    assert summary.report["reports"]["es"] in text and summary.report["reports"]["en"] in text
    assert "verified" in text and summary.package["path"] in text
    # The drone night: each node's alerts reached the other, the fused picture was scored
    # against the planted truth, and the report and maps exist in both languages.
    drones = summary.drones
    assert drones.received["us"] > 0 and drones.received["mx"] > 0
    sides = drones.replay["sides"]
    assert drones.received["us"] == sides["mx"]["stored_alerts"]
    assert drones.received["mx"] == sides["us"]["stored_alerts"]
    assert drones.scores["track_purity"] > 0.9 and drones.scores["crossings_false"] == 0
    assert all(Path(f).is_file() for f in drones.files)
    assert "Drones, node" in text and "Drones, nodo" in text
    # The money: each FIU's node scanned its own payments where they are; the planted cash
    # typologies are among the alerts and the scores were written in both languages.
    finance = summary.finance
    us_alerts = finance.sides["us"]["alerts"]
    assert us_alerts.get("funnel", 0) >= 1 and us_alerts.get("structuring", 0) >= 1
    assert finance.sides["mx"]["accounts_scored"] > 0
    # Each node screened its account holders against its own country's list, and some
    # accounts held by listed parties came out; the top account's money was traced.
    assert all(side["listed"] > 0 for side in finance.sides.values())
    assert sum(side["designated_accounts"] for side in finance.sides.values()) >= 1
    assert all(side["traced"]["transfers"] >= 1 for side in finance.sides.values())
    # The cross-border half: Mexican accounts the US node also holds, found by hit/no-hit on
    # their CLABE or IBAN, count in the Mexican scores.
    assert finance.sides["mx"]["partner_hits"] >= 1
    assert "Cross-border half" in text
    assert all(Path(f).is_file() for f in finance.files)
    assert "Money on" in text and "Screening:" in text and "Traced forward from" in text


def _check_traces(
    workdir: Path, traced: dict[str, Any], request: dict[str, Any], truth: dict[str, Any]
) -> None:
    """The recovery behind the disclosed hit is traced to its planted sale (method hit/no-hit,
    with a time-to-crime), and the trace request is answered by the US node."""
    planted = {t["recovery"]: t for t in truth["traces"]}
    assert planted[traced["recovery"]]["acquisition"] == traced["acquisition"]
    assert traced["ttc_days"] == planted[traced["recovery"]]["time_to_crime_days"]
    assert traced["dealer_state"] and traced["sold_on"] and traced["score"] > 0.9
    with Exchange(Node.open(workdir / "nodes" / "mx")) as ex:
        [record] = ex.records([traced["trace"]])
    values = {row[3]: row[5] for row in record.rows}
    assert values["method"] == "hit-no-hit" and values["recovery"] == traced["recovery"]
    assert int(float(values["timeToCrimeDays"])) == traced["ttc_days"]
    assert request["state"] == "answered" and request["how"] == "automatic"
    assert request["recovery"] != traced["recovery"]
    assert planted[request["recovery"]]["acquisition"] == request["acquisition"]
    assert request["ttc_days"] is not None


def _check_report_and_package(report: dict[str, Any], package: dict[str, Any]) -> None:
    """The report and indicators exist in both languages and differ; the package verifies."""
    es, en = (Path(report["reports"][lang]) for lang in ("es", "en"))
    assert es.is_file() and en.is_file() and es.read_bytes() != en.read_bytes()
    assert 'lang="es"' in es.read_text(encoding="utf-8")
    assert 'lang="en"' in en.read_text(encoding="utf-8")
    assert report["traced"] > 100 and report["median_ttc_days"] and report["top_state"]
    for lang in ("es", "en"):
        assert (Path(report["indicators"][lang]) / "time_to_crime.csv").is_file()
    assert package["verified"] and package["items"] > 0 and package["proofs"] > 0
    assert (Path(package["path"]) / "package.pdf").is_file()


def _serial(text: str | None) -> str | None:
    try:
        return normalise("serial", text) if text else None
    except ParidadError:
        return None
