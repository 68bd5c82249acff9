"""Whoever can write to the database cannot rewrite the audit history unnoticed: each way of
tampering with the log, the node's heads or a partner's heads is found, on every backend."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from paridad.audit import merkle
from paridad.audit.heads import (
    ForkedHistory,
    InvalidHead,
    SignedTreeHead,
    latest_head,
    latest_partner_head,
    partner_heads,
    record_partner_head,
    sign_head,
    verify_head_signature,
)
from paridad.audit.log import AuditError, AuditLog, canonical_body, extend_frontier
from paridad.audit.verify import (
    BAD_HEAD_SIGNATURE,
    BAD_ROOT,
    DROPPED_ENTRY,
    FORKED_HEAD,
    INCONSISTENT_HEAD,
    TAMPERED_ENTRY,
    verify_log,
    verify_node,
    verify_partner_heads,
)
from paridad.exchange.identity import NodeIdentity
from paridad.i18n import set_lang
from paridad.store.database import Database
from tests.conftest import namespaced, postgres_url

PARTNER = "us-atf"


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    opened = Database(store_url)
    yield opened
    opened.close()


@pytest.fixture
def log(db: Database) -> AuditLog:
    return AuditLog(db)


@pytest.fixture
def me() -> NodeIdentity:
    return NodeIdentity.generate()


@pytest.fixture
def other_log(backend: str, tmp_path: Path) -> Iterator[Callable[[str], AuditLog]]:
    """Another node's log (a file or schema of its own), to play the partner."""
    opened: list[tuple[Database, str]] = []

    def make(name: str) -> AuditLog:
        if backend == "sqlite":
            url = str(tmp_path / f"{name}.sqlite")
        else:
            base = postgres_url()
            assert base is not None
            url = namespaced(base)
        db = Database(url)
        opened.append((db, url))
        return AuditLog(db)

    yield make
    for db, url in opened:
        db.close()
        if backend == "postgres":
            from paridad.store.postgres import PostgresStore

            cleanup = PostgresStore(url)
            cleanup.drop()
            cleanup.close()


def fill(log: AuditLog, n: int, actor: str = "mx-fgr") -> None:
    with log.db.transaction() as tx:
        for i in range(n):
            log.append(tx, "release", actor, {"entity": f"p-{log.size() + i}", "to": PARTNER})


