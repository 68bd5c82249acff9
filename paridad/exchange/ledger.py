"""The exchange ledger: what a node has sent and received, kept in its own store.

- ``outbox``: every signed envelope this node sends, numbered per stream (one stream per
  partner), kept after delivery so a lost acknowledgement is simply resent;
- ``streams``: per incoming stream, the next sequence number expected, which is what makes
  apply idempotent (a resent envelope is recognised and skipped) and ordered (a gap is
  refused until the missing envelope arrives);
- ``inbox``: every envelope applied (or rejected, with its reason: nothing is lost);
- ``releases`` and ``received``: which entity went to whom, or came from whom, under which
  agreement and until when — what recalls, retention and use receipts work from;
- ``requests``: requests for information and consent requests, both directions, with their
  states; ``consents``: consent on record per entity and use;
- ``agreements``: every signed version installed on this node;
- ``match_runs``, ``match_handles`` and ``match_hits``: hit/no-hit runs in both directions;
  the opaque handles a responder gave its side of a run (what a disclosure request names);
  the querier's hits with the analyst's judgement and the disclosure request sent from each.
"""

from __future__ import annotations

DDL = """
CREATE TABLE IF NOT EXISTS agreements (
    id TEXT NOT NULL, version BIGINT NOT NULL, status TEXT NOT NULL, document TEXT NOT NULL,
    installed_at TEXT NOT NULL, terminated_at TEXT, terminated_by TEXT,
    PRIMARY KEY (id, version)
);
CREATE TABLE IF NOT EXISTS outbox (
    stream TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL,
    envelope TEXT NOT NULL, created_at TEXT NOT NULL, delivered_at TEXT,
    attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL, last_error TEXT,
    PRIMARY KEY (stream, seq)
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (recipient, delivered_at, seq);
CREATE TABLE IF NOT EXISTS streams (
    stream TEXT PRIMARY KEY, sender TEXT NOT NULL, next_seq BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS inbox (
    stream TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, sender TEXT NOT NULL,
    digest TEXT NOT NULL, received_at TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
    records BIGINT NOT NULL, envelope TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
);
CREATE TABLE IF NOT EXISTS releases (
    entity_id TEXT NOT NULL, recipient TEXT NOT NULL, agreement TEXT NOT NULL,
    stream TEXT NOT NULL, seq BIGINT NOT NULL, purpose TEXT NOT NULL, case_ref TEXT,
    released_at TEXT NOT NULL, recalled_at TEXT, purge_confirmed_at TEXT,
    PRIMARY KEY (entity_id, recipient, stream, seq)
);
CREATE INDEX IF NOT EXISTS releases_recipient ON releases (recipient, released_at);
CREATE TABLE IF NOT EXISTS received (
    entity_id TEXT NOT NULL, sender TEXT NOT NULL, dataset TEXT NOT NULL,
    agreement TEXT NOT NULL, stream TEXT NOT NULL, seq BIGINT NOT NULL, purpose TEXT NOT NULL,
    case_ref TEXT, received_at TEXT NOT NULL, retain_until TEXT NOT NULL,
    PRIMARY KEY (entity_id, sender)
);
CREATE INDEX IF NOT EXISTS received_retention ON received (retain_until);
CREATE TABLE IF NOT EXISTS requests (
    id TEXT NOT NULL, direction TEXT NOT NULL, kind TEXT NOT NULL, partner TEXT NOT NULL,
    agreement TEXT NOT NULL, purpose TEXT NOT NULL, case_ref TEXT NOT NULL,
    legal_basis TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
    deadline TEXT, state TEXT NOT NULL, reason TEXT, note TEXT, answered_at TEXT,
    records BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (id, direction)
);
CREATE TABLE IF NOT EXISTS match_runs (
    id TEXT NOT NULL, direction TEXT NOT NULL, partner TEXT NOT NULL, agreement TEXT NOT NULL,
    purpose TEXT NOT NULL, case_ref TEXT NOT NULL, created_at TEXT NOT NULL,
    state TEXT NOT NULL, counts TEXT NOT NULL, work TEXT, reason TEXT, completed_at TEXT,
    claimed_at TEXT,
    hits BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (id, direction)
);
CREATE TABLE IF NOT EXISTS match_handles (
    run TEXT NOT NULL, handle TEXT NOT NULL, entity_id TEXT NOT NULL, kind TEXT NOT NULL,
    PRIMARY KEY (run, handle, entity_id)
);
CREATE TABLE IF NOT EXISTS match_hits (
    id TEXT PRIMARY KEY, run TEXT NOT NULL, entity_id TEXT NOT NULL, kind TEXT NOT NULL,
    handle TEXT NOT NULL, score DOUBLE PRECISION NOT NULL, fields TEXT NOT NULL,
    judgement TEXT, judged_by TEXT, judged_at TEXT, reason TEXT, disclosure TEXT,
    UNIQUE (run, entity_id, kind, handle)
);
CREATE TABLE IF NOT EXISTS consents (
    entity_id TEXT NOT NULL, originator TEXT NOT NULL, use TEXT NOT NULL,
    request_id TEXT NOT NULL, granted_at TEXT NOT NULL,
    PRIMARY KEY (entity_id, originator, use)
);
"""
