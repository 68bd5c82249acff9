"""The writer process starts safely whether or not the caller runs other threads."""

from __future__ import annotations

import threading
from pathlib import Path

from paridad.ingest.records import entity_from_dict
from paridad.store.batch import _native_threads, _writer_context
from paridad.store.sqlite import SQLiteStore
from tests.conftest import MARKINGS, entity


def _write_one(store: SQLiteStore, entity_id: str) -> None:
    record = entity_from_dict(
        entity(entity_id, "Person", MARKINGS, name="Ana Ruiz"), "t", "2026-01-01T00:00:00", "t"
    )
    writer = store.writer()
    writer.put(record)
    writer.commit()


def test_a_caller_with_threads_gets_a_fork_server_writer_that_works(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "node.db")
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait, daemon=True)
    busy.start()
    try:
        assert _native_threads() > 1
        assert _writer_context().get_start_method() == "forkserver"
        _write_one(store, "p-threads")
    finally:
        stop.set()
        busy.join()
    assert [e.id for e in store.iter_entities("Person")] == ["p-threads"]
    store.close()