def rewrite(db: Database, entries: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """What a careful attacker with database access does: renumber the entries, re-derive
    every body and leaf, and rebuild the stored frontier so the log is self-consistent."""
    frontier: list[bytes] = []
    with db.transaction() as tx:
        tx.execute("DELETE FROM audit_entries")
        for idx, (kind, at, actor, details) in enumerate(entries):
            body = canonical_body(idx, kind, at, actor, details)
            leaf = merkle.leaf_hash(body)
            frontier = extend_frontier(frontier, idx, leaf)
            tx.execute(
                "INSERT INTO audit_entries VALUES (?,?,?,?,?,?)",
                (idx, kind, at, actor, body.decode(), leaf.hex()),
            )
        tx.execute(
            "UPDATE audit_state SET size = ?, frontier = ? WHERE id = 1",
            (len(entries), json.dumps([h.hex() for h in frontier])),
        )


def as_rows(log: AuditLog) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [(e.kind, e.at, e.actor, e.details) for e in log.entries(0, log.size())]


# --- this node's log ----------------------------------------------------------------------


def test_a_clean_log_verifies(log: AuditLog, me: NodeIdentity) -> None:
    report = verify_log(log.db, me.verify_key)
    assert report.ok and (report.entries, report.heads) == (0, 0)
    sign_head(log, me, "mx-fgr")  # the empty tree
    fill(log, 5)
    sign_head(log, me, "mx-fgr")
    fill(log, 12)
    head = sign_head(log, me, "mx-fgr")
    assert sign_head(log, me, "mx-fgr") == head  # one head per tree
    assert latest_head(log.db) == head and head.size == 17
    report = verify_log(log.db, me.verify_key)
    assert report.ok, report.lines()
    assert (report.entries, report.heads) == (17, 3)
    assert report.summary() == "OK: 17 entries, 3 signed heads, 0 partner heads"


def test_an_edited_entry_is_found(log: AuditLog, me: NodeIdentity) -> None:
    fill(log, 8)
    entry = log.entry(3)
    assert entry is not None
    forged = canonical_body(3, entry.kind, entry.at, entry.actor, {"entity": "p-3", "to": "x"})
    with log.db.transaction() as tx:
        tx.execute("UPDATE audit_entries SET body = ? WHERE idx = 3", (forged.decode(),))
    report = verify_log(log.db, me.verify_key)
    # The entry, and the current root appends build on, no longer match.
    assert report.codes == [TAMPERED_ENTRY, BAD_ROOT]
    assert report[0].params == {"index": 3}
    assert (
        report[0].render() == "Audit entry 3 was altered: its content no longer matches its hash."
    )


def test_an_edited_leaf_or_column_is_found(log: AuditLog, me: NodeIdentity) -> None:
    fill(log, 4)
    with log.db.transaction() as tx:
        tx.execute("UPDATE audit_entries SET leaf = ? WHERE idx = 1", ("00" * 32,))
        tx.execute("UPDATE audit_entries SET actor = ? WHERE idx = 2", ("nobody",))
    report = verify_log(log.db, me.verify_key)
    assert report.codes == [TAMPERED_ENTRY, TAMPERED_ENTRY]
    assert [p.params["index"] for p in report] == [1, 2]
    with log.db.transaction() as tx:
        tx.execute("UPDATE audit_entries SET body = ? WHERE idx = 3", ("{broken",))
    with pytest.raises(AuditError, match="Audit entry 3 is damaged"):
        log.entry(3)
    assert verify_log(log.db, me.verify_key).codes == [TAMPERED_ENTRY] * 3 + [BAD_ROOT]


def test_a_rewritten_history_with_recomputed_leaves_is_caught_by_the_signed_head(
    log: AuditLog, me: NodeIdentity
) -> None:
    fill(log, 6)
    sign_head(log, me, "mx-fgr")
    fill(log, 4)
    sign_head(log, me, "mx-fgr")
    rows = as_rows(log)
    kind, at, actor, _ = rows[2]
    # Leaf recomputed, frontier not: even without a head the stored root gives it away.
    body = canonical_body(2, kind, at, actor, {"entity": "p-2", "to": "elsewhere"})
    with log.db.transaction() as tx:
        tx.execute(
            "UPDATE audit_entries SET body = ?, leaf = ? WHERE idx = 2",
            (body.decode(), merkle.leaf_hash(body).hex()),
        )
    assert verify_log(log.db, me.verify_key).codes == [BAD_ROOT, BAD_ROOT, BAD_ROOT]
    # Everything rebuilt: only the two signed heads still tell.
    rows[2] = (kind, at, actor, {"entity": "p-2", "to": "elsewhere"})
    rewrite(log.db, rows)
    report = verify_log(log.db, me.verify_key)
    assert report.codes == [BAD_ROOT, BAD_ROOT]
    assert [p.params["size"] for p in report] == [6, 10]
    assert "history was rewritten" in report[0].render()


def test_a_dropped_entry_is_found(log: AuditLog, me: NodeIdentity) -> None:
    fill(log, 10)
    sign_head(log, me, "mx-fgr")
    with log.db.transaction() as tx:
        tx.execute("DELETE FROM audit_entries WHERE idx IN (4, 7, 8)")
    report = verify_log(log.db, me.verify_key)
    assert report.codes == [DROPPED_ENTRY] * 4
    assert [p.render() for p in report] == [
        "Audit entry 4 is missing from the log.",
        "Audit entries 7 to 8 are missing from the log.",
        "This node signed a tree head of size 10, but the log now holds only 7 entries.",
        "The log recorded 10 entries, but only 7 remain.",
    ]


def test_a_dropped_and_renumbered_entry_is_caught_by_the_signed_head(
    log: AuditLog, me: NodeIdentity
) -> None:
    fill(log, 3)
    sign_head(log, me, "mx-fgr")
    fill(log, 7)
    sign_head(log, me, "mx-fgr")
    rows = as_rows(log)
    del rows[5]
    rewrite(log.db, rows)
    report = verify_log(log.db, me.verify_key)
    assert report.codes == [DROPPED_ENTRY] and report[0].params == {"size": 10, "count": 9}
    # Padding the log back to ten entries does not help: the root differs.
    log.append_now("login", "mx-fgr", {})
    report = verify_log(log.db, me.verify_key)
    assert report.codes == [BAD_ROOT] and report[0].params == {"size": 10}


def test_a_forged_or_altered_own_head_is_found(log: AuditLog, me: NodeIdentity) -> None:
    fill(log, 4)
    sign_head(log, NodeIdentity.generate(), "mx-fgr")  # someone else's key
    fill(log, 2)
    good = sign_head(log, me, "mx-fgr")
    assert verify_log(log.db, me.verify_key).codes == [BAD_HEAD_SIGNATURE]
    flipped = bytes([good.signature[0] ^ 1]) + good.signature[1:]
    with log.db.transaction() as tx:
        tx.execute(
            "UPDATE audit_heads SET signature = ? WHERE size = 6",
            (base64.b64encode(flipped).decode(),),
        )
    report = verify_log(log.db, me.verify_key)
    assert report.codes == [BAD_HEAD_SIGNATURE, BAD_HEAD_SIGNATURE]
    assert [p.params["size"] for p in report] == [4, 6]


# --- heads as data -------------------------------------------------------------------------


def test_a_head_round_trips_and_its_signature_covers_every_field(
    log: AuditLog, me: NodeIdentity
) -> None:
    fill(log, 3)
    head = sign_head(log, me, "mx-fgr")
    again = SignedTreeHead.from_dict(json.loads(json.dumps(head.to_dict())))
    assert again == head
    verify_head_signature(again, me.verify_key)
    assert head.signed_bytes() == (
        b'{"at":"'
        + head.at.encode()
        + b'","node":"mx-fgr","root":"'
        + head.root.hex().encode()
        + b'","size":3}'
    )
    for changed in ({"size": 4}, {"node": "mx-sat"}, {"at": "2020-01-01T00:00:00+00:00"}):
        with pytest.raises(InvalidHead, match="does not carry a valid signature"):
            verify_head_signature(
                SignedTreeHead.from_dict({**head.to_dict(), **changed}), me.verify_key
            )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"size": -1}, "size"),
        ({"size": True}, "size"),
        ({"size": "3"}, "size"),
        ({"root": "AB" * 32}, "root"),
        ({"root": "ab" * 31}, "root"),
        ({"node": ""}, "node"),
        ({"at": "yesterday"}, "at"),
        ({"signature": "not base64!"}, "signature"),
        ({"signature": base64.b64encode(b"short").decode()}, "signature"),
        ({"signature": None}, "signature"),
    ],
)
def test_a_malformed_head_is_refused_in_the_users_language(
    change: dict[str, Any], field: str
) -> None:
    good = {
        "node": "us-atf",
        "size": 3,
        "root": "ab" * 32,
        "at": "2026-01-01T00:00:00.000001+00:00",
        "signature": base64.b64encode(bytes(64)).decode(),
    }
    SignedTreeHead.from_dict(good)
    with pytest.raises(InvalidHead) as err:
        SignedTreeHead.from_dict({**good, **change})
    assert err.value.params == {"field": field}
    set_lang("es")
    assert err.value.localized() == (
        f"Encabezado de árbol mal formado: el campo '{field}' falta o no es válido."
    )


