"""Receiving: verify each envelope, apply it once and in order, and record the receipt.

Per incoming stream the node keeps the next sequence number it expects. An envelope below it
was applied before (a resend after a lost acknowledgement): it is acknowledged and skipped.
One above it is refused until the gap is filled, so messages apply in the order they were
sent. The one expected is applied in a single transaction together with its inbox row, the
stream's new position and the audit receipt: a crash leaves either all of it or none.

A message that verifies but cannot be applied (malformed, outside the agreement) is kept in
the inbox as *rejected* with its reason, and the stream moves on: nothing is lost and one bad
message does not block the ones behind it. Records that break the agreement on arrival (a
property the flow does not allow, a looser handling code) are quarantined, never stored.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import orjson

from paridad.audit.heads import SignedTreeHead, record_partner_head
from paridad.errors import InvalidRecord, ParidadError
from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError, now_iso, stream_name
from paridad.exchange.envelope import InvalidEnvelope, Opened, verify_envelope
from paridad.exchange.partners import Partner
from paridad.exchange.workflows import matching, tracing
from paridad.i18n import N_
from paridad.ingest.records import entity_from_dict
from paridad.model.markings import Markings
from paridad.model.vocabularies import vocabulary
from paridad.policy.agreement import Agreement
from paridad.store.base import EntityRecord, QuarantinedRecord
from paridad.store.batch import _quarantine_row
from paridad.store.database import Tx

MSG_UNKNOWN_SENDER = N_("The envelope comes from a key no partner of this node holds.")
MSG_WRONG_STREAM = N_("The envelope's stream '{stream}' is not the sender's stream to this node.")
MSG_NO_AGREEMENT_IN_FORCE = N_(
    "Agreement {agreement} is not in force on this node; records under it are refused."
)
MSG_OUTSIDE_FLOW = N_("The record is outside what agreement {agreement} lets {sender} send.")
MSG_UNKNOWN_REQUEST = N_("There is no request {request} from this node to answer.")
MSG_BAD_STATE = N_("'{state}' is not a valid answer state.")
MSG_BAD_USE = N_("'{use}' is not a use that needs consent.")
MSG_RATE_LIMITED = N_(
    "Rate limit of agreement {agreement} reached ({limit} messages a minute); retry later."
)

ANSWER_STATES = ("answered", "partially-answered")


@dataclass
class Receipt:
    """What one delivery call did: the next sequence expected, and what was applied."""

    next_seq: int
    applied: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    rejected: list[int] = field(default_factory=list)
    error: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "next": self.next_seq,
            "applied": self.applied,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "error": self.error,
        }


def received_dataset(sender: str) -> str:
    """The dataset under which a partner's values are stored (and purged on recall)."""
    return f"partner-{sender}"


