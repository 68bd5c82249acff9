"""The audit log: an append-only Merkle tree of everything a node releases, receives and does
(issue 3 builds the log on top of :mod:`paridad.audit.merkle`)."""
