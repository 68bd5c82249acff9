"""The inbox page's data: what came in from partner nodes and waits for this node.

Requests for information (with their deadlines), disclosure requests from hit/no-hit hits,
consent requests, trace requests, and the recent incoming shares and recalls, newest first.
Everything is read from the exchange ledgers, with the workflows' own row readers, so the
page shows exactly what the workflow functions act on; every action then goes through those
functions (:func:`act`), which apply the release gate and write the audit log. The page never
writes a ledger itself.

Reads are bounded (:data:`LIMIT` of each kind, the newest) so the page keeps its time on a
node with years of traffic; the open-item count in the page header is one ``COUNT`` per
ledger.

Need-to-know: a user limited to cases sees only the requests of those cases (a request names
the case it was made for); shares and recalls show only counts and dates, never data, and are
listed for everyone who may sign in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from paridad.exchange import messages as m
from paridad.exchange.context import Exchange, ExchangeError
from paridad.exchange.workflows import requests as rq
from paridad.exchange.workflows import tracing
from paridad.exchange.workflows.matching import answer_disclosure
from paridad.i18n import N_
from paridad.trace.from_disclosure import SERIAL_KINDS, answer_serial_disclosure
from paridad.workbench.accounts import User

LIMIT = 100  # the newest of each kind the page reads

RFI, DISCLOSURE, CONSENT, TRACE, SHARE, RECALL = (
    "rfi",
    "disclosure",
    "consent",
    "trace",
    "share",
    "recall",
)

# The refusal codes an analyst gives to a request (the ``refusal`` vocabulary also holds the
# release gate's own codes, which describe why one record was held back, not a whole request).
REFUSAL_CODES: tuple[str, ...] = (
    "no-records",
    "ongoing-investigation",
    "legal-impediment",
    "insufficient-basis",
    "outside-agreement",
    "deadline-impossible",
    "other",
)

KIND_LABELS: dict[str, str] = {
    RFI: N_("Request for information"),
    DISCLOSURE: N_("Disclosure request"),
    CONSENT: N_("Consent request"),
    TRACE: N_("Trace request"),
    SHARE: N_("Incoming share"),
    RECALL: N_("Recall"),
}

STATE_LABELS: dict[str, str] = {
    "open": N_("Open"),
    "expired": N_("Expired, still answerable"),
    "answered": N_("Answered"),
    "partially-answered": N_("Partially answered"),
    "refused": N_("Refused"),
    "granted": N_("Granted"),
    "no-trace": N_("No trace found"),
    "purged": N_("Purged"),
    "applied": N_("Received"),
    "rejected": N_("Rejected"),
}

USE_LABELS: dict[str, str] = {
    "onward-sharing": N_("Onward sharing"),
    "judicial": N_("Use in judicial proceedings"),
}

# The actions each kind offers while open; the route names them in its path.
ACTIONS: dict[str, tuple[str, ...]] = {
    RFI: ("answer", "refuse"),
    DISCLOSURE: ("approve", "refuse"),
    CONSENT: ("grant", "refuse"),
    TRACE: ("answer", "refuse"),
}

# What the confirmation after each action says, by (kind, action).
DONE_MESSAGES: dict[tuple[str, str], str] = {
    (RFI, "answer"): N_("Request {item} answered."),
    (RFI, "refuse"): N_("Request {item} refused."),
    (DISCLOSURE, "approve"): N_("Disclosure request {item} approved."),
    (DISCLOSURE, "refuse"): N_("Disclosure request {item} refused."),
    (CONSENT, "grant"): N_("Consent request {item} granted."),
    (CONSENT, "refuse"): N_("Consent request {item} refused."),
    (TRACE, "answer"): N_("Trace request {item} answered."),
    (TRACE, "refuse"): N_("Trace request {item} refused."),
}

_OPEN_REQUEST_STATES = ("open", "expired")  # an expired RFI may still be answered, late


@dataclass(frozen=True)
class Item:
    """One line of the inbox: an incoming request, share or recall, as the page shows it."""

    kind: str
    id: str
    partner: str
    case: str
    subject: str  # the partner's own words (question, justification) or an entity id
    use: str  # consent requests: the use asked for
    received: datetime
    deadline: datetime | None
    state: str
    overdue: bool
    records: int
    reason: str | None

    @property
    def open(self) -> bool:
        return self.kind in ACTIONS and self.state in (
            _OPEN_REQUEST_STATES if self.kind != TRACE else ("open",)
        )

    @property
    def actions(self) -> tuple[str, ...]:
        return ACTIONS.get(self.kind, ()) if self.open else ()


@dataclass(frozen=True)
class InboxPage:
    items: list[Item]
    open_count: int


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _when(text: str) -> datetime:
    return _moment(text) or datetime.min.replace(tzinfo=UTC)


def _cases_sql(user: User, column: str) -> tuple[str, list[Any]]:
    if not user.cases:
        return "", []
    return f" AND {column} IN ({','.join('?' * len(user.cases))})", list(user.cases)


def _request_kind(request: rq.Request) -> str:
    if request.kind == "rfi":
        subject = request.body.get("subject")
        return DISCLOSURE if isinstance(subject, dict) and "hit" in subject else RFI
    return request.kind


def _request_item(request: rq.Request, now: datetime) -> Item:
    kind = _request_kind(request)
    deadline = _moment(request.deadline)
    body = request.body
    subject = str(body.get("question") or body.get("justification") or request.legal_basis)
    return Item(
        kind=kind,
        id=request.id,
        partner=request.partner,
        case=request.case,
        subject=subject,
        use=str(body.get("use", "")) if kind == CONSENT else "",
        received=_when(request.created_at),
        deadline=deadline,
        state=request.state,
        overdue=request.state == "expired"
        or (request.state == "open" and deadline is not None and deadline < now),
        records=request.records,
        reason=request.reason,
    )


def _trace_item(request: tracing.TraceRequest) -> Item:
    return Item(
        kind=TRACE,
        id=request.id,
        partner=request.partner,
        case=request.case,
        subject=request.recovery,
        use="",
        received=_when(request.created_at),
        deadline=_moment(request.deadline),
        state=request.state,
        overdue=request.overdue,
        records=request.records,
        reason=request.reason,
    )


def _requests(ex: Exchange, user: User, kind: str) -> list[rq.Request]:
    # A recall names no case: it only tells what was purged, so everyone sees it.
    where, args = _cases_sql(user, "case_ref") if kind != RECALL else ("", [])
    rows = ex.db.query(
        f"SELECT {rq._COLUMNS} FROM requests WHERE direction = 'in' AND kind = ?{where}"
        f" ORDER BY created_at DESC, id DESC LIMIT {LIMIT}",
        [kind, *args],
    )
    return [rq._request(r) for r in rows]


def _trace_requests(ex: Exchange, user: User) -> list[tracing.TraceRequest]:
    where, args = _cases_sql(user, "case_ref")
    rows = ex.db.query(
        f"SELECT {tracing._COLUMNS} FROM trace_requests WHERE direction = 'in'{where}"
        f" ORDER BY created_at DESC, id DESC LIMIT {LIMIT}",
        args,
    )
    return [tracing._row(r) for r in rows]


def _shares(ex: Exchange) -> list[Item]:
    """Incoming shares from the receiving ledger: sender, date, records and whether they were
    applied — never the records themselves (they are on the entity pages, need-to-know)."""
    rows = ex.db.query(
        "SELECT stream, seq, sender, received_at, status, records FROM inbox WHERE kind = ?"
        f" ORDER BY received_at DESC, seq DESC LIMIT {LIMIT}",
        (m.SHARE,),
    )
    return [
        Item(
            kind=SHARE,
            id=f"{stream}#{seq}",
            partner=str(sender),
            case="",
            subject="",
            use="",
            received=_when(str(received_at)),
            deadline=None,
            state=str(status),
            overdue=False,
            records=int(records),
            reason=None,
        )
        for stream, seq, sender, received_at, status, records in rows
    ]


def prepare(ex: Exchange) -> None:
    """Create the trace ledger if this node never traced, once at start (not inside a
    transaction, and not on every page)."""
    tracing.ensure_tables(ex)


def open_count(ex: Exchange, user: User) -> int:
    """How many items wait for an action by this node, within the user's cases."""
    where, args = _cases_sql(user, "case_ref")
    requests = ex.db.query(
        "SELECT COUNT(*) FROM requests WHERE direction = 'in' AND kind IN ('rfi', 'consent')"
        f" AND state IN ('open', 'expired'){where}",
        args,
    )
    traces = ex.db.query(
        f"SELECT COUNT(*) FROM trace_requests WHERE direction = 'in' AND state = 'open'{where}",
        args,
    )
    return int(requests[0][0]) + int(traces[0][0])


