"""Ingest runs enter the audit log, from the library call and from ``paridad ingest``."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.audit.ingests import record_ingest
from paridad.audit.log import AuditLog
from paridad.ingest.pipeline import ingest_file
from paridad.node import Node
from paridad.store.database import Database
from tests.cli.run import run
from tests.conftest import MARKINGS, entity
from tests.ingest.helpers import write_jsonl


def _source(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "fgr.jsonl",
        [
            entity("mx-f-1", "Firearm", MARKINGS, serialNumber="AB1234", make="Glock"),
            {"id": "broken"},  # quarantined, and counted in the entry
        ],
    )


def _ingest_entries(node: Node) -> list[dict[str, object]]:
    with Database(node.store_url) as db:
        log = AuditLog(db)
        entries = [log.entry(i) for i in range(log.size())]
    return [dict(e.details) for e in entries if e is not None and e.kind == "ingest"]


def test_a_run_is_recorded_once_with_what_it_stored(node: Node, tmp_path: Path) -> None:
    source = _source(tmp_path)
    with node.open_store() as store:
        report = ingest_file(store, source, dataset="fgr")
    entry = record_ingest(node.store_url, report, actor="ana")
    assert entry is not None and entry.kind == "ingest" and entry.actor == "ana"
    assert entry.details == {
        "dataset": "fgr",
        "source": "fgr.jsonl",
        "digest": report.digest,
        "entities": 1,
        "statements": report.statements,
        "quarantined": 1,
    }
    with node.open_store() as store:
        again = ingest_file(store, source, dataset="fgr")
    assert again.skipped and record_ingest(node.store_url, again) is None
    assert len(_ingest_entries(node)) == 1


def test_paridad_ingest_records_each_file(
    node: Node, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "ingest", str(_source(tmp_path)), "--node", str(node.path))
    assert code == 0, err
    [details] = _ingest_entries(node)
    assert details["source"] == "fgr.jsonl" and details["entities"] == 1
