"""The stored audit log on every backend: it is the RFC 9162 tree of its entries, appends in
the caller's transaction, and gives each of two concurrent processes its own indexes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paridad.audit import merkle
from paridad.audit.log import (
    KINDS,
    AuditError,
    AuditLog,
    canonical_body,
    extend_frontier,
    frontier_root,
    root_of,
)
from paridad.store.database import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    opened = Database(store_url)
    yield opened
    opened.close()


@pytest.fixture
def log(db: Database) -> AuditLog:
    return AuditLog(db)


def fill(log: AuditLog, n: int, kind: str = "query") -> None:
    with log.db.transaction() as tx:
        for i in range(n):
            log.append(tx, kind, f"analyst-{i % 3}", {"case": f"JC-{i}", "n": i})


def test_entries_are_the_leaves_of_the_tree(log: AuditLog) -> None:
    assert log.size() == 0 and log.root() == merkle.EMPTY_ROOT
    first = log.append_now("login", "ana.ruiz", {"from": "10.0.0.7", "lugar": "Ciudad de México"})
    assert (first.idx, first.kind, first.actor) == (0, "login", "ana.ruiz")
    assert first.leaf == merkle.leaf_hash(first.body())
    assert first.body().startswith(b'{"actor":"ana.ruiz","at":"')  # RFC 8785 key order
    fill(log, 9)
    leaves = [merkle.leaf_hash(e.body()) for e in log.entries(0, 10)]
    assert log.size() == 10
    assert log.leaves(10) == leaves
    assert log.root() == merkle.root(leaves)
    assert log.root(4) == merkle.root(leaves[:4])
    again = log.entry(0)
    assert again is not None and again == first
    assert again.details == {"from": "10.0.0.7", "lugar": "Ciudad de México"}
    assert log.entry(10) is None


def test_frontier_root_equals_full_recomputation_at_every_size(log: AuditLog) -> None:
    leaves: list[bytes] = []
    assert log.root() == merkle.root(leaves)
    for i in range(300):
        leaves.append(log.append_now(KINDS[i % len(KINDS)], "node", {"i": i}).leaf)
        assert log.root() == merkle.root(leaves), len(leaves)
    assert log.leaves(300) == leaves


@given(st.lists(st.binary(min_size=32, max_size=32), max_size=200))
def test_frontier_matches_rfc9162_for_any_leaves(leaves: list[bytes]) -> None:
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        frontier = extend_frontier(frontier, size, leaf)
        # One subtree root per bit set in the size: O(log n) state.
        assert len(frontier) == bin(size + 1).count("1")
        assert frontier_root(frontier) == merkle.root(leaves[: size + 1])
    assert root_of(leaves) == merkle.root(leaves)


def test_proofs_from_the_log_verify(log: AuditLog) -> None:
    fill(log, 37)
    leaves = log.leaves(37)
    for size in (1, 2, 7, 8, 9, 16, 31, 37):
        top = log.root(size)
        for idx in {0, size // 2, size - 1}:
            proof = log.inclusion(idx, size)
            assert merkle.verify_inclusion(leaves[idx], idx, size, proof, top)
            if size < 37:  # the proof is for this tree, not the whole log's
                assert not merkle.verify_inclusion(leaves[idx], idx, size, proof, log.root())
        for first in (1, 3, 4, size):
            if first <= size:
                proof = log.consistency(first, size)
                assert merkle.verify_consistency(first, size, log.root(first), top, proof)
    assert log.consistency(0, 37) == []
    for bad in ((5, 5), (-1, 3), (37, 38)):
        with pytest.raises(AuditError):
            log.inclusion(*bad)
    with pytest.raises(AuditError, match="no consistency proof from size 9 to size 4"):
        log.consistency(9, 4)
    with pytest.raises(AuditError, match="no tree of size 38"):
        log.root(38)


def test_an_entry_commits_with_what_it_records(log: AuditLog, db: Database) -> None:
    db.ensure("CREATE TABLE IF NOT EXISTS shared (id TEXT PRIMARY KEY);")
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("INSERT INTO shared VALUES (?)", ("mx-p-1",))
        log.append(tx, "release", "mx-fgr", {"entity": "mx-p-1", "to": "us-atf"})
        raise RuntimeError("crash before commit")
    assert log.size() == 0 and db.query("SELECT COUNT(*) FROM shared") == [(0,)]
    with db.transaction() as tx:
        tx.execute("INSERT INTO shared VALUES (?)", ("mx-p-1",))
        log.append(tx, "release", "mx-fgr", {"entity": "mx-p-1", "to": "us-atf"})
    assert log.size() == 1 and db.query("SELECT COUNT(*) FROM shared") == [(1,)]


def test_kinds_are_a_closed_set_and_details_must_be_json(log: AuditLog) -> None:
    with pytest.raises(AuditError, match="Unknown audit entry kind 'relase'"):
        log.append_now("relase", "mx-fgr", {})
    with pytest.raises(AuditError, match="canonical JSON"):
        log.append_now("release", "mx-fgr", {"score": float("nan")})
    with pytest.raises(AuditError, match="canonical JSON"):
        canonical_body(0, "release", "2026-01-01T00:00:00+00:00", "mx-fgr", {"n": 2**60})
    assert log.size() == 0


def test_find_by_kind_and_time_newest_first(log: AuditLog) -> None:
    log.append_now("login", "ana", {})
    middle = log.append_now("view", "ana", {"entity": "mx-p-1"})
    log.append_now("view", "luis", {"entity": "mx-p-2"})
    log.append_now("login", "luis", {})
    assert [e.idx for e in log.find()] == [3, 2, 1, 0]
    assert [e.actor for e in log.find(kind="view")] == ["luis", "ana"]
    assert [e.idx for e in log.find(kind="view", limit=1)] == [2]
    assert [e.idx for e in log.find(since=middle.at)] == [3, 2, 1]
    assert [e.idx for e in log.find(kind="login", since=middle.at)] == [3]
    with pytest.raises(AuditError):
        log.find(kind="nothing")


APPENDER = """
import sys, time
from pathlib import Path
from paridad.audit.log import AuditLog
from paridad.store.database import Database

url, actor, count, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
db = Database(url)
log = AuditLog(db)
(go.parent / f"ready-{actor}").touch()
while not go.exists():
    time.sleep(0.005)
for i in range(count):
    log.append_now("query", actor, {"i": i})
db.close()
"""


ACTORS = ("mx-fgr", "us-atf")


@pytest.mark.slow
def test_two_processes_appending_get_contiguous_unique_indexes(
    log: AuditLog, db: Database, store_url: str, tmp_path: Path
) -> None:
    count, go = 150, tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER, store_url, actor, str(count), str(go)], cwd=ROOT
        )
        for actor in ACTORS
    ]
    # Released together once both are ready, so their transactions really interleave.
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"ready-{a}").exists() for a in ACTORS):
        assert time.monotonic() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    go.touch()
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    rows = db.query("SELECT idx, actor FROM audit_entries ORDER BY idx")
    assert [r[0] for r in rows] == list(range(2 * count))
    for actor in ACTORS:
        mine = [e for e in log.entries(0, 2 * count) if e.actor == actor]
        assert [e.details["i"] for e in mine] == list(range(count))
    assert log.size() == 2 * count
    assert log.root() == merkle.root(
        [merkle.leaf_hash(e.body()) for e in log.entries(0, 2 * count)]
    )
