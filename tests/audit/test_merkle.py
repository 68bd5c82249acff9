"""RFC 9162 Merkle proofs: every honest proof verifies, every altered one fails."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from paridad.audit.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)


def leaves(n: int) -> list[bytes]:
    return [leaf_hash(f"entry {i}".encode()) for i in range(n)]


def test_small_trees_by_hand() -> None:
    a, b, c = leaves(3)
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert root([a]) == a
    assert root([a, b]) == node_hash(a, b)
    assert root([a, b, c]) == node_hash(node_hash(a, b), c)
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()


@given(st.integers(1, 70), st.data())
def test_inclusion_proofs_verify_and_detect_tampering(n: int, data: st.DataObject) -> None:
    tree = leaves(n)
    top = root(tree)
    i = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(i, tree)
    assert verify_inclusion(tree[i], i, n, proof, top)
    assert not verify_inclusion(leaf_hash(b"forged"), i, n, proof, top)
    if n > 1:
        assert not verify_inclusion(tree[i], (i + 1) % n, n, proof, top)
        bad = list(proof)
        bad[0] = leaf_hash(b"x")
        assert not verify_inclusion(tree[i], i, n, bad, top)


@given(st.integers(1, 70), st.data())
def test_consistency_proofs_verify_and_detect_rewritten_history(
    n: int, data: st.DataObject
) -> None:
    tree = leaves(n)
    m = data.draw(st.integers(1, n))
    proof = consistency_proof(m, tree)
    assert verify_consistency(m, n, root(tree[:m]), root(tree), proof)
    # A history where one old entry was changed is not consistent with the new head.
    j = data.draw(st.integers(0, m - 1))
    rewritten = list(tree)
    rewritten[j] = leaf_hash(b"rewritten")
    if m < n:
        assert not verify_consistency(m, n, root(rewritten[:m]), root(tree), proof)
    # Nor is a fork: same old tree, a different new one.
    forked = [*tree[:m], *(leaf_hash(b"fork %d" % k) for k in range(n - m))]
    if m < n:
        assert not verify_consistency(m, n, root(tree[:m]), root(forked), proof)
