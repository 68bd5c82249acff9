"""A node opened for exchange: its keys, store, ledger, audit log, partners and agreements.

Every workflow (share, requests, recalls, retention) and both halves of delivery (the courier
that sends, the inbox that applies) work through one :class:`Exchange`, so they all see the
same agreements and write to the same ledger and audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import orjson

from paridad.audit.log import AuditLog
from paridad.errors import ParidadError
from paridad.exchange import ledger
from paridad.exchange.envelope import seal
from paridad.exchange.identity import NodeIdentity
from paridad.exchange.partners import Partner, get_partner, load_partners
from paridad.i18n import N_
from paridad.node import Node
from paridad.policy.agreement import Agreement, parse_agreement
from paridad.policy.release_gate import Candidate, ReleaseGate
from paridad.store.base import STATEMENT_COLUMNS, EntityRecord, StatementRow, markings_from_json
from paridad.store.database import Database, Tx

MSG_NO_AGREEMENT = N_("There is no agreement in force with {partner} for the purpose '{purpose}'.")
MSG_NOT_OURS = N_("This node ({node}) is not a party to agreement {agreement}.")
MSG_KEY_MISMATCH = N_(
    "The agreement names a key for {node} that is not the one this node pinned for it."
)
MSG_OLDER_VERSION = N_(
    "Version {version} of agreement {agreement} is older than the one installed ({installed})."
)

_CHUNK = 500


class ExchangeError(ParidadError):
    """A workflow step that cannot go ahead; the reason says why (and names no data)."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def stream_name(sender: str, recipient: str) -> str:
    return f"{sender}>{recipient}"


@lru_cache(maxsize=64)
def _parsed_agreement(document: str) -> Agreement:
    """An installed agreement, parsed once per process: every message received looks its
    agreement up, and the stored text of a version never changes (a termination is a column
    beside it)."""
    return parse_agreement(orjson.loads(document))


