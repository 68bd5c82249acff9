"""Ingest runs in the audit log, so locally loaded data has a provable entry of its own.

A prosecution package cites, for every item, the audit entry that recorded how the node got
it: the receipt for data a partner sent, and this ``ingest`` entry for data loaded from a
file — the dataset, the file's name and SHA-256, and what the run stored and quarantined. The
ingest itself runs in the store's writer; its entry is appended right after the run commits
(an entry for a run that then failed would be worse than a run without one, which
``paridad audit verify`` cannot see but a package shows as uncited).
"""

from __future__ import annotations

from paridad.audit.log import INGEST, AuditEntry, AuditLog
from paridad.ingest.pipeline import IngestReport
from paridad.store.database import Database


def record_ingest(
    store_url: str, report: IngestReport, actor: str = "operator"
) -> AuditEntry | None:
    """Append the ``ingest`` entry of a finished run; None for a run skipped as a repeat."""
    if report.skipped:
        return None
    with Database(store_url) as db:
        return AuditLog(db).append_now(
            INGEST,
            actor,
            {
                "dataset": report.dataset,
                "source": report.source,
                "digest": report.digest,
                "entities": report.entities,
                "statements": report.statements,
                "quarantined": report.quarantined,
            },
        )
