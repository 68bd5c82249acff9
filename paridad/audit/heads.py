"""Signed tree heads: what a node commits to about its own log, and what it keeps of a partner's.

A *signed tree head* is the node's Ed25519 signature over the RFC 8785 canonical JSON of
``{node, size, root, at}``: "my audit log had ``size`` entries and this root at ``at``".
Once a partner holds it, the node can no longer rewrite or drop any of those entries without
the partner being able to prove it, because every later head must extend it (a consistency
proof) and every entry can be shown to be in it (an inclusion proof).

Receiving a partner's head (:func:`record_partner_head`) is the other half. A partner that
signs two different roots for the same size, or a head that does not extend the largest one
already received, has shown two incompatible histories: that is refused with
:class:`ForkedHistory`, *and* the signed heads are kept as evidence, because a refusal that
left no trace would let the fork go unnoticed after a restart. ``paridad audit verify``
reports the evidence (:func:`paridad.audit.verify.verify_partner_heads`).

A partner's head is stored under the partner's node name, which must be the ``node`` the
head names, so a stored head can be re-verified from its row and the partner's key alone.

The read helpers (:func:`latest_head`, :func:`partner_heads`…) run no DDL, so they may be
called inside a caller's transaction; the tables exist once an :class:`AuditLog` was opened.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import rfc8785
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from paridad.audit import merkle
from paridad.audit.log import AuditLog, ensure_tables, now_iso
from paridad.errors import ParidadError
from paridad.exchange.identity import NodeIdentity
from paridad.i18n import N_
from paridad.store.database import Database, Tx

FIELDS = ("node", "size", "root", "at", "signature")
# Why a partner's head was refused (kept as evidence); the problem codes of verify.py.
FORKED_HEAD = "forked-head"
INCONSISTENT_HEAD = "inconsistent-head"
_HEX_ROOT = re.compile(r"[0-9a-f]{64}")
_MAX_SIZE = 2**63 - 1  # BIGINT
# The head a new one must be consistent with: the largest accepted, the first received.
_BASE = "refused IS NULL ORDER BY size DESC, received_at, root LIMIT 1"

MSG_NOT_OBJECT = N_("Malformed tree head: it must be a JSON object.")
MSG_FIELD = N_("Malformed tree head: the field '{field}' is missing or invalid.")
MSG_UNKNOWN_FIELD = N_("Malformed tree head: unknown field '{field}'.")
MSG_SIGNATURE = N_(
    "The tree head of {node} at size {size} does not carry a valid signature of its key."
)
MSG_OTHER_NODE = N_("The tree head comes from {node}, not from {partner}.")
MSG_PROOF_REQUIRED = N_(
    "A consistency proof from size {old} to size {new} is needed to accept the tree head "
    "of {partner}."
)
MSG_FORKED_SIZE = N_(
    "{partner} signed two different roots for size {size}: its audit history forked. Both "
    "heads are kept as evidence; 'paridad audit verify' reports them."
)
MSG_FORKED_PROOF = N_(
    "The tree head of {partner} at size {new} does not extend its head at size {old}: the "
    "consistency proof fails. Both heads are kept as evidence; 'paridad audit verify' "
    "reports them."
)


class InvalidHead(ParidadError):
    """A tree head that is malformed or not signed by the key it should be."""


class ForkedHistory(ParidadError):
    """A partner signed two histories that cannot both be true; the evidence was stored."""


@dataclass(frozen=True)
class SignedTreeHead:
    node: str
    size: int
    root: bytes
    at: str
    signature: bytes

    def signed_bytes(self) -> bytes:
        return rfc8785.dumps(
            {"node": self.node, "size": self.size, "root": self.root.hex(), "at": self.at}
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "size": self.size,
            "root": self.root.hex(),
            "at": self.at,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: Any) -> SignedTreeHead:
        """Parse a head from a partner; anything malformed is an :class:`InvalidHead`."""
        if not isinstance(data, Mapping):
            raise InvalidHead(MSG_NOT_OBJECT)
        for key in data:
            if key not in FIELDS:
                raise InvalidHead(MSG_UNKNOWN_FIELD, field=str(key)[:40])
        node, size, root, at, signature = (data.get(f) for f in FIELDS)
        if not isinstance(node, str) or not node.strip():
            raise InvalidHead(MSG_FIELD, field="node")
        # bool is an int in Python, but not a size.
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= _MAX_SIZE:
            raise InvalidHead(MSG_FIELD, field="size")
        if not isinstance(root, str) or not _HEX_ROOT.fullmatch(root):
            raise InvalidHead(MSG_FIELD, field="root")
        if not isinstance(at, str) or not _is_datetime(at):
            raise InvalidHead(MSG_FIELD, field="at")
        raw = _b64(signature)
        if raw is None or len(raw) != 64:
            raise InvalidHead(MSG_FIELD, field="signature")
        return cls(node, size, bytes.fromhex(root), at, raw)


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _b64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def verify_head_signature(head: SignedTreeHead, verify_key: VerifyKey) -> None:
    try:
        verify_key.verify(head.signed_bytes(), head.signature)
    except (BadSignatureError, ValueError):
        raise InvalidHead(MSG_SIGNATURE, node=head.node, size=head.size) from None


def sign_head(log: AuditLog, identity: NodeIdentity, node: str) -> SignedTreeHead:
    """Sign the log's current tree as ``node`` (the name partners know it by) and keep it.

    Signing a tree that was signed before returns the head kept then: a partner may hold it,
    and one head per tree is what :func:`paridad.audit.verify.verify_log` checks.
    """
    size, root = log.tree()
    unsigned = SignedTreeHead(node, size, root, now_iso(), b"")
    head = replace(unsigned, signature=identity.signing_key.sign(unsigned.signed_bytes()).signature)
    with log.db.transaction() as tx:
        tx.execute(
            "INSERT INTO audit_heads (size, root, at, signature, node) VALUES (?,?,?,?,?)"
            " ON CONFLICT (size, root) DO NOTHING",
            (size, root.hex(), head.at, base64.b64encode(head.signature).decode(), node),
        )
    rows = log.db.query(
        "SELECT node, size, root, at, signature FROM audit_heads WHERE size = ? AND root = ?",
        (size, root.hex()),
    )
    return head_from_row(rows[0])


def own_heads(db: Database) -> list[SignedTreeHead]:
    """Every head this node signed, smallest tree first."""
    rows = db.query("SELECT node, size, root, at, signature FROM audit_heads ORDER BY size, at")
    return [head_from_row(r) for r in rows]


def latest_head(db: Database) -> SignedTreeHead | None:
    """The largest head this node signed (what it sends partners)."""
    heads = own_heads(db)
    return heads[-1] if heads else None


def partners(db: Database) -> list[str]:
    """The partners whose heads this node keeps."""
    return [r[0] for r in db.query("SELECT DISTINCT partner FROM partner_heads ORDER BY partner")]


@dataclass(frozen=True)
class PartnerHead:
    """A partner's head as kept, with the proof that linked it to the heads before it."""

    head: SignedTreeHead
    received_at: str
    link: ProofLink | None


