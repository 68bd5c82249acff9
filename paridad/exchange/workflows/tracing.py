"""Trace requests between nodes: a recovered gun traced to its first retail sale by the
node that holds the sales.

The requester (usually the Mexican node) fills in the trace request form for a recovery it
holds. What the request *states* — who asks, the case, the officer, the urgency, why the gun
was seized — travels as the message; the recovery, its firearm and its possessor travel as
records through the requester's release gate, so a value the agreement does not let cross
(the address of the recovery, a phone number) never leaves. The request is due by the
agreement's RFI deadline.

The responder (usually the US node) re-checks the form, keeps the request *open*, and traces
the received recovery against its own acquisitions with :mod:`paridad.trace`. It answers
through its own release gate: a FirearmTrace (method ``trace-request``, the request's number,
score, time-to-crime, how the serial matched) with the acquisition, its firearm, the dealer
and the purchaser, each cut to what the agreement allows (*answered*); *no-trace* when no
sale matches; or *refused* with a code of the ``refusal`` vocabulary. An agreement may say
``tracing: {answer: automatic}`` to let the node answer without an analyst
(:func:`process_trace_requests`, run by the node's loop or ``paridad trace answer
--pending``); otherwise an analyst answers or refuses each request.

Both sides keep every request in ``trace_requests`` with its state, and both audit logs hold
the request, the release and the answer.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import orjson

from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError, now_iso
from paridad.exchange.workflows.share import send_records
from paridad.i18n import N_
from paridad.ingest.records import entity_from_dict
from paridad.model.vocabularies import vocabulary
from paridad.policy.agreement import Agreement
from paridad.policy.release_gate import GateClosed
from paridad.store.database import Tx
from paridad.trace.in_node import (
    TRACE_REQUEST,
    Tracer,
    default_tracer,
    read_acquisitions,
    read_entities,
    read_recoveries,
    trace_entity,
    trace_id,
    trace_markings,
)
from paridad.trace.records import TraceMatch
from paridad.trace.request_form import (
    InvalidTraceRequest,
    form_from_recovery,
    request_part,
    validate_form,
)

DDL = """
CREATE TABLE IF NOT EXISTS trace_requests (
    id TEXT NOT NULL, direction TEXT NOT NULL, partner TEXT NOT NULL, agreement TEXT NOT NULL,
    purpose TEXT NOT NULL, case_ref TEXT NOT NULL, legal_basis TEXT NOT NULL,
    urgency TEXT NOT NULL, recovery TEXT NOT NULL, form TEXT NOT NULL, created_at TEXT NOT NULL,
    deadline TEXT NOT NULL, state TEXT NOT NULL, reason TEXT, note TEXT, answered_at TEXT,
    trace TEXT, acquisition TEXT, score DOUBLE PRECISION, ttc_days BIGINT, serial_match TEXT,
    records BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (id, direction)
)
"""

STATES = ("open", "answered", "no-trace", "refused")
ANSWER_STATES = ("answered", "no-trace", "refused")
DEFAULT_PURPOSE = "firearms-trafficking"
DATASET = "trace-request"  # where a responder keeps the traces it answered with
AUTOMATIC = "automatic"

MSG_NO_REQUEST = N_("There is no trace request {request} from a partner on this node.")
MSG_NOT_OPEN = N_("Trace request {request} is {state}; only an open request can be answered.")
MSG_BAD_REASON = N_("'{reason}' is not a refusal reason; use one of: {allowed}.")
MSG_HELD_BACK = N_(
    "The release gate holds back {entity}, which the trace request needs ({code}); "
    "nothing was sent. Check the agreement and the record's markings."
)
MSG_TRACE_HELD_BACK = N_(
    "The release gate holds back the trace itself ({code}); refuse the request with a reason."
)
MSG_RECOVERY_MISSING = N_(
    "The recovery of trace request {request} did not arrive (the agreement held it back); "
    "refuse the request with a reason."
)
MSG_BAD_TRACING = N_("Invalid agreement: tracing.answer must be 'manual' or 'automatic'.")


@dataclass(frozen=True)
class TraceRequest:
    """A trace request as this node's ledger keeps it (``direction`` ``out`` or ``in``)."""

    id: str
    direction: str
    partner: str
    agreement: str
    purpose: str
    case: str
    legal_basis: str
    urgency: str
    recovery: str
    form: dict[str, Any]
    created_at: str
    deadline: str
    state: str
    reason: str | None
    note: str | None
    answered_at: str | None
    trace: str | None
    acquisition: str | None
    score: float | None
    ttc_days: int | None
    serial_match: str | None
    records: int

    @property
    def overdue(self) -> bool:
        """Still open after its deadline: counted against the responder in the figures."""
        return self.state == "open" and self.deadline < datetime.now(UTC).isoformat()

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "overdue": self.overdue}