def test_a_head_that_is_not_an_object_or_has_extra_fields_is_refused() -> None:
    with pytest.raises(InvalidHead, match="must be a JSON object"):
        SignedTreeHead.from_dict(["node", 3])
    with pytest.raises(InvalidHead, match="unknown field 'extra'"):
        SignedTreeHead.from_dict({"extra": 1})


# --- a partner's heads ---------------------------------------------------------------------


def test_a_partners_honest_heads_are_kept_and_verify(
    db: Database, other_log: Callable[[str], AuditLog]
) -> None:
    partner, key = other_log("us"), NodeIdentity.generate()
    AuditLog(db)  # what the exchange opens first: the tables exist from then on
    assert latest_partner_head(db, PARTNER) is None
    first = sign_head(partner, key, PARTNER)  # the empty tree, no proof needed
    record_partner_head(db, PARTNER, first, key.verify_key, None)
    fill(partner, 5, PARTNER)
    record_partner_head(db, PARTNER, sign_head(partner, key, PARTNER), key.verify_key, None)
    fill(partner, 6, PARTNER)
    h11 = sign_head(partner, key, PARTNER)
    record_partner_head(db, PARTNER, h11, key.verify_key, partner.consistency(5, 11))
    record_partner_head(db, PARTNER, h11, key.verify_key, None)  # delivered twice
    fill(partner, 9, PARTNER)
    h20 = sign_head(partner, key, PARTNER)
    record_partner_head(db, PARTNER, h20, key.verify_key, partner.consistency(11, 20))
    assert latest_partner_head(db, PARTNER) == h20
    # A head older than the latest, delivered late, is kept with a proof up to the latest.
    unsigned = SignedTreeHead(PARTNER, 8, partner.root(8), h11.at, b"")
    h8 = replace(unsigned, signature=key.signing_key.sign(unsigned.signed_bytes()).signature)
    record_partner_head(db, PARTNER, h8, key.verify_key, partner.consistency(8, 20))
    assert [h.head.size for h in partner_heads(db, PARTNER)] == [0, 5, 11, 20, 8]
    report = verify_partner_heads(db, PARTNER, key.verify_key)
    assert report.ok, report.lines()
    assert report.partner_heads == 5


