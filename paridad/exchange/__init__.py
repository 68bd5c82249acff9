"""Exchange between sovereign nodes: identities, signed envelopes (and, to come: agreements'
transport, outbox and inbox, requests and recalls).

Everything a node sends is signed with its Ed25519 key over the RFC 8785 canonical form of the
message, so the receiver, and later an auditor, can prove who sent exactly what.
"""