class Exchange:
    """One node, opened for exchange. Close it (or use ``with``) to release the store."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.name = node.config.name
        self.country = node.config.country
        self.agency = node.config.agency
        self.identity: NodeIdentity = node.identity()
        self.db = Database(node.store_url)
        self.db.ensure(ledger.DDL)
        self.audit = AuditLog(self.db)

    @classmethod
    def open(cls, path: Path) -> Exchange:
        return cls(Node.open(path))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Exchange:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- partners and agreements ---------------------------------------------------------
    def partners(self) -> dict[str, Partner]:
        return load_partners(self.node.path)

    def partner(self, name: str) -> Partner:
        return get_partner(self.node.path, name)

    def install_agreement(self, agreement: Agreement, actor: str = "operator") -> bool:
        """Install a version both parties signed; return False if it was installed already."""
        agreement.verify()
        if self.name not in {p.node for p in agreement.parties}:
            raise ExchangeError(MSG_NOT_OURS, node=self.name, agreement=agreement.id)
        for party in agreement.parties:
            if party.node == self.name:
                key = self.identity.signing_fingerprint
            else:
                key = self.partner(party.node).fingerprint
            if party.fingerprint != key:
                raise ExchangeError(MSG_KEY_MISMATCH, node=party.node)
        rows = self.db.query("SELECT MAX(version) FROM agreements WHERE id = ?", (agreement.id,))
        installed = rows[0][0]
        if installed is not None and int(installed) > agreement.version:
            raise ExchangeError(
                MSG_OLDER_VERSION,
                agreement=agreement.id,
                version=agreement.version,
                installed=installed,
            )
        if installed is not None and int(installed) == agreement.version:
            return False
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO agreements (id, version, status, document, installed_at)"
                " VALUES (?,?,?,?,?)",
                (
                    agreement.id,
                    agreement.version,
                    agreement.status,
                    orjson.dumps(agreement.to_dict()).decode(),
                    now_iso(),
                ),
            )
            self.audit.append(
                tx,
                "agreement",
                actor,
                {
                    "agreement": agreement.id,
                    "version": agreement.version,
                    "status": agreement.status,
                    "action": "installed",
                },
            )
        return True

    def agreements(self) -> list[tuple[Agreement, str | None]]:
        """The newest installed version of every agreement, with when it was terminated."""
        rows = self.db.query(
            "SELECT a.document, a.terminated_at FROM agreements a WHERE a.version ="
            " (SELECT MAX(b.version) FROM agreements b WHERE b.id = a.id) ORDER BY a.id"
        )
        return [(_parsed_agreement(doc), terminated) for doc, terminated in rows]

    def agreement_with(self, partner: str, purpose: str | None = None) -> Agreement | None:
        """The agreement in force today with ``partner`` (covering ``purpose`` if given)."""
        today = date.today()
        for agreement, terminated in self.agreements():
            if terminated or not agreement.in_force(today):
                continue
            if {p.node for p in agreement.parties} != {self.name, partner}:
                continue
            if purpose is None or purpose in agreement.purposes:
                return agreement
        return None

    def agreement_by_id(self, agreement_id: str) -> tuple[Agreement, str | None] | None:
        for agreement, terminated in self.agreements():
            if agreement.id == agreement_id:
                return agreement, terminated
        return None

    def require_agreement(self, partner: str, purpose: str) -> Agreement:
        agreement = self.agreement_with(partner, purpose)
        if agreement is None:
            raise ExchangeError(MSG_NO_AGREEMENT, partner=partner, purpose=purpose)
        return agreement

    def gate(self, partner: str, purpose: str, consents: Iterable[str] = ()) -> ReleaseGate:
        """The release gate for what this node may send ``partner`` for ``purpose`` today."""
        agreement = self.require_agreement(partner, purpose)
        return ReleaseGate(
            agreement,
            sender=self.name,
            sender_country=self.country,
            recipient=partner,
            purpose=purpose,
            today=date.today(),
            consents=frozenset(consents),
        )

    def onward_consents(self, entity_ids: Sequence[str]) -> frozenset[str]:
        """Entities received from a partner whose onward sharing it consented to."""
        found: set[str] = set()
        for i in range(0, len(entity_ids), _CHUNK):
            chunk = list(entity_ids[i : i + _CHUNK])
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.db.query(
                    f"SELECT entity_id FROM consents WHERE use = 'onward-sharing'"
                    f" AND entity_id IN ({marks})",
                    chunk,
                )
            )
        return frozenset(found)

    # --- the outbox ----------------------------------------------------------------------
    def enqueue(
        self,
        tx: Tx,
        recipient: str,
        payload: Mapping[str, Any],
        record_bytes: Sequence[bytes] | None = None,
    ) -> tuple[str, int]:
        """Sign ``payload`` for ``recipient`` and put it in the outbox, inside ``tx``.

        The sequence number is taken inside the transaction (SQLite's write lock, a
        PostgreSQL advisory lock per stream), so two writers never share one.
        """
        partner = self.partner(recipient)
        stream = stream_name(self.name, recipient)
        if tx.dialect != "sqlite":
            tx.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (stream,))
        last = tx.query("SELECT MAX(seq) FROM outbox WHERE stream = ?", (stream,))[0][0]
        seq = int(last) + 1 if last is not None else 1
        envelope = seal(self.identity, partner.fingerprint, stream, seq, payload, record_bytes)
        created = now_iso()
        tx.execute(
            "INSERT INTO outbox (stream, seq, kind, recipient, envelope, created_at,"
            " next_attempt_at) VALUES (?,?,?,?,?,?,?)",
            (
                stream,
                seq,
                str(payload["kind"]),
                recipient,
                orjson.dumps(envelope).decode(),
                created,
                created,
            ),
        )
        return stream, seq

    # --- reading entities in bulk --------------------------------------------------------
    def records(self, entity_ids: Sequence[str]) -> list[EntityRecord]:
        """Entities by id with all their statements, a few queries per 500 ids."""
        out: list[EntityRecord] = []
        for i in range(0, len(entity_ids), _CHUNK):
            chunk = list(dict.fromkeys(entity_ids[i : i + _CHUNK]))
            marks = ",".join("?" * len(chunk))
            heads = self.db.query(
                f"SELECT id, schema, caption, markings FROM entities WHERE id IN ({marks})",
                chunk,
            )
            rows: dict[str, list[StatementRow]] = {h[0]: [] for h in heads}
            for row in self.db.query(
                f"SELECT {STATEMENT_COLUMNS} FROM statements WHERE entity_id IN ({marks})",
                chunk,
            ):
                rows[row[1]].append(cast(StatementRow, tuple(row)))
            out.extend(
                EntityRecord(h[0], h[1], h[2], markings_from_json(h[3]), rows[h[0]]) for h in heads
            )
        return out

    def candidates(self, entity_ids: Sequence[str]) -> list[Candidate]:
        """Entities by id as the release gate reads them, in the order asked, in bulk."""
        out: list[Candidate] = []
        for i in range(0, len(entity_ids), _CHUNK):
            chunk = list(dict.fromkeys(entity_ids[i : i + _CHUNK]))
            marks = ",".join("?" * len(chunk))
            heads = self.db.query(
                f"SELECT id, schema, markings FROM entities WHERE id IN ({marks})", chunk
            )
            values: dict[str, list[tuple[str, str]]] = {h[0]: [] for h in heads}
            for entity_id, prop, value in self.db.query(
                f"SELECT entity_id, prop, value FROM statements WHERE entity_id IN ({marks})",
                chunk,
            ):
                values[entity_id].append((prop, value))
            found = {h[0]: h for h in heads}
            out.extend(
                Candidate(h[0], h[1], markings_from_json(h[2]), values[h[0]])
                for h in (found.get(e) for e in chunk)
                if h is not None
            )
        return out

    def entity_ids(self, schema: str | None = None) -> list[str]:
        if schema is None:
            return [r[0] for r in self.db.query("SELECT id FROM entities ORDER BY id")]
        return [
            r[0]
            for r in self.db.query(
                "SELECT id FROM entities WHERE schema = ? ORDER BY id", (schema,)
            )
        ]