def inbox_page(ex: Exchange, user: User, now: datetime | None = None) -> InboxPage:
    """The newest :data:`LIMIT` items of each kind the user may see, newest first."""
    moment = now or datetime.now(UTC)
    items = [
        _request_item(r, moment)
        for kind in ("rfi", "consent", "recall")
        for r in _requests(ex, user, kind)
    ]
    items += [_trace_item(r) for r in _trace_requests(ex, user)]
    items += _shares(ex)
    items.sort(key=lambda i: (i.received, i.id), reverse=True)
    return InboxPage(items=items, open_count=sum(1 for i in items if i.open))


def find_item(ex: Exchange, user: User, kind: str, item_id: str) -> Item | None:
    """The incoming request ``item_id`` if it is of ``kind`` and within the user's cases."""
    if kind == TRACE:
        trace = tracing.get_trace_request(ex, item_id, "in")
        found = _trace_item(trace) if trace else None
    elif kind in (RFI, DISCLOSURE, CONSENT):
        request = rq.get_request(ex, item_id, "in")
        found = _request_item(request, datetime.now(UTC)) if request else None
    else:
        return None
    if found is None or found.kind != kind:
        return None
    if user.cases and found.case not in user.cases:
        return None
    return found


def entity_list(text: str) -> list[str]:
    """Entity ids typed in a form: separated by commas, spaces or new lines, once each."""
    return list(dict.fromkeys(p for p in text.replace(",", " ").split() if p))


