"""Node identities and signed envelopes: what one node signs, the other can prove."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from paridad.errors import NodeError
from paridad.exchange.envelope import (
    InvalidEnvelope,
    _signed_bytes,
    canonical,
    canonical_records,
    open_envelope,
    seal,
    verify_envelope,
)
from paridad.exchange.identity import NodeIdentity
from paridad.node import Node


@pytest.fixture
def mx() -> NodeIdentity:
    return NodeIdentity.generate()


@pytest.fixture
def us() -> NodeIdentity:
    return NodeIdentity.generate()


def test_canonical_form_ignores_key_order_and_spacing() -> None:
    assert canonical({"b": 1, "a": [1.0, "é"]}) == canonical({"a": [1, "é"], "b": 1})
    assert canonical({"a": 1}) == b'{"a":1}'


def test_seal_and_open(mx: NodeIdentity, us: NodeIdentity) -> None:
    env = seal(mx, us.signing_fingerprint, "shares", 7, {"entity": {"id": "mx-1"}})
    header, payload = open_envelope(env, mx.verify_key, us.signing_fingerprint)
    assert payload == {"entity": {"id": "mx-1"}}
    assert header["sequence"] == 7 and header["stream"] == "shares"
    assert header["sender"] == mx.signing_fingerprint


def _tampered(env: dict[str, Any], change: str) -> dict[str, Any]:
    bad = copy.deepcopy(env)
    if change == "payload":
        bad["payload"]["entity"]["id"] = "mx-2"
    elif change == "sequence":
        bad["header"]["sequence"] = 8
    elif change == "signature":
        bad["signature"] = bad["signature"][::-1]
    return bad


@pytest.mark.parametrize("change", ["payload", "sequence", "signature"])
def test_any_change_breaks_the_signature(mx: NodeIdentity, us: NodeIdentity, change: str) -> None:
    env = seal(mx, us.signing_fingerprint, "shares", 7, {"entity": {"id": "mx-1"}})
    with pytest.raises(InvalidEnvelope) as err:
        open_envelope(_tampered(env, change), mx.verify_key, us.signing_fingerprint)
    assert err.value.localized("es") != err.value.localized("en")


def test_wrong_sender_or_recipient(mx: NodeIdentity, us: NodeIdentity) -> None:
    env = seal(mx, us.signing_fingerprint, "shares", 1, {"x": 1})
    with pytest.raises(InvalidEnvelope, match="expected sender"):
        open_envelope(env, us.verify_key, us.signing_fingerprint)
    with pytest.raises(InvalidEnvelope, match="addressed to"):
        open_envelope(env, mx.verify_key, mx.signing_fingerprint)


@pytest.mark.parametrize(
    "envelope",
    [
        None,
        [],
        {"header": 1, "payload": {}},
        {"header": {}, "payload": {}, "signature": "x"},
        {"payload": {}},
    ],
)
def test_malformed_envelopes_are_refused(mx: NodeIdentity, envelope: Any) -> None:
    with pytest.raises(InvalidEnvelope) as err:
        open_envelope(envelope, mx.verify_key, "x")
    assert "Malformed" in err.value.localized("en")
    assert "mal formado" in err.value.localized("es")


def test_node_keys_are_made_at_init_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    node = Node.init(tmp_path / "mx", "MX", "FGR")
    identity = node.identity()
    assert len(identity.signing_fingerprint.split()) == 16
    key_file = tmp_path / "mx" / "keys" / "signing.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Node.open(tmp_path / "mx").identity().signing_fingerprint == identity.signing_fingerprint
    os.chmod(key_file, 0o644)
    with pytest.raises(NodeError, match="chmod 600"):
        node.identity()
    os.chmod(key_file, 0o600)
    key_file.write_text("not hex\n", encoding="ascii")
    with pytest.raises(NodeError, match="damaged"):
        node.identity()


def test_a_node_without_keys_gets_them_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    node = Node.init(tmp_path / "us", "US", "ATF")
    shutil.rmtree(tmp_path / "us" / "keys")
    first = node.identity().signing_fingerprint
    assert node.identity().signing_fingerprint == first


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(_json)
def test_canonical_is_exactly_rfc8785(data: Any) -> None:
    """The fast path must never change a byte: signatures are over these bytes."""
    assert canonical(data) == rfc8785.dumps(data)


@settings(max_examples=200, deadline=None)
@given(st.lists(_json, max_size=6), st.dictionaries(st.text(max_size=6), _json, max_size=3))
def test_records_spliced_into_the_signed_bytes_are_the_whole_canonical_form(
    records: list[Any], extra: dict[str, Any]
) -> None:
    """A batch's records are canonicalised once; the envelope's bytes must not change."""
    body: dict[str, Any] = {
        "header": {"sequence": 1},
        "payload": {**extra, "kind": "share", "records": records},
    }
    assert _signed_bytes(body, canonical_records(records)) == rfc8785.dumps(body)


def test_a_batch_verifies_with_its_records_bytes_and_fails_when_one_is_altered(
    mx: NodeIdentity, us: NodeIdentity
) -> None:
    records: list[dict[str, Any]] = [
        {"id": f"r{i}", "properties": {"name": [f"Jesús {i}"]}, "n": i} for i in range(5)
    ]
    payload = {"kind": "share", "records": records}
    envelope = seal(mx, us.signing_fingerprint, "s", 1, payload, canonical_records(records))
    opened = verify_envelope(envelope, mx.verify_key, us.signing_fingerprint)
    assert opened.record_bytes == [rfc8785.dumps(r) for r in records]
    tampered = copy.deepcopy(envelope)
    tampered["payload"]["records"][3]["n"] = 4
    with pytest.raises(InvalidEnvelope, match="signature"):
        verify_envelope(tampered, mx.verify_key, us.signing_fingerprint)