_COLUMNS = (
    "id, direction, partner, agreement, purpose, case_ref, legal_basis, urgency, recovery, form,"
    " created_at, deadline, state, reason, note, answered_at, trace, acquisition, score,"
    " ttc_days, serial_match, records"
)


def _row(row: Sequence[Any]) -> TraceRequest:
    values = list(row)
    values[9] = orjson.loads(values[9])
    values[18] = float(values[18]) if values[18] is not None else None
    values[19] = int(values[19]) if values[19] is not None else None
    values[21] = int(values[21])
    return TraceRequest(*values)


def ensure_tables(ex: Exchange) -> None:
    ex.db.ensure(DDL)


def _ensure(tx: Tx) -> None:
    """The table inside a transaction that needs it (a node that never traced has none)."""
    tx.execute(DDL)


def list_trace_requests(
    ex: Exchange, *, direction: str | None = None, state: str | None = None
) -> list[TraceRequest]:
    ensure_tables(ex)
    sql = f"SELECT {_COLUMNS} FROM trace_requests WHERE 1=1"
    args: list[Any] = []
    if direction:
        sql += " AND direction = ?"
        args.append(direction)
    if state:
        sql += " AND state = ?"
        args.append(state)
    return [_row(r) for r in ex.db.query(sql + " ORDER BY created_at, id", args)]


def get_trace_request(ex: Exchange, request_id: str, direction: str) -> TraceRequest | None:
    ensure_tables(ex)
    rows = ex.db.query(
        f"SELECT {_COLUMNS} FROM trace_requests WHERE id = ? AND direction = ?",
        (request_id, direction),
    )
    return _row(rows[0]) if rows else None


def answer_mode(agreement: Agreement) -> str:
    """``automatic`` when the agreement lets the node answer trace requests by itself."""
    spec = agreement.document.get("tracing") or {}
    mode = str(spec.get("answer", "manual")) if isinstance(spec, dict) else ""
    if mode not in ("manual", AUTOMATIC):
        raise ExchangeError(MSG_BAD_TRACING)
    return mode


def _insert(
    tx: Tx, direction: str, partner: str, payload: dict[str, Any], deadline: str, at: str
) -> int:
    form = payload["form"]
    return tx.execute(
        "INSERT INTO trace_requests (id, direction, partner, agreement, purpose, case_ref,"
        " legal_basis, urgency, recovery, form, created_at, deadline, state)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
        (
            payload["id"],
            direction,
            partner,
            payload["agreement"],
            payload["purpose"],
            payload["case"],
            payload["legal_basis"],
            str(form.get("urgency", "routine")),
            payload["recovery"],
            orjson.dumps(form).decode(),
            at,
            deadline,
            "open",
        ),
    )


# --- the requester ------------------------------------------------------------------------


