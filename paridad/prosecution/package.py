"""A prosecution package as data: what goes to court, and the proofs that it is what it says.

The package is one JSON document, written as RFC 8785 canonical JSON so that the bytes a
signature covers can be re-derived by any tool. It has two halves:

- the *content*: the node, the case, the entities by section (each with its values, its
  markings and its chain of custody), and what was withheld (by reference and refusal code
  only — never a value);
- the *audit* half: the ``export`` entry that recorded this build (it holds the SHA-256 of the
  canonical content, so the content is anchored in the node's log), every audit entry the
  custody cites (receipts, consents), a signed tree head of the node's log taken right after
  the build, and an RFC 9162 inclusion proof of each entry against that head.

Building is a disclosure like any other: it is recorded in the audit log, and the
originators of partner data in it get a use receipt (:func:`record_use`).
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

from paridad.audit import merkle
from paridad.audit.heads import sign_head
from paridad.canonical_json import canonical
from paridad.exchange.context import Exchange
from paridad.exchange.workflows.receipts import record_use
from paridad.policy.release_gate import JudicialGate
from paridad.prosecution.collect import SECTIONS, Collected, collect
from paridad.prosecution.custody import RECEIVED, CustodyReader, audit_entries_of

FORMAT = "paridad-prosecution-package/1"
ROLE = "prosecution"
USE_PURPOSE = "judicial-proceedings"


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of the canonical content: what the ``export`` audit entry commits to."""
    return hashlib.sha256(canonical(content)).hexdigest()


def split(package: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The content and the audit half of a package."""
    content = {k: v for k, v in package.items() if k != "audit"}
    return content, package.get("audit") or {}


def _content(ex: Exchange, found: Collected, package_id: str, created: str) -> dict[str, Any]:
    reader = CustodyReader(ex)
    items: list[dict[str, Any]] = []
    for section in SECTIONS:
        for entity_id in found.sections[section]:
            released = found.released[entity_id]
            record = found.records[entity_id]
            items.append(
                {
                    "id": entity_id,
                    "section": section,
                    "schema": released.schema,
                    "caption": record.caption,
                    "properties": released.properties,
                    "markings": released.markings.to_dict(),
                    "custody": reader.custody(record),
                }
            )
    return {
        "format": FORMAT,
        "id": package_id,
        "created_at": created,
        "node": {
            "name": ex.name,
            "country": ex.country,
            "agency": ex.agency,
            "signing_key": base64.b64encode(bytes(ex.identity.verify_key)).decode("ascii"),
            "fingerprint": ex.identity.signing_fingerprint,
        },
        "case": {
            "asked": found.case,
            "joint_cases": found.joint_cases,
            "case_numbers": found.case_numbers,
        },
        "items": items,
        "withheld": [
            {"id": r.entity_id, "code": r.code}
            for r in sorted(found.withheld, key=lambda r: r.entity_id)
        ],
        "missing": sorted(found.missing),
        "truncated": found.truncated,
    }


def build_package(
    ex: Exchange, case: str, *, actor: str = "prosecutor", today: date | None = None
) -> dict[str, Any]:
    """Collect the case through the judicial gate, record the build, and prove it."""
    today = today or date.today()
    consents = frozenset(CustodyReader(ex).consents)
    gate = JudicialGate(ex.country, ex.agency, today, consents)
    found = collect(ex, case, gate)
    package_id = f"pkg-{uuid.uuid4().hex[:16]}"
    created = datetime.now(UTC).isoformat(timespec="seconds")
    content = _content(ex, found, package_id, created)
    digest = content_digest(content)
    included = [item["id"] for item in content["items"]]
    with ex.db.transaction() as tx:
        entry = ex.audit.append(
            tx,
            "export",
            actor,
            {
                "package": package_id,
                "case": found.case,
                "content_sha256": digest,
                "items": len(included),
                "withheld": len(content["withheld"]),
                "entities": included[:1000],
            },
        )
    partner_data = [
        item["id"]
        for item in content["items"]
        if any(s["how"] == RECEIVED for s in item["custody"]["sources"])
    ]
    if partner_data:
        record_use(
            ex,
            partner_data,
            use="use",
            role=ROLE,
            purpose=USE_PURPOSE,
            case=found.case,
            actor=actor,
        )
    head = sign_head(ex.audit, ex.identity, ex.name)
    cited = {entry.idx}
    for item in content["items"]:
        cited.update(audit_entries_of(item["custody"]))
    leaves = ex.audit.leaves(head.size)
    entries: list[dict[str, Any]] = []
    for idx in sorted(cited):
        found_entry = ex.audit.entry(idx)
        if found_entry is None:
            continue
        entries.append(
            {
                "idx": found_entry.idx,
                "kind": found_entry.kind,
                "at": found_entry.at,
                "actor": found_entry.actor,
                "details": found_entry.details,
                "leaf": found_entry.leaf.hex(),
                "proof": [h.hex() for h in merkle.inclusion_proof(idx, leaves)],
            }
        )
    return {
        **content,
        "audit": {"build_entry": entry.idx, "head": head.to_dict(), "entries": entries},
    }
