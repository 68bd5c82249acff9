"""What nodes say to each other: the kinds of message an envelope carries, and their checks.

Every message travels in a signed envelope on the sender's stream to one partner. Records
(in shares and answers) are what the sender's release gate let out; a batch carries the
Merkle root of its records (RFC 9162 hashing over each record's RFC 8785 bytes), so any one
record can later be proved part of what was sent, without showing the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from paridad.audit import merkle
from paridad.errors import ParidadError
from paridad.exchange.envelope import canonical
from paridad.i18n import N_

SHARE = "share"
RFI = "rfi"
RFI_ANSWER = "rfi-answer"
RFI_REFUSAL = "rfi-refusal"
CONSENT_REQUEST = "consent-request"
CONSENT_ANSWER = "consent-answer"
RECALL = "recall"
RECALL_CONFIRMATION = "recall-confirmation"
USE_RECEIPT = "use-receipt"
TREE_HEAD = "tree-head"
TERMINATION = "termination"
MATCH_REQUEST = "match-request"
MATCH_ANSWER = "match-answer"
MATCH_REFUSAL = "match-refusal"
TRACE_REQUEST = "trace-request"
TRACE_ANSWER = "trace-answer"

KINDS = (
    SHARE,
    RFI,
    RFI_ANSWER,
    RFI_REFUSAL,
    CONSENT_REQUEST,
    CONSENT_ANSWER,
    RECALL,
    RECALL_CONFIRMATION,
    USE_RECEIPT,
    TREE_HEAD,
    TERMINATION,
    MATCH_REQUEST,
    MATCH_ANSWER,
    MATCH_REFUSAL,
    TRACE_REQUEST,
    TRACE_ANSWER,
)
# Messages that carry records and so must come under an agreement in force.
CARRY_RECORDS = (SHARE, RFI_ANSWER, TRACE_REQUEST, TRACE_ANSWER)
CONSENT_USES = ("onward-sharing", "judicial")

# Fields each kind must have (beyond "kind"), with their JSON types.
_FIELDS: dict[str, dict[str, type | tuple[type, ...]]] = {
    SHARE: {"agreement": str, "purpose": str, "records": list, "records_root": str},
    RFI: {
        "id": str,
        "agreement": str,
        "purpose": str,
        "case": str,
        "legal_basis": str,
        "question": str,
        "deadline": str,
    },
    RFI_ANSWER: {
        "rfi": str,
        "agreement": str,
        "purpose": str,
        "state": str,
        "records": list,
        "records_root": str,
    },
    RFI_REFUSAL: {"rfi": str, "reason": str},
    CONSENT_REQUEST: {
        "id": str,
        "agreement": str,
        "use": str,
        "entities": list,
        "case": str,
        "justification": str,
    },
    CONSENT_ANSWER: {"request": str, "granted": bool, "entities": list},
    RECALL: {"id": str, "entities": list, "reason": str},
    RECALL_CONFIRMATION: {"recall": str, "purged": list},
    USE_RECEIPT: {"entities": list, "use": str, "role": str, "agency": str, "purpose": str},
    TREE_HEAD: {"head": dict},
    TERMINATION: {"agreement": str, "version": int},
    MATCH_REQUEST: {
        "id": str,
        "agreement": str,
        "purpose": str,
        "case": str,
        "identifiers": dict,
        "names": dict,
    },
    MATCH_ANSWER: {"run": str, "identifiers": dict, "names": list},
    MATCH_REFUSAL: {"run": str, "reason": str},
    # A trace request carries the recovery, its firearm and possessor as gated records; the
    # answer the trace and the sale behind it (none when there is no trace or a refusal).
    TRACE_REQUEST: {
        "id": str,
        "agreement": str,
        "purpose": str,
        "case": str,
        "legal_basis": str,
        "deadline": str,
        "form": dict,
        "recovery": str,
        "records": list,
        "records_root": str,
    },
    TRACE_ANSWER: {
        "request": str,
        "agreement": str,
        "purpose": str,
        "state": str,
        "records": list,
        "records_root": str,
    },
}
_RECORD_FIELDS: dict[str, type] = {
    "id": str,
    "schema": str,
    "properties": dict,
    "markings": dict,
}
MAX_TEXT = 4000

MSG_BAD_MESSAGE = N_("Malformed message ({kind}): {reason}")
MSG_UNKNOWN_KIND = N_("Unknown message kind '{kind}'.")
MSG_BAD_ROOT = N_("The records do not match the Merkle root the sender signed.")


class InvalidMessage(ParidadError):
    """A message a node refuses to apply; kept in the inbox with this reason."""


def record_leaf(record: Mapping[str, Any]) -> bytes:
    return merkle.leaf_hash(canonical(record))


def records_root(records: Sequence[Mapping[str, Any]]) -> str:
    return merkle.root([record_leaf(r) for r in records]).hex()


def root_of(record_bytes: Sequence[bytes]) -> str:
    """The Merkle root of records given as their canonical bytes."""
    return merkle.root([merkle.leaf_hash(b) for b in record_bytes]).hex()


def validate(payload: Mapping[str, Any], record_bytes: Sequence[bytes] | None = None) -> str:
    """Check a message's shape; return its kind. Records' content is checked on apply.

    ``record_bytes`` are the records' canonical bytes when the envelope check made them.
    """
    kind = payload.get("kind")
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise InvalidMessage(MSG_UNKNOWN_KIND, kind=str(kind)[:40])
    for name, expected in _FIELDS[kind].items():
        value = payload.get(name)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise InvalidMessage(MSG_BAD_MESSAGE, kind=kind, reason=f"field '{name}'")
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise InvalidMessage(MSG_BAD_MESSAGE, kind=kind, reason=f"field '{name}' too long")
    for name in ("entities", "purged"):
        values = payload.get(name)
        if isinstance(values, list) and not all(isinstance(v, str) for v in values):
            raise InvalidMessage(MSG_BAD_MESSAGE, kind=kind, reason=f"field '{name}'")
    if kind in CARRY_RECORDS:
        for record in payload["records"]:
            if not isinstance(record, Mapping) or any(
                not isinstance(record.get(k), t) for k, t in _RECORD_FIELDS.items()
            ):
                raise InvalidMessage(MSG_BAD_MESSAGE, kind=kind, reason="record shape")
        root = (
            root_of(record_bytes) if record_bytes is not None else records_root(payload["records"])
        )
        if root != payload["records_root"]:
            raise InvalidMessage(MSG_BAD_ROOT)
    return kind