def send_trace_request(
    ex: Exchange,
    partner: str,
    recovery_id: str,
    stated: dict[str, Any],
    *,
    purpose: str = DEFAULT_PURPOSE,
    legal_basis: str | None = None,
    actor: str = "analyst",
) -> str:
    """Ask ``partner`` to trace a recovery this node holds; returns the request number.

    ``stated`` are the form's request fields (officer, urgency, crime type…); the rest is read
    from the recovery. Nothing is sent unless the whole form validates and the gate lets the
    recovery and its firearm cross.
    """
    form = form_from_recovery(ex, recovery_id, stated)
    agreement = ex.require_agreement(partner, purpose)
    recovery = read_entities(ex, [recovery_id])[recovery_id]
    firearm_id = recovery.first("firearm")
    ids = [recovery_id, firearm_id, *recovery.properties.get("possessor", [])]
    gate = ex.gate(partner, purpose, ex.onward_consents(ids))
    released, refused = gate.release_all(ex.candidates(ids))
    codes = {r.entity_id: r.code for r in refused}
    for entity_id in (recovery_id, firearm_id):
        if entity_id in codes:
            raise ExchangeError(MSG_HELD_BACK, entity=entity_id, code=codes[entity_id])
    deadline = datetime.now(UTC) + timedelta(hours=agreement.rfi_deadline_hours)
    request_id = f"{ex.name}-trace-{uuid.uuid4().hex[:12]}"
    payload: dict[str, Any] = {
        "kind": m.TRACE_REQUEST,
        "id": request_id,
        "deadline": deadline.isoformat(timespec="seconds"),
        "legal_basis": (legal_basis or agreement.legal_basis).strip()[: m.MAX_TEXT],
        "form": request_part(form),
        "recovery": recovery_id,
    }
    case = str(form["case_number"])
    with ex.db.transaction() as tx:
        _ensure(tx)
        send_records(ex, tx, gate, released, payload, actor, case, Counter(codes.values()))
        full = {**payload, "agreement": agreement.id, "purpose": purpose, "case": case}
        _insert(tx, "out", partner, {**full, "form": form}, str(payload["deadline"]), now_iso())
        ex.audit.append(
            tx,
            "request",
            actor,
            {"request": request_id, "kind": "trace", "to": partner, "case": case},
        )
    return request_id


# --- the responder ------------------------------------------------------------------------


def _open_incoming(ex: Exchange, request_id: str) -> TraceRequest:
    request = get_trace_request(ex, request_id, "in")
    if request is None:
        raise ExchangeError(MSG_NO_REQUEST, request=request_id)
    if request.state != "open":
        raise ExchangeError(MSG_NOT_OPEN, request=request_id, state=request.state)
    return request


@dataclass
class TraceAnswer:
    """What answering one request did."""

    request: str
    state: str
    trace: str | None = None
    score: float | None = None
    ttc_days: int | None = None
    released: int = 0
    refused: dict[str, int] | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _empty_answer(request: TraceRequest, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": m.TRACE_ANSWER,
        "request": request.id,
        "agreement": request.agreement,
        "purpose": request.purpose,
        "state": state,
        "records": [],
        "records_root": m.records_root([]),
        **extra,
    }


def _store_trace(ex: Exchange, tx: Tx, request: TraceRequest, match: TraceMatch) -> str:
    """Keep the trace this node answers with as its own FirearmTrace entity."""
    marks = {
        e.id: e.markings
        for e in read_entities(ex, [match.recovery_id, match.acquisition_id]).values()
    }
    markings = trace_markings(marks[match.recovery_id], marks[match.acquisition_id], ex.country)
    entity_id = trace_id(TRACE_REQUEST, request.id)
    line = trace_entity(
        match,
        markings,
        method=TRACE_REQUEST,
        entity_id=entity_id,
        traced_on=date.today(),
        request_number=request.id,
    )
    tx.purge(entity_id, DATASET)
    tx.put_records([entity_from_dict(line, DATASET, now_iso()[:19], f"trace:{request.id}")])
    return entity_id