@dataclass(frozen=True)
class ProofLink:
    """A consistency proof between a kept head and the head of ``size`` and ``root``."""

    size: int
    root: bytes
    path: list[bytes]

    def to_json(self) -> str:
        return json.dumps(
            {"size": self.size, "root": self.root.hex(), "path": [p.hex() for p in self.path]}
        )

    @classmethod
    def from_json(cls, text: str) -> ProofLink | None:
        """The stored link, or None if the text is damaged (verification then reports the
        head as unlinked instead of failing)."""
        try:
            data = json.loads(text)
            return cls(
                int(data["size"]),
                bytes.fromhex(data["root"]),
                [bytes.fromhex(p) for p in data["path"]],
            )
        except (ValueError, KeyError, TypeError):
            return None


def partner_heads(db: Database, partner: str) -> list[PartnerHead]:
    """Every head kept for ``partner`` (accepted or kept as evidence), in the order received."""
    rows = db.query(
        "SELECT size, root, at, signature, received_at, proof FROM partner_heads"
        " WHERE partner = ? ORDER BY received_at, size, root",
        (partner,),
    )
    return [
        PartnerHead(
            head_from_row((partner, size, root, at, signature)),
            received_at,
            ProofLink.from_json(proof) if proof else None,
        )
        for size, root, at, signature, received_at, proof in rows
    ]


def latest_partner_head(db: Database, partner: str) -> SignedTreeHead | None:
    """The head a new one from ``partner`` must extend: the largest kept, earliest received.

    The caller asks the partner for the consistency proof from this head's size to the new
    head's (or from the new head's size to this one's, when the new head is older).
    """
    rows = db.query(
        f"SELECT partner, size, root, at, signature FROM partner_heads WHERE partner = ? AND {_BASE}",
        (partner,),
    )
    return head_from_row(rows[0]) if rows else None


