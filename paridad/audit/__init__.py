"""The audit log: an append-only Merkle tree (RFC 9162) of everything a node releases,
receives and does, with signed tree heads exchanged between partners (invariant 4).

- :mod:`paridad.audit.merkle`: the hashing and the proofs;
- :mod:`paridad.audit.log`: the log in the node's store (:class:`~paridad.audit.log.AuditLog`);
- :mod:`paridad.audit.heads`: this node's signed heads and the partners' it keeps;
- :mod:`paridad.audit.verify`: re-checking all of it from the raw rows.

Nothing is imported here, so :mod:`paridad.audit.merkle` stays importable on its own.
See ``docs/audit.md``.
"""