def answer_trace_request(
    ex: Exchange,
    request_id: str,
    *,
    tracer: Tracer | None = None,
    note: str | None = None,
    actor: str = "analyst",
) -> TraceAnswer:
    """Trace the request's recovery against this node's own acquisitions and answer through
    the release gate: the trace and the sale behind it, or *no-trace*."""
    request = _open_incoming(ex, request_id)
    recoveries = read_recoveries(ex, [request.recovery])
    if not recoveries:
        raise ExchangeError(MSG_RECOVERY_MISSING, request=request_id)
    acquisitions = read_acquisitions(ex, origin_country=ex.country)
    run = tracer or default_tracer()
    matches = [x for x in run(recoveries, acquisitions) if x.recovery_id == request.recovery]
    extra = {"note": note[: m.MAX_TEXT]} if note else {}
    if not matches:
        with ex.db.transaction() as tx:
            ex.enqueue(tx, request.partner, _empty_answer(request, "no-trace", **extra))
            _close(tx, request.id, "in", "no-trace", note=note)
            ex.audit.append(tx, "answer", actor, {"request": request_id, "state": "no-trace"})
        return TraceAnswer(request_id, "no-trace")
    match = matches[0]
    gate = ex.gate(request.partner, request.purpose)
    acquisition = read_entities(ex, [match.acquisition_id])[match.acquisition_id]
    ids = [
        match.acquisition_id,
        acquisition.first("firearm"),
        *acquisition.properties.get("dealer", []),
        *acquisition.properties.get("purchaser", []),
    ]
    with ex.db.transaction() as tx:
        trace = _store_trace(ex, tx, request, match)
    released, refused = gate.release_all(ex.candidates([trace, *ids]))
    if not released or released[0].entity_id != trace:
        code = next((r.code for r in refused if r.entity_id == trace), "nothing-allowed")
        raise ExchangeError(MSG_TRACE_HELD_BACK, code=code)
    codes: Counter[str] = Counter(r.code for r in refused)
    payload = {"kind": m.TRACE_ANSWER, "request": request_id, "state": "answered", **extra}
    with ex.db.transaction() as tx:
        send_records(ex, tx, gate, released, payload, actor, request.case, codes)
        _close(
            tx,
            request.id,
            "in",
            "answered",
            note=note,
            trace=trace,
            match=match,
            records=len(released),
        )
        ex.audit.append(
            tx,
            "answer",
            actor,
            {"request": request_id, "state": "answered", "trace": trace, "records": len(released)},
        )
    return TraceAnswer(
        request_id,
        "answered",
        trace=trace,
        score=match.score,
        ttc_days=match.ttc_days,
        released=len(released),
        refused=dict(codes),
    )


def refuse_trace_request(
    ex: Exchange,
    request_id: str,
    reason: str,
    *,
    note: str | None = None,
    actor: str = "analyst",
) -> TraceAnswer:
    """Refuse a trace request with a code of the ``refusal`` vocabulary (and nothing else)."""
    refusal = vocabulary("refusal")
    if reason not in refusal:
        raise ExchangeError(MSG_BAD_REASON, reason=reason, allowed=", ".join(refusal.codes))
    request = _open_incoming(ex, request_id)
    extra = {"reason": reason, **({"note": note[: m.MAX_TEXT]} if note else {})}
    with ex.db.transaction() as tx:
        ex.enqueue(tx, request.partner, _empty_answer(request, "refused", **extra))
        _close(tx, request.id, "in", "refused", reason=reason, note=note)
        ex.audit.append(tx, "refusal", actor, {"request": request_id, "reason": reason})
    return TraceAnswer(request_id, "refused", reason=reason)


def process_trace_requests(ex: Exchange, *, tracer: Tracer | None = None) -> int:
    """Answer open incoming requests under agreements that say ``tracing: {answer:
    automatic}``; one the gate or the agreement stops is refused with the gate's code.
    Returns how many were answered or refused."""
    done = 0
    for request in list_trace_requests(ex, direction="in", state="open"):
        found = ex.agreement_by_id(request.agreement)
        if found is None or answer_mode(found[0]) != AUTOMATIC:
            continue
        try:
            answer_trace_request(ex, request.id, tracer=tracer, actor="agreement")
        except GateClosed as exc:
            refuse_trace_request(ex, request.id, exc.code, actor="agreement")
        except ExchangeError as exc:
            code = str(exc.params.get("code", "outside-agreement"))
            if code not in vocabulary("refusal"):
                code = "outside-agreement"
            refuse_trace_request(ex, request.id, code, actor="agreement")
        done += 1
    return done


def _close(
    tx: Tx,
    request_id: str,
    direction: str,
    state: str,
    *,
    reason: str | None = None,
    note: Any = None,
    trace: str | None = None,
    match: TraceMatch | None = None,
    records: int = 0,
) -> None:
    tx.execute(
        "UPDATE trace_requests SET state = ?, reason = ?, note = ?, answered_at = ?, trace = ?,"
        " acquisition = ?, score = ?, ttc_days = ?, serial_match = ?, records = ?"
        " WHERE id = ? AND direction = ?",
        (
            state,
            reason,
            str(note)[: m.MAX_TEXT] if note else None,
            now_iso(),
            trace,
            match.acquisition_id if match else None,
            match.score if match else None,
            match.ttc_days if match else None,
            match.serial_match if match else None,
            records,
            request_id,
            direction,
        ),
    )


# --- receiving (called by the inbox, inside the transaction that applies the envelope) -----


