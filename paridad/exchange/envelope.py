"""Signed envelopes: what one node sends another, in a form both can prove later.

The signature covers the RFC 8785 (JSON Canonicalization Scheme) bytes of the header and the
payload, so any re-encoding on the way (key order, spacing, number format) cannot break it
and any change to content does. The header names sender and recipient by key fingerprint,
the stream and a per-stream sequence number (the receiver uses them to refuse replays and
reordering) and a random nonce.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from paridad import canonical_json
from paridad.errors import ParidadError
from paridad.exchange.identity import NodeIdentity, fingerprint
from paridad.i18n import N_

VERSION = 1
HEADER_FIELDS = ("version", "sender", "recipient", "stream", "sequence", "created_at", "nonce")

MSG_MALFORMED = N_("Malformed envelope: {reason}")
MSG_BAD_SIGNATURE = N_(
    "The envelope's signature does not verify: it was altered or not signed by {sender}."
)
MSG_WRONG_SENDER = N_(
    "The envelope says it comes from {claimed}, but the expected sender is {expected}."
)
MSG_WRONG_RECIPIENT = N_("The envelope is addressed to {recipient}, not to this node.")


class InvalidEnvelope(ParidadError):
    """An envelope that must not be applied; the reason says why."""


def canonical(data: Any) -> bytes:
    """RFC 8785 canonical JSON bytes; data that has none makes the envelope malformed."""
    try:
        return canonical_json.canonical(data)
    except canonical_json.NotCanonicalizable as exc:
        raise InvalidEnvelope(MSG_MALFORMED, reason=str(exc)) from None


# Stands in for a batch's records while the rest of an envelope is canonicalised; random per
# process, so no sender can plant it (and a payload that holds it anyway takes the long way).
_RECORDS_PLACEHOLDER = "records-" + os.urandom(16).hex()


def canonical_records(records: Sequence[Any]) -> list[bytes]:
    """Each record's canonical bytes: its Merkle leaf, and its slice of the signed bytes."""
    return [canonical(record) for record in records]


def _signed_bytes(body: Mapping[str, Any], record_bytes: Sequence[bytes] | None) -> bytes:
    """The canonical bytes of ``{"header", "payload"}``, reusing records already canonical.

    RFC 8785 is compositional: an array's canonical form is its elements' canonical forms
    joined by commas. A batch's records are canonicalised once for their Merkle leaves, so
    the envelope is canonicalised around a placeholder and the records spliced in.
    """
    payload = body["payload"]
    if record_bytes is None or not isinstance(payload.get("records"), list):
        return canonical(body)
    shell = {"header": body["header"], "payload": {**payload, "records": _RECORDS_PLACEHOLDER}}
    raw = canonical(shell)
    quoted = b'"' + _RECORDS_PLACEHOLDER.encode() + b'"'
    if raw.count(quoted) != 1:
        return canonical(body)
    return raw.replace(quoted, b"[" + b",".join(record_bytes) + b"]")


@dataclass(frozen=True, slots=True)
class Opened:
    """A verified envelope; ``record_bytes`` are its records' canonical bytes, if it has any."""

    header: dict[str, Any]
    payload: dict[str, Any]
    record_bytes: list[bytes] | None


def seal(
    identity: NodeIdentity,
    recipient: str,
    stream: str,
    sequence: int,
    payload: Mapping[str, Any],
    record_bytes: Sequence[bytes] | None = None,
) -> dict[str, Any]:
    """Sign ``payload`` for ``recipient`` (its signing-key fingerprint) on ``stream``.

    ``record_bytes``, when given, must be :func:`canonical_records` of ``payload["records"]``.
    """
    header = {
        "version": VERSION,
        "sender": identity.signing_fingerprint,
        "recipient": recipient,
        "stream": stream,
        "sequence": sequence,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "nonce": base64.b64encode(os.urandom(16)).decode(),
    }
    body = {"header": header, "payload": dict(payload)}
    signature = identity.signing_key.sign(_signed_bytes(body, record_bytes)).signature
    return {**body, "signature": base64.b64encode(signature).decode()}


def open_envelope(
    envelope: Any, sender_key: VerifyKey, recipient: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check an envelope from ``sender_key`` to ``recipient``; return (header, payload)."""
    opened = verify_envelope(envelope, sender_key, recipient)
    return opened.header, opened.payload


def verify_envelope(envelope: Any, sender_key: VerifyKey, recipient: str) -> Opened:
    """Check an envelope from ``sender_key`` to ``recipient``; keep its records' bytes."""
    if not isinstance(envelope, Mapping):
        raise InvalidEnvelope(MSG_MALFORMED, reason="not an object")
    header, payload, signature = (
        envelope.get("header"),
        envelope.get("payload"),
        envelope.get("signature"),
    )
    if not isinstance(header, Mapping) or not isinstance(payload, Mapping):
        raise InvalidEnvelope(MSG_MALFORMED, reason="header and payload must be objects")
    missing = [f for f in HEADER_FIELDS if f not in header]
    if missing:
        raise InvalidEnvelope(MSG_MALFORMED, reason="missing " + ", ".join(missing))
    if header["version"] != VERSION or not isinstance(header["sequence"], int):
        raise InvalidEnvelope(MSG_MALFORMED, reason="unsupported version or bad sequence")
    expected = fingerprint(bytes(sender_key))
    if header["sender"] != expected:
        raise InvalidEnvelope(MSG_WRONG_SENDER, claimed=header["sender"], expected=expected)
    if header["recipient"] != recipient:
        raise InvalidEnvelope(MSG_WRONG_RECIPIENT, recipient=header["recipient"])
    try:
        raw = base64.b64decode(str(signature), validate=True)
    except ValueError:
        raise InvalidEnvelope(MSG_MALFORMED, reason="signature is not base64") from None
    records = payload.get("records")
    record_bytes = canonical_records(records) if isinstance(records, list) else None
    try:
        sender_key.verify(_signed_bytes({"header": header, "payload": payload}, record_bytes), raw)
    except (BadSignatureError, ValueError):
        raise InvalidEnvelope(MSG_BAD_SIGNATURE, sender=expected) from None
    return Opened(dict(header), dict(payload), record_bytes)