def test_a_head_that_cannot_be_checked_is_refused_and_not_kept(
    db: Database, other_log: Callable[[str], AuditLog]
) -> None:
    partner, key = other_log("us"), NodeIdentity.generate()
    fill(partner, 3, PARTNER)
    record_partner_head(db, PARTNER, sign_head(partner, key, PARTNER), key.verify_key, None)
    fill(partner, 3, PARTNER)
    h6 = sign_head(partner, key, PARTNER)
    with pytest.raises(InvalidHead, match="consistency proof from size 3 to size 6 is needed"):
        record_partner_head(db, PARTNER, h6, key.verify_key, None)
    with pytest.raises(InvalidHead, match="does not carry a valid signature"):
        record_partner_head(db, PARTNER, h6, NodeIdentity.generate().verify_key, [])
    with pytest.raises(InvalidHead, match="comes from us-atf, not from us-dea"):
        record_partner_head(db, "us-dea", h6, key.verify_key, partner.consistency(3, 6))
    assert [h.head.size for h in partner_heads(db, PARTNER)] == [3]


def test_a_partner_signing_two_roots_for_one_size_is_refused_and_kept_as_evidence(
    db: Database, other_log: Callable[[str], AuditLog]
) -> None:
    honest, rewritten, key = other_log("us"), other_log("us-rewritten"), NodeIdentity.generate()
    fill(honest, 4, PARTNER)
    record_partner_head(db, PARTNER, sign_head(honest, key, PARTNER), key.verify_key, None)
    fill(honest, 6, PARTNER)
    fill(rewritten, 10, "someone else")
    record_partner_head(
        db, PARTNER, sign_head(honest, key, PARTNER), key.verify_key, honest.consistency(4, 10)
    )
    forked = sign_head(rewritten, key, PARTNER)  # same key, same size, another history
    with pytest.raises(ForkedHistory, match="two different roots for size 10") as err:
        record_partner_head(db, PARTNER, forked, key.verify_key, rewritten.consistency(4, 10))
    set_lang("es")
    assert "bifurcó" in err.value.localized()
    set_lang("en")
    assert [h.head.size for h in partner_heads(db, PARTNER)] == [4, 10, 10]
    report = verify_partner_heads(db, PARTNER, key.verify_key)
    assert report.codes == [FORKED_HEAD] and report[0].params == {"partner": PARTNER, "size": 10}
    with pytest.raises(ForkedHistory):  # delivered again: refused again, nothing more kept
        record_partner_head(db, PARTNER, forked, key.verify_key, None)
    # The history accepted first goes on; the other one cannot.
    fill(honest, 2, PARTNER)
    h12 = sign_head(honest, key, PARTNER)
    record_partner_head(db, PARTNER, h12, key.verify_key, honest.consistency(10, 12))
    assert latest_partner_head(db, PARTNER) == h12
    fill(rewritten, 3, "someone else")
    h13 = sign_head(rewritten, key, PARTNER)
    with pytest.raises(ForkedHistory, match="at size 13 does not extend its head at size 12"):
        record_partner_head(db, PARTNER, h13, key.verify_key, rewritten.consistency(12, 13))
    assert len(partner_heads(db, PARTNER)) == 5
    assert verify_partner_heads(db, PARTNER, key.verify_key).codes == [
        FORKED_HEAD,
        INCONSISTENT_HEAD,
    ]