def _malformed(kind: str, reason: str) -> m.InvalidMessage:
    return m.InvalidMessage(m.MSG_BAD_MESSAGE, kind=kind, reason=reason)


def receive(ex: Exchange, tx: Tx, sender: str, kind: str, p: dict[str, Any]) -> None:
    """Apply a trace request or answer whose records the inbox has just stored; raising
    rejects the whole message (records included), which the inbox keeps with the reason."""
    _ensure(tx)
    if kind == m.TRACE_REQUEST:
        _receive_request(ex, tx, sender, p)
    else:
        _receive_answer(tx, sender, p)


def _receive_request(ex: Exchange, tx: Tx, sender: str, p: dict[str, Any]) -> None:
    try:
        form = validate_form(p["form"], source="request")
    except InvalidTraceRequest as exc:
        fields = ", ".join(sorted({q.field for q in exc.problems}))
        raise _malformed(m.TRACE_REQUEST, f"form: {fields}"[:200]) from None
    schemata = {r["id"]: r["schema"] for r in p["records"]}
    if schemata.get(p["recovery"]) != "FirearmRecovery":
        raise _malformed(m.TRACE_REQUEST, "recovery")
    try:
        deadline = datetime.fromisoformat(p["deadline"])
    except ValueError:
        raise _malformed(m.TRACE_REQUEST, "deadline") from None
    payload = {**p, "form": form, "case": p["case"][:300]}
    _insert(tx, "in", sender, payload, deadline.isoformat(), now_iso())
    ex.audit.append(
        tx, "request", sender, {"request": p["id"], "kind": "trace", "case": payload["case"]}
    )


def _receive_answer(tx: Tx, sender: str, p: dict[str, Any]) -> None:
    rows = tx.query(
        "SELECT recovery, state FROM trace_requests WHERE id = ? AND direction = 'out'"
        " AND partner = ?",
        (p["request"], sender),
    )
    if not rows:
        raise _malformed(m.TRACE_ANSWER, "request")
    recovery, state = rows[0]
    if state != "open":
        raise _malformed(m.TRACE_ANSWER, "request not open")
    if p["state"] not in ANSWER_STATES:
        raise _malformed(m.TRACE_ANSWER, "state")
    reason = p.get("reason")
    if p["state"] == "refused" and reason not in vocabulary("refusal"):
        raise _malformed(m.TRACE_ANSWER, "reason code")
    if p["state"] != "answered":
        if p["records"]:
            raise _malformed(m.TRACE_ANSWER, "records")
        _close(tx, p["request"], "out", p["state"], reason=reason, note=p.get("note"))
        return
    traces = [r for r in p["records"] if r["schema"] == "FirearmTrace"]
    if len(traces) != 1:
        raise _malformed(m.TRACE_ANSWER, "trace")
    props = traces[0]["properties"]
    # The agreement may cut properties from the trace, but what it does say must be ours.
    for name, expected in (("recovery", recovery), ("requestNumber", p["request"])):
        if name in props and props[name] != [expected]:
            raise _malformed(m.TRACE_ANSWER, "trace")
    try:
        score, ttc = _first(props, "score"), _first(props, "timeToCrimeDays")
        values = (
            _first(props, "acquisition"),
            float(score) if score else None,
            int(float(ttc)) if ttc else None,
            _first(props, "serialMatch"),
        )
    except ValueError:
        raise _malformed(m.TRACE_ANSWER, "trace values") from None
    tx.execute(
        "UPDATE trace_requests SET state = 'answered', note = ?, answered_at = ?, trace = ?,"
        " acquisition = ?, score = ?, ttc_days = ?, serial_match = ?, records = ?"
        " WHERE id = ? AND direction = 'out'",
        (
            str(p.get("note"))[: m.MAX_TEXT] if p.get("note") else None,
            now_iso(),
            str(traces[0]["id"]),
            *values,
            len(p["records"]),
            p["request"],
        ),
    )


def _first(props: dict[str, Any], name: str) -> str | None:
    values = props.get(name)
    return str(values[0]) if isinstance(values, list) and values else None


def received_trace(ex: Exchange, request_id: str) -> dict[str, Any] | None:
    """The trace a partner answered with, as stored on this node (its markings included)."""
    request = get_trace_request(ex, request_id, "out")
    if request is None or not request.trace:
        return None
    records = ex.records([request.trace])
    return records[0].to_dict() if records else None