class Inbox:
    def __init__(self, exchange: Exchange) -> None:
        self.ex = exchange
        self._by_fingerprint: dict[str, Partner] = {}
        # Per partner, when its recent messages were applied: the agreement's rate limit.
        self._recent: dict[str, deque[float]] = defaultdict(deque)

    def _within_rate(self, partner: str) -> ParidadError | None:
        """None while the partner is within its agreement's messages-per-minute limit."""
        agreement = self.ex.agreement_with(partner)
        if agreement is None:
            return None  # the message itself will be judged (and rejected) on its agreement
        recent, now = self._recent[partner], time.monotonic()
        while recent and now - recent[0] > 60.0:
            recent.popleft()
        if len(recent) >= agreement.rate_limit_per_minute:
            limit = agreement.rate_limit_per_minute
            return ExchangeError(MSG_RATE_LIMITED, agreement=agreement.id, limit=limit)
        return None

    def _sender(self, header: Any) -> Partner:
        fingerprint = header.get("sender") if isinstance(header, Mapping) else None
        partner = self._by_fingerprint.get(str(fingerprint))
        if partner is None:
            self._by_fingerprint = {p.fingerprint: p for p in self.ex.partners().values()}
            partner = self._by_fingerprint.get(str(fingerprint))
        if partner is None:
            raise InvalidEnvelope(MSG_UNKNOWN_SENDER)
        return partner

    def next_seq(self, stream: str) -> int:
        rows = self.ex.db.query("SELECT next_seq FROM streams WHERE stream = ?", (stream,))
        return int(rows[0][0]) if rows else 1

    def receive(self, envelopes: Sequence[Any]) -> Receipt:
        """Apply a run of envelopes from one sender, in order; stop at the first problem."""
        receipt = Receipt(next_seq=1)
        for raw in envelopes:
            try:
                partner = self._sender(raw.get("header") if isinstance(raw, Mapping) else None)
                opened = verify_envelope(
                    raw, partner.verify_key, self.ex.identity.signing_fingerprint
                )
                header = opened.header
                stream = stream_name(partner.node, self.ex.name)
                if header["stream"] != stream:
                    raise InvalidEnvelope(MSG_WRONG_STREAM, stream=str(header["stream"])[:80])
            except ParidadError as exc:
                receipt.error = {
                    "msgid": exc.msgid,
                    "params": {k: str(v) for k, v in exc.params.items()},
                }
                return receipt
            seq = int(header["sequence"])
            limited = self._within_rate(partner.node)
            if limited is not None and seq >= self.next_seq(stream):
                receipt.next_seq = self.next_seq(stream)
                receipt.error = {
                    "msgid": limited.msgid,
                    "params": {k: str(v) for k, v in limited.params.items()},
                    "rate_limited": True,
                }
                return receipt
            outcome, after = self._apply_one(partner, stream, seq, raw, opened)
            if outcome == "applied":
                self._recent[partner.node].append(time.monotonic())
            receipt.next_seq = self.next_seq(stream)
            if outcome == "gap":
                return receipt
            {"applied": receipt.applied, "duplicate": receipt.duplicates}.get(
                outcome, receipt.rejected
            ).append(seq)
            if after is not None:
                after()
        return receipt

    def _apply_one(
        self, partner: Partner, stream: str, seq: int, raw: Any, opened: Opened
    ) -> tuple[str, Callable[[], None] | None]:
        payload = opened.payload
        envelope_text = orjson.dumps(raw).decode()
        digest = hashlib.sha256(envelope_text.encode()).hexdigest()
        try:
            with self.ex.db.transaction() as tx:
                expected = self._expected(tx, stream, partner.node)
                if seq < expected:
                    return "duplicate", None
                if seq > expected:
                    return "gap", None
                kind = m.validate(payload, opened.record_bytes)
                after = self._apply(tx, partner, stream, seq, kind, payload)
                self._record(tx, partner, stream, seq, kind, digest, envelope_text, payload)
                return "applied", after
        except ParidadError as exc:
            if isinstance(exc, InvalidEnvelope):
                raise
            reason = {"msgid": exc.msgid, "params": {k: str(v) for k, v in exc.params.items()}}
        with self.ex.db.transaction() as tx:
            if seq != self._expected(tx, stream, partner.node):
                return "duplicate", None
            kind = str(payload.get("kind"))[:40]
            self._record(
                tx, partner, stream, seq, kind, digest, envelope_text, payload, rejected=reason
            )
        return "rejected", None

    def _expected(self, tx: Tx, stream: str, sender: str) -> int:
        if tx.dialect != "sqlite":
            tx.execute("SELECT pg_advisory_xact_lock(hashtext(?))", ("in:" + stream,))
        rows = tx.query("SELECT next_seq FROM streams WHERE stream = ?", (stream,))
        if not rows:
            tx.execute("INSERT INTO streams VALUES (?,?,?)", (stream, sender, 1))
            return 1
        return int(rows[0][0])

    def _record(
        self,
        tx: Tx,
        partner: Partner,
        stream: str,
        seq: int,
        kind: str,
        digest: str,
        envelope_text: str,
        payload: Mapping[str, Any],
        rejected: dict[str, Any] | None = None,
    ) -> None:
        records = payload.get("records")
        tx.execute(
            "INSERT INTO inbox VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                stream,
                seq,
                kind,
                partner.node,
                digest,
                now_iso(),
                "rejected" if rejected else "applied",
                orjson.dumps(rejected).decode() if rejected else None,
                0 if rejected or not isinstance(records, list) else len(records),
                envelope_text,
            ),
        )
        tx.execute("UPDATE streams SET next_seq = ? WHERE stream = ?", (seq + 1, stream))
        details: dict[str, Any] = {
            "sender": partner.node,
            "stream": stream,
            "seq": seq,
            "kind": kind,
            "envelope_sha256": digest,
        }
        if isinstance(payload.get("records"), list):
            details["records"] = len(payload["records"])
            details["records_root"] = str(payload.get("records_root", ""))
        if rejected:
            details["rejected"] = rejected
        elif kind == m.TREE_HEAD:
            # A partner's head is kept as evidence in partner_heads; logging its arrival too
            # would change this log, prompt a new head back, and so on without end.
            return
        self.ex.audit.append(tx, "receipt", partner.node, details)

    # --- applying each kind --------------------------------------------------------------
    def _apply(
        self, tx: Tx, partner: Partner, stream: str, seq: int, kind: str, p: dict[str, Any]
    ) -> Callable[[], None] | None:
        sender = partner.node
        if kind in m.CARRY_RECORDS:
            agreement = self._agreement_in_force(p["agreement"], sender)
            self._store_records(tx, agreement, sender, stream, seq, p)
            if kind == m.RFI_ANSWER:
                if p["state"] not in ANSWER_STATES:
                    raise m.InvalidMessage(MSG_BAD_STATE, state=str(p["state"])[:40])
                self._close_request(
                    tx, p["rfi"], "rfi", p["state"], records=len(p["records"]), note=p.get("note")
                )
            elif kind in (m.TRACE_REQUEST, m.TRACE_ANSWER):
                tracing.receive(self.ex, tx, sender, kind, p)
        elif kind == m.RFI:
            self._incoming_request(tx, sender, "rfi", p, deadline=p["deadline"])
        elif kind == m.RFI_REFUSAL:
            if p["reason"] not in vocabulary("refusal"):
                raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=kind, reason="reason code")
            self._close_request(
                tx, p["rfi"], "rfi", "refused", reason=p["reason"], note=p.get("note")
            )
        elif kind == m.CONSENT_REQUEST:
            if p["use"] not in m.CONSENT_USES:
                raise m.InvalidMessage(MSG_BAD_USE, use=str(p["use"])[:40])
            self._incoming_request(tx, sender, "consent", p, deadline=None)
        elif kind == m.CONSENT_ANSWER:
            body = self._close_request(
                tx,
                p["request"],
                "consent",
                "granted" if p["granted"] else "refused",
                reason=p.get("reason"),
                note=p.get("note"),
            )
            if p["granted"]:
                use = str(body.get("use", ""))
                asked = set(body.get("entities", []))
                tx.executemany(
                    "INSERT INTO consents VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING",
                    [
                        (e, sender, use, p["request"], now_iso())
                        for e in p["entities"]
                        if e in asked
                    ],
                )
            self.ex.audit.append(
                tx, "consent", sender, {"request": p["request"], "granted": p["granted"]}
            )
        elif kind == m.RECALL:
            self._apply_recall(tx, sender, p)
        elif kind == m.RECALL_CONFIRMATION:
            tx.executemany(
                "UPDATE releases SET purge_confirmed_at = ? WHERE recipient = ? AND entity_id = ?"
                " AND recalled_at IS NOT NULL",
                [(now_iso(), sender, e) for e in p["purged"]],
            )
            self._close_request(tx, p["recall"], "recall", "confirmed", records=len(p["purged"]))
        elif kind == m.USE_RECEIPT:
            self.ex.audit.append(
                tx,
                "use",
                sender,
                {
                    "by": sender,
                    "agency": p["agency"],
                    "role": p["role"],
                    "use": p["use"],
                    "purpose": p["purpose"],
                    "case": p.get("case"),
                    "entities": p["entities"][:1000],
                },
            )
        elif kind == m.TREE_HEAD:
            head = SignedTreeHead.from_dict(p["head"])
            proof = [bytes.fromhex(h) for h in p.get("proof") or []] if p.get("proof") else None
            db, key = self.ex.db, partner.verify_key
            return lambda: record_partner_head(db, sender, head, key, proof)
        elif kind == m.MATCH_REQUEST:
            self._agreement_in_force(p["agreement"], sender)
            matching.receive_request(tx, sender, p)
        elif kind == m.MATCH_ANSWER:
            matching.receive_answer(tx, sender, p)
        elif kind == m.MATCH_REFUSAL:
            if p["reason"] not in vocabulary("refusal"):
                raise m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=kind, reason="reason code")
            matching.receive_answer(tx, sender, p, refused=True)
        elif kind == m.TERMINATION:
            changed = tx.execute(
                "UPDATE agreements SET terminated_at = ?, terminated_by = ? WHERE id = ?"
                " AND terminated_at IS NULL",
                (now_iso(), sender, p["agreement"]),
            )
            self.ex.audit.append(
                tx,
                "agreement",
                sender,
                {"agreement": p["agreement"], "action": "terminated", "changed": changed},
            )
        return None

    def _agreement_in_force(self, agreement_id: str, sender: str) -> Agreement:
        found = self.ex.agreement_by_id(agreement_id)
        if found is None or found[1] or not found[0].in_force(date.today()):
            raise ExchangeError(MSG_NO_AGREEMENT_IN_FORCE, agreement=agreement_id[:80])
        agreement = found[0]
        if {p.node for p in agreement.parties} != {sender, self.ex.name}:
            raise ExchangeError(MSG_NO_AGREEMENT_IN_FORCE, agreement=agreement_id[:80])
        return agreement

    def _store_records(
        self, tx: Tx, agreement: Agreement, sender: str, stream: str, seq: int, p: dict[str, Any]
    ) -> None:
        """Check each record against the flow (defence in depth: the sender's gate should
        have let nothing else through), keep the originator's markings, store, and remember
        where each entity came from and until when it may be kept."""
        flow = agreement.flow(sender, self.ex.name)
        dataset = received_dataset(sender)
        seen = now_iso()[:19]
        origin = f"{stream}#{seq}"
        today = date.today()
        limit = today + timedelta(days=flow.retention_days) if flow else today
        tlp = vocabulary("tlp")
        max_rank = tlp.rank(flow.max_tlp) if flow else -1
        records: list[EntityRecord] = []
        received: list[tuple[Any, ...]] = []
        capped_markings: dict[Markings, Markings] = {}
        for line, raw in enumerate(p["records"], start=1):
            try:
                record = entity_from_dict(raw, dataset, seen, origin)
                allowed = flow.properties.get(record.schema) if flow else None
                marks = record.markings
                if (
                    allowed is None
                    or any(row[3] not in allowed for row in record.rows)
                    or marks.handling not in flow.handling  # type: ignore[union-attr]
                    or tlp.rank(marks.tlp) > max_rank
                ):
                    raise InvalidRecord(MSG_OUTSIDE_FLOW, agreement=agreement.id, sender=sender)
            except ParidadError as exc:
                quarantined = QuarantinedRecord(
                    dataset=dataset,
                    source=origin,
                    line=line,
                    record=dict(raw) if isinstance(raw, Mapping) else str(raw),
                    msgid=exc.msgid,
                    params={k: str(v) for k, v in exc.params.items()},
                    created_at=seen,
                )
                tx.executemany(
                    "INSERT INTO quarantine VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (key)"
                    " DO UPDATE SET record=excluded.record, msgid=excluded.msgid,"
                    " params=excluded.params",
                    [_quarantine_row(quarantined)],
                )
                continue
            if marks.retain_until > limit:
                # A batch repeats a few markings: cap each once, not once per record.
                capped = capped_markings.get(marks)
                if capped is None:
                    capped = capped_markings[marks] = replace(marks, retain_until=limit)
                record.markings = capped
            records.append(record)
            received.append(
                (
                    record.id,
                    sender,
                    dataset,
                    agreement.id,
                    stream,
                    seq,
                    str(p["purpose"])[:80],
                    p.get("case"),
                    seen,
                    record.markings.retain_until.isoformat(),
                )
            )
        tx.put_records(records)
        tx.executemany(
            "INSERT INTO received VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (entity_id, sender)"
            " DO UPDATE SET stream=excluded.stream, seq=excluded.seq,"
            " agreement=excluded.agreement, purpose=excluded.purpose,"
            " case_ref=excluded.case_ref, received_at=excluded.received_at,"
            " retain_until=excluded.retain_until",
            received,
        )

    def _incoming_request(
        self, tx: Tx, sender: str, kind: str, p: dict[str, Any], deadline: str | None
    ) -> None:
        agreement = p["agreement"]
        tx.execute(
            "INSERT INTO requests (id, direction, kind, partner, agreement, purpose, case_ref,"
            " legal_basis, body, created_at, deadline, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT DO NOTHING",
            (
                p["id"],
                "in",
                kind,
                sender,
                agreement,
                str(p.get("purpose") or p.get("use")),
                p["case"],
                str(p.get("legal_basis") or p.get("justification")),
                orjson.dumps(p).decode(),
                now_iso(),
                deadline,
                "open",
            ),
        )
        self.ex.audit.append(
            tx, "request", sender, {"request": p["id"], "kind": kind, "case": p["case"]}
        )

    def _close_request(
        self,
        tx: Tx,
        request_id: str,
        kind: str,
        state: str,
        *,
        reason: str | None = None,
        note: Any = None,
        records: int = 0,
    ) -> dict[str, Any]:
        rows = tx.query(
            "SELECT body FROM requests WHERE id = ? AND direction = 'out' AND kind = ?",
            (request_id, kind),
        )
        if not rows:
            raise m.InvalidMessage(MSG_UNKNOWN_REQUEST, request=request_id[:80])
        tx.execute(
            "UPDATE requests SET state = ?, reason = ?, note = ?, answered_at = ?,"
            " records = records + ? WHERE id = ? AND direction = 'out'",
            (
                state,
                reason,
                str(note)[: m.MAX_TEXT] if note else None,
                now_iso(),
                records,
                request_id,
            ),
        )
        body: dict[str, Any] = orjson.loads(rows[0][0])
        return body

    def _apply_recall(self, tx: Tx, sender: str, p: dict[str, Any]) -> None:
        """A signed tombstone: purge what ``sender`` gave about these entities, confirm."""
        dataset = received_dataset(sender)
        purged: list[str] = []
        for entity_id in p["entities"]:
            rows = tx.query(
                "SELECT 1 FROM received WHERE entity_id = ? AND sender = ?", (entity_id, sender)
            )
            tx.purge(entity_id, dataset)
            tx.execute(
                "DELETE FROM received WHERE entity_id = ? AND sender = ?", (entity_id, sender)
            )
            if rows:
                purged.append(entity_id)
        tx.execute(
            "INSERT INTO requests (id, direction, kind, partner, agreement, purpose, case_ref,"
            " legal_basis, body, created_at, state, answered_at, records)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
            (
                p["id"],
                "in",
                "recall",
                sender,
                "",
                "",
                "",
                str(p["reason"])[:300],
                orjson.dumps(p).decode(),
                now_iso(),
                "purged",
                now_iso(),
                len(purged),
            ),
        )
        self.ex.audit.append(
            tx, "purge", self.ex.name, {"recall": p["id"], "by": sender, "entities": purged}
        )
        self.ex.enqueue(
            tx, sender, {"kind": m.RECALL_CONFIRMATION, "recall": p["id"], "purged": purged}
        )