def test_a_partner_head_that_does_not_extend_the_last_is_refused_and_kept_as_evidence(
    db: Database, other_log: Callable[[str], AuditLog]
) -> None:
    honest, rewritten, key = other_log("us"), other_log("us-rewritten"), NodeIdentity.generate()
    fill(honest, 10, PARTNER)
    fill(rewritten, 12, "someone else")
    record_partner_head(db, PARTNER, sign_head(honest, key, PARTNER), key.verify_key, None)
    # The proof is honest about the rewritten log, which the kept head is not a prefix of.
    h12 = sign_head(rewritten, key, PARTNER)
    with pytest.raises(ForkedHistory, match="at size 12 does not extend its head at size 10"):
        record_partner_head(db, PARTNER, h12, key.verify_key, rewritten.consistency(10, 12))
    report = verify_partner_heads(db, PARTNER, key.verify_key)
    assert report.codes == [INCONSISTENT_HEAD]
    assert report[0].params == {"partner": PARTNER, "old": 10, "new": 12}
    # A forged proof is no better.
    fill(rewritten, 3, "someone else")
    h15 = sign_head(rewritten, key, PARTNER)
    with pytest.raises(ForkedHistory, match="at size 15 does not extend its head at size 10"):
        record_partner_head(db, PARTNER, h15, key.verify_key, [b"\x00" * 32])
    # Refused heads are evidence, not the base: the honest history is still accepted.
    fill(honest, 6, PARTNER)
    h16 = sign_head(honest, key, PARTNER)
    record_partner_head(db, PARTNER, h16, key.verify_key, honest.consistency(10, 16))
    assert latest_partner_head(db, PARTNER) == h16
    assert verify_partner_heads(db, PARTNER, key.verify_key).codes == [INCONSISTENT_HEAD] * 2


def test_altered_partner_heads_and_missing_keys_are_reported(
    db: Database, other_log: Callable[[str], AuditLog], me: NodeIdentity
) -> None:
    partner, key = other_log("us"), NodeIdentity.generate()
    fill(partner, 2, PARTNER)
    record_partner_head(db, PARTNER, sign_head(partner, key, PARTNER), key.verify_key, None)
    fill(partner, 2, PARTNER)
    h4 = sign_head(partner, key, PARTNER)
    record_partner_head(db, PARTNER, h4, key.verify_key, partner.consistency(2, 4))
    fill(db_log := AuditLog(db), 3)
    sign_head(db_log, me, "mx-fgr")
    report = verify_node(db, me.verify_key, {PARTNER: key.verify_key})
    assert report.ok and (report.entries, report.heads, report.partner_heads) == (3, 1, 2)
    missing = verify_node(db, me.verify_key, {})
    assert missing.codes == [BAD_HEAD_SIGNATURE] and missing.partner_heads == 2
    assert "No signing key is registered for us-atf" in missing[0].render()
    with db.transaction() as tx:
        tx.execute("UPDATE partner_heads SET at = ? WHERE size = 2", ("2020-01-01T00:00:00+00:00",))
        tx.execute("UPDATE partner_heads SET proof = ? WHERE size = 4", ("{broken",))
    report = verify_partner_heads(db, PARTNER, key.verify_key)
    assert report.codes == [BAD_HEAD_SIGNATURE, INCONSISTENT_HEAD]
    assert "without a consistency proof" in report[1].render()
