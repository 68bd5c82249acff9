"""Checking an audit log and the partners' heads from the raw rows, trusting nothing stored.

Whoever can write to a node's database can edit an entry, recompute its hash, delete a row
and renumber the rest, and update the stored frontier to match. What they cannot do is make
the node's *signed* tree heads, or a partner's, agree with the rewritten history. So
:func:`verify_log` re-derives every leaf from its entry's canonical bytes (an edited entry),
checks the indexes run 0..n-1 (a dropped one), recomputes the root at every signed head's
size (a history rewritten consistently, leaves and all) and checks each head's signature (a
forged head). :func:`verify_partner_heads` does the same for what partners signed: every
signature, no two roots for one size, and every kept consistency proof.

A :class:`Report` lists :class:`Problem` records (a code, an English message id and its
parameters), so the same finding prints in Spanish or English and can be stored as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rfc8785
from nacl.signing import VerifyKey

from paridad.audit import merkle
from paridad.audit.heads import FORKED_HEAD as FORKED_HEAD  # the codes heads.py refuses with
from paridad.audit.heads import INCONSISTENT_HEAD as INCONSISTENT_HEAD
from paridad.audit.heads import (
    InvalidHead,
    SignedTreeHead,
    links_consistently,
    own_heads,
    partner_heads,
    partners,
    verify_head_signature,
)
from paridad.audit.log import AuditLog, ensure_tables, extend_frontier, frontier_root
from paridad.errors import render_message
from paridad.i18n import N_, Lang, translate
from paridad.store.database import Database

TAMPERED_ENTRY = "tampered-entry"
DROPPED_ENTRY = "dropped-entry"
BAD_ROOT = "bad-root"
BAD_HEAD_SIGNATURE = "bad-head-signature"
CODES = (
    TAMPERED_ENTRY,
    DROPPED_ENTRY,
    BAD_ROOT,
    BAD_HEAD_SIGNATURE,
    FORKED_HEAD,
    INCONSISTENT_HEAD,
)

MSG_TAMPERED = N_("Audit entry {index} was altered: its content no longer matches its hash.")
MSG_GAP_ONE = N_("Audit entry {index} is missing from the log.")
MSG_GAP = N_("Audit entries {first} to {last} are missing from the log.")
MSG_HEAD_BEYOND = N_(
    "This node signed a tree head of size {size}, but the log now holds only {count} entries."
)
MSG_STATE_BEYOND = N_("The log recorded {size} entries, but only {count} remain.")
MSG_HEAD_ROOT = N_(
    "The log no longer matches the tree head this node signed at size {size}: its history "
    "was rewritten."
)
MSG_STATE_ROOT = N_("The log's current root (size {size}) does not match its entries.")
MSG_OWN_SIGNATURE = N_(
    "The tree head of size {size} signed at {at} does not verify with this node's key."
)
MSG_PARTNER_SIGNATURE = N_(
    "The tree head of {partner} at size {size} does not verify with {partner}'s key."
)
MSG_NO_KEY = N_(
    "No signing key is registered for {partner}; its {count} tree heads could not be checked."
)
MSG_FORKED = N_("{partner} signed two different roots for size {size}: its history forked.")
MSG_INCONSISTENT = N_(
    "The tree head of {partner} at size {new} does not extend its head at size {old}: the "
    "consistency proof fails."
)
MSG_UNLINKED = N_(
    "The tree head of {partner} at size {size} was kept without a consistency proof linking "
    "it to the heads before it."
)

_CHUNK = 5000
_BODY_FIELDS = {"idx", "kind", "at", "actor", "details"}


@dataclass(frozen=True)
class Problem:
    code: str
    msgid: str
    params: dict[str, Any]

    def render(self, lang: Lang | None = None) -> str:
        return render_message(self.msgid, self.params, lang)


class Report(list[Problem]):
    """The problems found (empty when all is well) and how much was checked."""

    def __init__(
        self,
        problems: Iterable[Problem] = (),
        *,
        entries: int = 0,
        heads: int = 0,
        partner_heads: int = 0,
    ) -> None:
        super().__init__(problems)
        self.entries = entries
        self.heads = heads
        self.partner_heads = partner_heads

    @property
    def ok(self) -> bool:
        return not self

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self]

    def lines(self, lang: Lang | None = None) -> list[str]:
        return [p.render(lang) for p in self]

    def summary(self, lang: Lang | None = None) -> str:
        """One line: what was checked, or how many problems were found."""
        if self.ok:
            return translate(
                "OK: {entries} entries, {heads} signed heads, {partner_heads} partner heads",
                lang,
                entries=self.entries,
                heads=self.heads,
                partner_heads=self.partner_heads,
            )
        return translate("Problems found: {count}", lang, count=len(self))

    def merge(self, other: Report) -> Report:
        return Report(
            [*self, *other],
            entries=self.entries + other.entries,
            heads=self.heads + other.heads,
            partner_heads=self.partner_heads + other.partner_heads,
        )


def verify_log(db: Database, verify_key: VerifyKey) -> Report:
    """Check this node's log against its entries, its signed heads and this node's key."""
    log = AuditLog(db)
    heads = own_heads(db)
    problems: list[Problem] = []
    by_size: dict[int, list[SignedTreeHead]] = {}
    for head in heads:
        by_size.setdefault(head.size, []).append(head)
        try:
            verify_head_signature(head, verify_key)
        except InvalidHead:
            problems.append(
                Problem(BAD_HEAD_SIGNATURE, MSG_OWN_SIGNATURE, {"size": head.size, "at": head.at})
            )
    problems += _check_roots(by_size.get(0, []), merkle.EMPTY_ROOT)
    frontier: list[bytes] = []
    count, last = 0, -1
    for row in _entry_rows(db):
        idx = int(row[0])
        if idx > last + 1:
            problems.append(_gap(last + 1, idx - 1))
        last = idx
        leaf = merkle.leaf_hash(str(row[4]).encode("utf-8"))
        if leaf.hex() != row[5] or not _body_agrees(row):
            problems.append(Problem(TAMPERED_ENTRY, MSG_TAMPERED, {"index": idx}))
        frontier = extend_frontier(frontier, count, leaf)
        count += 1
        if count in by_size:
            problems += _check_roots(by_size[count], frontier_root(frontier))
    for size in sorted(s for s in by_size if s > count):
        problems.append(Problem(DROPPED_ENTRY, MSG_HEAD_BEYOND, {"size": size, "count": count}))
    problems += _check_state(log, count, frontier_root(frontier))
    return Report(problems, entries=count, heads=len(heads))


def verify_partner_heads(db: Database, partner: str, verify_key: VerifyKey) -> Report:
    """Check every head kept for ``partner``: signatures, forks and the proofs linking them."""
    ensure_tables(db)
    kept = partner_heads(db, partner)
    problems: list[Problem] = []
    roots: dict[int, set[bytes]] = {}
    for item in kept:
        head = item.head
        roots.setdefault(head.size, set()).add(head.root)
        try:
            verify_head_signature(head, verify_key)
        except InvalidHead:
            problems.append(
                Problem(
                    BAD_HEAD_SIGNATURE,
                    MSG_PARTNER_SIGNATURE,
                    {"partner": partner, "size": head.size},
                )
            )
    forked = sorted(size for size, found in roots.items() if len(found) > 1)
    problems += [
        Problem(FORKED_HEAD, MSG_FORKED, {"partner": partner, "size": size}) for size in forked
    ]
    known = {(size, root) for size, found in roots.items() for root in found}
    for position, item in enumerate(kept):
        head, link = item.head, item.link
        if head.size in forked:
            continue  # reported above; a fork has no proof to check
        if link is None:
            if position > 0:
                problems.append(
                    Problem(
                        INCONSISTENT_HEAD, MSG_UNLINKED, {"partner": partner, "size": head.size}
                    )
                )
        elif (link.size, link.root) not in known or not links_consistently(head, link):
            old, new = sorted((head.size, link.size))
            problems.append(
                Problem(
                    INCONSISTENT_HEAD,
                    MSG_INCONSISTENT,
                    {"partner": partner, "old": old, "new": new},
                )
            )
    return Report(problems, partner_heads=len(kept))


def verify_node(
    db: Database, verify_key: VerifyKey, partner_keys: Mapping[str, VerifyKey]
) -> Report:
    """The node's own log and the heads of every partner it keeps heads of.

    A partner whose key is not in ``partner_keys`` is a problem: heads that cannot be
    checked prove nothing.
    """
    report = verify_log(db, verify_key)
    for partner in partners(db):
        key = partner_keys.get(partner)
        if key is not None:
            report = report.merge(verify_partner_heads(db, partner, key))
            continue
        count = len(partner_heads(db, partner))
        missing = Problem(BAD_HEAD_SIGNATURE, MSG_NO_KEY, {"partner": partner, "count": count})
        report = report.merge(Report([missing], partner_heads=count))
    return report


def _entry_rows(db: Database) -> Iterator[tuple[Any, ...]]:
    """Every entry in index order, a chunk at a time (a log can outgrow memory)."""
    last = -(2**63)
    while True:
        rows = db.query(
            "SELECT idx, kind, at, actor, body, leaf FROM audit_entries WHERE idx > ?"
            " ORDER BY idx LIMIT ?",
            (last, _CHUNK),
        )
        yield from rows
        if len(rows) < _CHUNK:
            return
        last = int(rows[-1][0])


def _body_agrees(row: Sequence[Any]) -> bool:
    """The body is canonical JSON of exactly the row's own fields (the columns are what
    searches read, so editing one without the body must show too)."""
    idx, kind, at, actor, body, _leaf = row
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or set(data) != _BODY_FIELDS:
            return False
        same = (data["idx"], data["kind"], data["at"], data["actor"]) == (idx, kind, at, actor)
        return (
            same
            and isinstance(data["details"], dict)
            and rfc8785.dumps(data) == str(body).encode("utf-8")
        )
    except (ValueError, TypeError, rfc8785.CanonicalizationError):
        return False


def _gap(first: int, last: int) -> Problem:
    if first == last:
        return Problem(DROPPED_ENTRY, MSG_GAP_ONE, {"index": first})
    return Problem(DROPPED_ENTRY, MSG_GAP, {"first": first, "last": last})


def _check_roots(heads: Sequence[SignedTreeHead], root: bytes) -> list[Problem]:
    return [
        Problem(BAD_ROOT, MSG_HEAD_ROOT, {"size": head.size}) for head in heads if head.root != root
    ]


def _check_state(log: AuditLog, count: int, root: bytes) -> list[Problem]:
    """The stored size and frontier, which appends build on, must match the entries."""
    try:
        size, stored_root = log.tree()
    except (ValueError, TypeError):
        return [Problem(BAD_ROOT, MSG_STATE_ROOT, {"size": count})]
    if size > count:
        return [Problem(DROPPED_ENTRY, MSG_STATE_BEYOND, {"size": size, "count": count})]
    if size != count or stored_root != root:
        return [Problem(BAD_ROOT, MSG_STATE_ROOT, {"size": size})]
    return []
