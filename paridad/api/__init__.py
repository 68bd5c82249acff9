"""The node's HTTP API (FastAPI): what a partner node calls over mutual TLS.

``create_app(node_dir)`` builds it; ``paridad serve`` runs it with the courier that drains
the outbox. Nothing here returns entity data: records leave only as signed envelopes the
release gate produced, pushed by the courier. A partner can deliver envelopes, read this
node's identity and signed tree heads, and ask for audit-log proofs (hashes only).
"""

from paridad.api.app import create_app

__all__ = ["create_app"]