def record_partner_head(
    db: Database,
    partner: str,
    head: SignedTreeHead,
    verify_key: VerifyKey,
    consistency_proof: list[bytes] | None,
) -> None:
    """Keep ``partner``'s signed ``head`` if it is consistent with the heads accepted before.

    ``consistency_proof`` links ``head`` with :func:`latest_partner_head` (from the smaller
    tree to the larger); it may be ``None`` only when there is no earlier head, the two are
    the same size, or the smaller tree is empty. A head already accepted is accepted again
    without a proof. Raises :class:`InvalidHead` (nothing kept) for a malformed or unsigned
    head or a missing proof, :class:`ForkedHistory` (the head kept as evidence, marked
    refused so later heads are not checked against it) for a fork.
    """
    if head.node != partner:
        raise InvalidHead(MSG_OTHER_NODE, node=head.node, partner=partner)
    verify_head_signature(head, verify_key)
    ensure_tables(db)
    with db.transaction() as tx:
        _serialise(tx)
        same_size = tx.query(
            "SELECT root, refused, proof FROM partner_heads WHERE partner = ? AND size = ?",
            (partner, head.size),
        )
        kept = next((r for r in same_size if r[0] == head.root.hex()), None)
        if kept is not None:
            refused, link = kept[1], ProofLink.from_json(kept[2]) if kept[2] else None
        else:
            refused, link = _check(tx, partner, head, consistency_proof, bool(same_size))
            tx.execute(
                "INSERT INTO partner_heads (partner, size, root, at, signature, received_at,"
                " proof, refused) VALUES (?,?,?,?,?,?,?,?)",
                (
                    partner,
                    head.size,
                    head.root.hex(),
                    head.at,
                    base64.b64encode(head.signature).decode(),
                    now_iso(),
                    link.to_json() if link else None,
                    refused,
                ),
            )
    if refused == FORKED_HEAD:
        raise ForkedHistory(MSG_FORKED_SIZE, partner=partner, size=head.size)
    if refused is not None:
        old, new = sorted((head.size, link.size if link else 0))
        raise ForkedHistory(MSG_FORKED_PROOF, partner=partner, old=old, new=new)


def _check(
    tx: Tx, partner: str, head: SignedTreeHead, proof: list[bytes] | None, size_taken: bool
) -> tuple[str | None, ProofLink | None]:
    """Why a new head is refused (a problem code, or None) and the link to keep with it."""
    if size_taken:
        return FORKED_HEAD, None
    base = tx.query(
        f"SELECT size, root FROM partner_heads WHERE partner = ? AND {_BASE}", (partner,)
    )
    if not base:
        return None, None
    link = ProofLink(int(base[0][0]), bytes.fromhex(base[0][1]), list(proof or []))
    if proof is None and min(link.size, head.size) > 0:
        old, new = sorted((link.size, head.size))
        raise InvalidHead(MSG_PROOF_REQUIRED, old=old, new=new, partner=partner)
    return (None if links_consistently(head, link) else INCONSISTENT_HEAD), link


def links_consistently(head: SignedTreeHead, link: ProofLink) -> bool:
    """Does ``link``'s proof show the smaller of the two trees is a prefix of the larger?"""
    (old_size, old_root), (new_size, new_root) = sorted(
        [(head.size, head.root), (link.size, link.root)]
    )
    if old_size == 0:  # RFC 9162 has no proof from the empty tree: it is a prefix of any tree
        return old_root == merkle.EMPTY_ROOT and not link.path
    return merkle.verify_consistency(old_size, new_size, old_root, new_root, link.path)


def head_from_row(row: Sequence[Any]) -> SignedTreeHead:
    """A head from a stored row ``(node, size, root, at, signature)``; a damaged root or
    signature becomes one that fails verification rather than an error."""
    node, size, root, at, signature = row
    try:
        root_bytes = bytes.fromhex(root)
    except ValueError:
        root_bytes = b""
    return SignedTreeHead(str(node), int(size), root_bytes, str(at), _b64(signature) or b"")


def _serialise(tx: Tx) -> None:
    """Take the audit log's lock so two deliveries from one partner are checked in turn
    (SQLite transactions already run one at a time)."""
    if tx.dialect == "postgresql":
        tx.query("SELECT size FROM audit_state WHERE id = 1 FOR UPDATE")
