"""The node's audit log: an append-only Merkle tree (RFC 9162) kept in the node's own store.

Invariant 4 (mutual verifiability) asks that every release, receipt, query, match,
disclosure, recall, export, login and view of partner data be recorded so that neither the
node nor anyone with access to its database can later rewrite what happened without it
showing. Each entry is the RFC 8785 canonical JSON of ``{idx, kind, at, actor, details}``;
its leaf hash is RFC 9162's, so a tree head the node signed (:mod:`paridad.audit.heads`)
commits to every entry before it, and a partner holding that head can demand proofs.

An entry is appended *inside the caller's transaction* (:meth:`AuditLog.append`): the record
of a receipt commits with the receipt, or neither does. Two processes appending at once must
never get the same index, so the one-row ``audit_state`` table is the log's lock: SQLite
transactions are ``BEGIN IMMEDIATE`` (one writer at a time), and PostgreSQL takes the row
with ``SELECT … FOR UPDATE``.

``audit_state`` also keeps the tree's *frontier*: the roots of the perfect subtrees along the
right edge (one per bit set in the size), so an append hashes O(log n) nodes and the current
root folds O(log n) of them, instead of re-reading every leaf. :mod:`paridad.audit.verify`
trusts none of this: it re-derives every leaf from its entry and every root from the leaves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from paridad.audit import merkle
from paridad.canonical_json import NotCanonicalizable, canonical
from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.store.database import Database, Tx

# The closed set of entry kinds (docs/audit.md says what each records). A closed set keeps
# audit queries ("every disclosure to the US this month") from missing a misspelt kind.
RELEASE = "release"
RECEIPT = "receipt"
QUERY = "query"
MATCH = "match"
DISCLOSURE = "disclosure"
RECALL = "recall"
PURGE = "purge"
EXPORT = "export"
LOGIN = "login"
VIEW = "view"
USE = "use"
REQUEST = "request"
ANSWER = "answer"
REFUSAL = "refusal"
CONSENT = "consent"
AGREEMENT = "agreement"
RETENTION = "retention"
HEAD = "head"
INGEST = "ingest"
KINDS: tuple[str, ...] = (
    INGEST,
    RELEASE,
    RECEIPT,
    QUERY,
    MATCH,
    DISCLOSURE,
    RECALL,
    PURGE,
    EXPORT,
    LOGIN,
    VIEW,
    USE,
    REQUEST,
    ANSWER,
    REFUSAL,
    CONSENT,
    AGREEMENT,
    RETENTION,
    HEAD,
)

MSG_UNKNOWN_KIND = N_("Unknown audit entry kind '{kind}'; the kinds are: {kinds}.")
MSG_NOT_CANONICAL = N_(
    "The details of an audit entry cannot be written as canonical JSON: {reason}"
)
MSG_NO_ENTRY = N_("Entry {index} is not in the audit log's tree of size {size}.")
MSG_BAD_SIZE = N_("The audit log has {size} entries; there is no tree of size {asked}.")
MSG_BAD_RANGE = N_(
    "There is no consistency proof from size {first} to size {second}; the audit log has "
    "{size} entries."
)
MSG_DAMAGED = N_(
    "The audit log is damaged: entries below {size} are missing. Run 'paridad audit verify'."
)
MSG_DAMAGED_ENTRY = N_(
    "Audit entry {index} is damaged and cannot be read. Run 'paridad audit verify'."
)

DDL = """
CREATE TABLE IF NOT EXISTS audit_entries (
    idx BIGINT PRIMARY KEY, kind TEXT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
    body TEXT NOT NULL, leaf TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_entries_kind ON audit_entries (kind, idx);
CREATE TABLE IF NOT EXISTS audit_state (
    id BIGINT PRIMARY KEY, size BIGINT NOT NULL, frontier TEXT NOT NULL
);
INSERT INTO audit_state (id, size, frontier) VALUES (1, 0, '[]') ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS audit_heads (
    size BIGINT NOT NULL, root TEXT NOT NULL, at TEXT NOT NULL, signature TEXT NOT NULL,
    node TEXT NOT NULL, PRIMARY KEY (size, root)
);
CREATE TABLE IF NOT EXISTS partner_heads (
    partner TEXT NOT NULL, size BIGINT NOT NULL, root TEXT NOT NULL, at TEXT NOT NULL,
    signature TEXT NOT NULL, received_at TEXT NOT NULL, proof TEXT, refused TEXT,
    PRIMARY KEY (partner, size, root)
);
"""

_ENTRY_COLUMNS = "idx, kind, at, actor, body, leaf"


class AuditError(ParidadError):
    """An audit log request that cannot be answered (unknown kind, index or size)."""


def now_iso() -> str:
    """UTC with microseconds: entries made in the same second still sort in order."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def ensure_tables(db: Database) -> None:
    """Create the log's tables. Never inside a transaction: SQLite's script runner commits
    whatever is open first."""
    db.ensure(DDL)


def extend_frontier(frontier: Sequence[bytes], size: int, leaf: bytes) -> list[bytes]:
    """The frontier of the tree of ``size + 1`` leaves, given that of ``size`` leaves.

    Each trailing one bit of ``size`` is a complete subtree the new leaf completes a level of,
    exactly as a binary counter carries.
    """
    out = list(frontier)
    node, n = leaf, size
    while n & 1:
        node = merkle.node_hash(out.pop(), node)
        n >>= 1
    out.append(node)
    return out


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """RFC 9162's root from the frontier: it splits at the largest power of two first, which
    is the leftmost subtree, so folding from the right gives the same tree."""
    if not frontier:
        return merkle.EMPTY_ROOT
    node = frontier[-1]
    for left in reversed(frontier[:-1]):
        node = merkle.node_hash(left, node)
    return node


def canonical_body(idx: int, kind: str, at: str, actor: str, details: Mapping[str, Any]) -> bytes:
    """The bytes an entry's leaf hashes: RFC 8785, so any tool re-derives them exactly."""
    data: dict[str, Any] = {
        "idx": idx,
        "kind": kind,
        "at": at,
        "actor": actor,
        "details": dict(details),
    }
    try:
        return canonical(data)
    except NotCanonicalizable as exc:
        raise AuditError(MSG_NOT_CANONICAL, reason=str(exc)) from None


@dataclass(frozen=True)
class AuditEntry:
    idx: int
    kind: str
    at: str
    actor: str
    details: dict[str, Any]
    leaf: bytes

    def body(self) -> bytes:
        """The canonical bytes re-derived from the fields (hash them to check :attr:`leaf`)."""
        return canonical_body(self.idx, self.kind, self.at, self.actor, self.details)


def _entry(row: Sequence[Any]) -> AuditEntry:
    idx, kind, at, actor, body, leaf = row
    try:
        details = json.loads(body)["details"]
        return AuditEntry(int(idx), kind, at, actor, dict(details), bytes.fromhex(leaf))
    except (ValueError, TypeError, KeyError):
        raise AuditError(MSG_DAMAGED_ENTRY, index=idx) from None


class AuditLog:
    """The log of one node's store (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        ensure_tables(db)

    def append(self, tx: Tx, kind: str, actor: str, details: Mapping[str, Any]) -> AuditEntry:
        """Record ``kind`` by ``actor`` in the caller's transaction ``tx``; it commits with it."""
        if kind not in KINDS:
            raise AuditError(MSG_UNKNOWN_KIND, kind=kind, kinds=", ".join(KINDS))
        lock = " FOR UPDATE" if tx.dialect == "postgresql" else ""
        size, frontier = _state(
            tx.query(f"SELECT size, frontier FROM audit_state WHERE id = 1{lock}")
        )
        at = now_iso()
        body = canonical_body(size, kind, at, actor, details)
        leaf = merkle.leaf_hash(body)
        frontier = extend_frontier(frontier, size, leaf)
        tx.execute(
            f"INSERT INTO audit_entries ({_ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?)",
            (size, kind, at, actor, body.decode("utf-8"), leaf.hex()),
        )
        tx.execute(
            "UPDATE audit_state SET size = ?, frontier = ? WHERE id = 1",
            (size + 1, json.dumps([h.hex() for h in frontier])),
        )
        return AuditEntry(size, kind, at, actor, json.loads(body)["details"], leaf)

    def append_now(self, kind: str, actor: str, details: Mapping[str, Any]) -> AuditEntry:
        """Append in a transaction of its own, for events that change nothing else (a login)."""
        with self.db.transaction() as tx:
            return self.append(tx, kind, actor, details)

    def size(self) -> int:
        return self.tree()[0]

    def tree(self) -> tuple[int, bytes]:
        """Size and root of the current tree, read together (what a tree head signs)."""
        size, frontier = _state(
            self.db.query("SELECT size, frontier FROM audit_state WHERE id = 1")
        )
        return size, frontier_root(frontier)

    def entry(self, idx: int) -> AuditEntry | None:
        rows = self.db.query(f"SELECT {_ENTRY_COLUMNS} FROM audit_entries WHERE idx = ?", (idx,))
        return _entry(rows[0]) if rows else None

    def entries(self, start: int, stop: int) -> list[AuditEntry]:
        """Entries ``start <= idx < stop``, in log order."""
        rows = self.db.query(
            f"SELECT {_ENTRY_COLUMNS} FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx",
            (start, stop),
        )
        return [_entry(r) for r in rows]

    def find(
        self, kind: str | None = None, since: str | datetime | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """The ``limit`` newest entries of ``kind`` made at or after ``since``, newest first."""
        where, args = [], []
        if kind is not None:
            if kind not in KINDS:
                raise AuditError(MSG_UNKNOWN_KIND, kind=kind, kinds=", ".join(KINDS))
            where.append("kind = ?")
            args.append(kind)
        if since is not None:
            if isinstance(since, datetime):
                since = since.astimezone(UTC).isoformat(timespec="microseconds")
            where.append("at >= ?")
            args.append(since)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.query(
            f"SELECT {_ENTRY_COLUMNS} FROM audit_entries{clause} ORDER BY idx DESC LIMIT ?",
            (*args, limit),
        )
        return [_entry(r) for r in rows]

    def leaves(self, size: int) -> list[bytes]:
        """The stored leaf hashes of the tree of ``size`` entries (proofs are built on them)."""
        current = self.size()
        if not 0 <= size <= current:
            raise AuditError(MSG_BAD_SIZE, size=current, asked=size)
        rows = self.db.query("SELECT leaf FROM audit_entries WHERE idx < ? ORDER BY idx", (size,))
        if len(rows) != size:
            raise AuditError(MSG_DAMAGED, size=size)
        return [bytes.fromhex(r[0]) for r in rows]

    def root(self, size: int | None = None) -> bytes:
        """The root of the current tree from the frontier, or of an older one from its leaves."""
        current, top = self.tree()
        if size is None or size == current:
            return top
        return root_of(self.leaves(size))

    def inclusion(self, idx: int, size: int) -> list[bytes]:
        """RFC 9162 inclusion proof of entry ``idx`` in the tree of ``size`` entries."""
        if not 0 <= idx < size:
            raise AuditError(MSG_NO_ENTRY, index=idx, size=size)
        return merkle.inclusion_proof(idx, self.leaves(size))

    def consistency(self, first: int, second: int) -> list[bytes]:
        """RFC 9162 consistency proof that the tree of ``first`` entries is a prefix of that
        of ``second``; empty when ``first`` is 0 (the empty tree is a prefix of any tree)."""
        current = self.size()
        if not 0 <= first <= second <= current:
            raise AuditError(MSG_BAD_RANGE, first=first, second=second, size=current)
        if first == 0:
            return []
        return merkle.consistency_proof(first, self.leaves(second))


def root_of(leaves: Sequence[bytes]) -> bytes:
    """RFC 9162 root in one pass and O(log n) memory (no recursion over list slices)."""
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        frontier = extend_frontier(frontier, size, leaf)
    return frontier_root(frontier)


def _state(rows: Sequence[Sequence[Any]]) -> tuple[int, list[bytes]]:
    size, frontier = rows[0]
    return int(size), [bytes.fromhex(h) for h in json.loads(frontier)]
