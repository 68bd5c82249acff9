"""What a node holds, in a form the CLI, the demo and (later) the web can all show."""

from __future__ import annotations

from typing import Any

from paridad.node import Node


def summarise(node: Node) -> dict[str, Any]:
    identity = node.identity()
    with node.open_store() as store:
        counts = store.counts()
        return {
            "name": node.config.name,
            "country": node.config.country,
            "agency": node.config.agency,
            "path": str(node.path),
            "signing_fingerprint": identity.signing_fingerprint,
            "agreement_fingerprint": identity.agreement_fingerprint,
            "backend": store.backend,
            "entities": sum(counts.values()),
            "by_schema": counts,
            "statements": store.statement_count(),
            "quarantined": len(store.quarantined()),
            "sources": [run.__dict__ for run in store.runs()],
        }