def act(
    ex: Exchange,
    user: User,
    item: Item,
    action: str,
    *,
    entities: Sequence[str] = (),
    reason: str = "",
    note: str = "",
) -> None:
    """Carry out ``action`` on an open ``item`` through its workflow function (release gate
    and audit log included), as ``user``. Refusals (a bad reason, nothing releasable) raise
    :class:`ExchangeError` and change nothing."""
    actor = user.username
    text = note.strip() or None
    if action == "refuse" and reason not in REFUSAL_CODES:
        raise ExchangeError(rq.MSG_BAD_REASON, reason=reason, allowed=", ".join(REFUSAL_CODES))
    if item.kind == RFI and action == "answer":
        rq.answer_rfi(ex, item.id, entities, note=text, actor=actor)
    elif item.kind in (RFI, DISCLOSURE) and action == "refuse":
        rq.refuse_rfi(ex, item.id, reason, note=text, actor=actor)
    elif item.kind == DISCLOSURE and action == "approve":
        request = rq.get_request(ex, item.id, "in")
        hit = (request.body.get("subject") or {}).get("hit") if request else None
        if isinstance(hit, dict) and hit.get("kind") in SERIAL_KINDS:
            answer_serial_disclosure(ex, item.id, note=text, actor=actor)
        else:
            answer_disclosure(ex, item.id, note=text, actor=actor)
    elif item.kind == CONSENT and action in ("grant", "refuse"):
        granted = action == "grant"
        rq.answer_consent(
            ex, item.id, granted, reason=None if granted else reason, note=text, actor=actor
        )
    elif item.kind == TRACE and action == "answer":
        tracing.answer_trace_request(ex, item.id, note=text, actor=actor)
    elif item.kind == TRACE and action == "refuse":
        tracing.refuse_trace_request(ex, item.id, reason, note=text, actor=actor)
    else:  # pragma: no cover - the route accepts only the actions of ACTIONS
        raise ValueError(action)
