"""Requests for information (RFI) and consent requests, in both directions.

An RFI names the agreement's purpose, a case, a legal basis and a question; it is due by the
agreement's deadline (``rfi_deadline_hours``). The partner answers it (records through the
release gate: *answered*, or *partially answered* when the gate or the analyst held some
back), refuses it with a coded reason, or lets it expire. A consent request asks the
originator to allow onward sharing or judicial use of data it marked otherwise.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError, now_iso
from paridad.exchange.workflows.share import ShareResult, send_records
from paridad.i18n import N_
from paridad.model.vocabularies import vocabulary
from paridad.store.database import Tx

MSG_NO_REQUEST = N_("There is no open request {request} from a partner.")
MSG_NOT_OPEN = N_("Request {request} is {state}; only an open request can be answered.")
MSG_NOTHING_RELEASABLE = N_(
    "None of these records may be released under the agreement; refuse the request with a"
    " reason instead."
)
MSG_BAD_REASON = N_("'{reason}' is not a refusal reason; use one of: {allowed}.")
MSG_BAD_USE = N_("Consent can be asked for 'onward-sharing' or 'judicial' use, not '{use}'.")
MSG_EMPTY_TEXT = N_("'{field}' must not be empty.")
MSG_NOT_RECEIVED = N_("Entity {entity} was not received from {partner}.")


@dataclass(frozen=True)
class Request:
    id: str
    direction: str
    kind: str
    partner: str
    agreement: str
    purpose: str
    case: str
    legal_basis: str
    body: dict[str, Any]
    created_at: str
    deadline: str | None
    state: str
    reason: str | None
    note: str | None
    answered_at: str | None
    records: int


_COLUMNS = (
    "id, direction, kind, partner, agreement, purpose, case_ref, legal_basis, body, created_at,"
    " deadline, state, reason, note, answered_at, records"
)


def _request(row: Sequence[Any]) -> Request:
    values = list(row)
    values[8] = orjson.loads(values[8])
    values[15] = int(values[15])
    return Request(*values)


def list_requests(
    ex: Exchange, *, direction: str | None = None, kind: str | None = None
) -> list[Request]:
    sql = f"SELECT {_COLUMNS} FROM requests WHERE 1=1"
    args: list[Any] = []
    if direction:
        sql += " AND direction = ?"
        args.append(direction)
    if kind:
        sql += " AND kind = ?"
        args.append(kind)
    return [_request(r) for r in ex.db.query(sql + " ORDER BY created_at, id", args)]


def get_request(ex: Exchange, request_id: str, direction: str) -> Request | None:
    rows = ex.db.query(
        f"SELECT {_COLUMNS} FROM requests WHERE id = ? AND direction = ?",
        (request_id, direction),
    )
    return _request(rows[0]) if rows else None


def _text(value: str, name: str) -> str:
    value = value.strip()
    if not value:
        raise ExchangeError(MSG_EMPTY_TEXT, field=name)
    return value[: m.MAX_TEXT]


def _new_id(ex: Exchange, kind: str) -> str:
    return f"{ex.name}-{kind}-{uuid.uuid4().hex[:12]}"


def _insert_out(ex: Exchange, tx: Tx, kind: str, partner: str, payload: dict[str, Any]) -> None:
    tx.execute(
        "INSERT INTO requests (id, direction, kind, partner, agreement, purpose, case_ref,"
        " legal_basis, body, created_at, deadline, state) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            payload["id"],
            "out",
            kind,
            partner,
            str(payload.get("agreement", "")),
            str(payload.get("purpose") or payload.get("use") or ""),
            str(payload.get("case", "")),
            str(
                payload.get("legal_basis") or payload.get("justification") or payload.get("reason")
            ),
            orjson.dumps(payload).decode(),
            now_iso(),
            payload.get("deadline"),
            "open" if kind != "recall" else "sent",
        ),
    )


def send_rfi(
    ex: Exchange,
    partner: str,
    purpose: str,
    case: str,
    question: str,
    *,
    legal_basis: str | None = None,
    subject: dict[str, Any] | None = None,
    actor: str = "analyst",
) -> str:
    """Ask ``partner`` for information; returns the request id. Due by the agreement."""
    agreement = ex.require_agreement(partner, purpose)
    deadline = datetime.now(UTC) + timedelta(hours=agreement.rfi_deadline_hours)
    payload: dict[str, Any] = {
        "kind": m.RFI,
        "id": _new_id(ex, "rfi"),
        "agreement": agreement.id,
        "purpose": purpose,
        "case": _text(case, "case"),
        "legal_basis": _text(legal_basis or agreement.legal_basis, "legal_basis"),
        "question": _text(question, "question"),
        "deadline": deadline.isoformat(timespec="seconds"),
    }
    if subject:
        payload["subject"] = subject
    with ex.db.transaction() as tx:
        _insert_out(ex, tx, "rfi", partner, payload)
        ex.enqueue(tx, partner, payload)
        ex.audit.append(
            tx,
            "request",
            actor,
            {"request": payload["id"], "kind": "rfi", "to": partner, "case": case},
        )
    return str(payload["id"])


def _open_incoming(ex: Exchange, request_id: str, kind: str) -> Request:
    request = get_request(ex, request_id, "in")
    if request is None or request.kind != kind:
        raise ExchangeError(MSG_NO_REQUEST, request=request_id)
    if request.state not in ("open", "expired"):
        raise ExchangeError(MSG_NOT_OPEN, request=request_id, state=request.state)
    return request


def answer_rfi(
    ex: Exchange,
    rfi_id: str,
    entity_ids: Sequence[str],
    *,
    partial: bool = False,
    note: str | None = None,
    actor: str = "analyst",
) -> ShareResult:
    """Answer an RFI with records, through the gate; late answers are allowed and counted."""
    request = _open_incoming(ex, rfi_id, "rfi")
    gate = ex.gate(request.partner, request.purpose, ex.onward_consents(entity_ids))
    records = ex.candidates(entity_ids)
    released, refused = gate.release_all(records)
    if not released:
        raise ExchangeError(MSG_NOTHING_RELEASABLE)
    result = ShareResult(released=len(released), refused=Counter(r.code for r in refused))
    result.not_found = len(set(entity_ids)) - len(records)
    state = "partially-answered" if partial or refused or result.not_found else "answered"
    payload: dict[str, Any] = {"kind": m.RFI_ANSWER, "rfi": rfi_id, "state": state}
    if note:
        payload["note"] = note[: m.MAX_TEXT]
    with ex.db.transaction() as tx:
        result.envelopes.append(
            send_records(ex, tx, gate, released, payload, actor, request.case, result.refused)
        )
        tx.execute(
            "UPDATE requests SET state = ?, answered_at = ?, records = ?, note = ?"
            " WHERE id = ? AND direction = 'in'",
            (state, now_iso(), len(released), note, rfi_id),
        )
        ex.audit.append(
            tx, "answer", actor, {"request": rfi_id, "state": state, "records": len(released)}
        )
    return result


def refuse_rfi(
    ex: Exchange, rfi_id: str, reason: str, *, note: str | None = None, actor: str = "analyst"
) -> None:
    """Refuse an RFI with a coded reason (the partner sees it in its own language)."""
    refusal = vocabulary("refusal")
    if reason not in refusal:
        raise ExchangeError(MSG_BAD_REASON, reason=reason, allowed=", ".join(refusal.codes))
    request = _open_incoming(ex, rfi_id, "rfi")
    payload: dict[str, Any] = {"kind": m.RFI_REFUSAL, "rfi": rfi_id, "reason": reason}
    if note:
        payload["note"] = note[: m.MAX_TEXT]
    with ex.db.transaction() as tx:
        ex.enqueue(tx, request.partner, payload)
        tx.execute(
            "UPDATE requests SET state = 'refused', reason = ?, note = ?, answered_at = ?"
            " WHERE id = ? AND direction = 'in'",
            (reason, note, now_iso(), rfi_id),
        )
        ex.audit.append(tx, "refusal", actor, {"request": rfi_id, "reason": reason})


def expire_requests(ex: Exchange, now: datetime | None = None) -> int:
    """Mark open RFIs past their deadline *expired*, on either side; returns how many."""
    at = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    rows = ex.db.query(
        "SELECT id, direction FROM requests WHERE kind = 'rfi' AND state = 'open'"
        " AND deadline IS NOT NULL AND deadline < ?",
        (at,),
    )
    if rows:
        with ex.db.transaction() as tx:
            for request_id, direction in rows:
                tx.execute(
                    "UPDATE requests SET state = 'expired' WHERE id = ? AND direction = ?",
                    (request_id, direction),
                )
                ex.audit.append(tx, "request", ex.name, {"request": request_id, "state": "expired"})
    return len(rows)


def request_consent(
    ex: Exchange,
    partner: str,
    entity_ids: Sequence[str],
    use: str,
    case: str,
    justification: str,
    *,
    actor: str = "analyst",
) -> str:
    """Ask the originator for consent to share onward or to use in judicial proceedings."""
    if use not in m.CONSENT_USES:
        raise ExchangeError(MSG_BAD_USE, use=use)
    for entity_id in entity_ids:
        if not ex.db.query(
            "SELECT 1 FROM received WHERE entity_id = ? AND sender = ?", (entity_id, partner)
        ):
            raise ExchangeError(MSG_NOT_RECEIVED, entity=entity_id, partner=partner)
    rows = ex.db.query(
        "SELECT agreement FROM received WHERE sender = ? AND entity_id = ?",
        (partner, entity_ids[0]),
    )
    payload: dict[str, Any] = {
        "kind": m.CONSENT_REQUEST,
        "id": _new_id(ex, "consent"),
        "agreement": rows[0][0],
        "use": use,
        "entities": list(entity_ids),
        "case": _text(case, "case"),
        "justification": _text(justification, "justification"),
    }
    with ex.db.transaction() as tx:
        _insert_out(ex, tx, "consent", partner, payload)
        ex.enqueue(tx, partner, payload)
        ex.audit.append(
            tx, "request", actor, {"request": payload["id"], "kind": "consent", "use": use}
        )
    return str(payload["id"])


def answer_consent(
    ex: Exchange,
    request_id: str,
    granted: bool,
    *,
    reason: str | None = None,
    note: str | None = None,
    actor: str = "supervisor",
) -> None:
    """Grant or refuse a consent request (a refusal carries a coded reason)."""
    request = _open_incoming(ex, request_id, "consent")
    if not granted:
        refusal = vocabulary("refusal")
        if reason not in refusal:
            raise ExchangeError(
                MSG_BAD_REASON, reason=str(reason), allowed=", ".join(refusal.codes)
            )
    payload: dict[str, Any] = {
        "kind": m.CONSENT_ANSWER,
        "request": request_id,
        "granted": granted,
        "entities": list(request.body.get("entities", [])),
    }
    if reason:
        payload["reason"] = reason
    if note:
        payload["note"] = note[: m.MAX_TEXT]
    with ex.db.transaction() as tx:
        ex.enqueue(tx, request.partner, payload)
        tx.execute(
            "UPDATE requests SET state = ?, reason = ?, note = ?, answered_at = ?"
            " WHERE id = ? AND direction = 'in'",
            ("granted" if granted else "refused", reason, note, now_iso(), request_id),
        )
        ex.audit.append(tx, "consent", actor, {"request": request_id, "granted": granted})
