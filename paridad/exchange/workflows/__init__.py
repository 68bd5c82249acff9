"""What analysts do across the border, each a step that ends in the outbox and the audit log:
share (push), requests for information, consent requests, recalls, retention expiry and use
receipts. Every record that leaves goes through the release gate (:mod:`paridad.policy.release_gate`).
"""
