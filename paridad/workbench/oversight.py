"""Oversight pages: the node's agreements with their reciprocity figures, and the audit log.

Cooperation between two agencies rests on two things the people overseeing it must be able
to see without a database client: *what was agreed* (who may send what to whom, for which
purposes, for how long, under which law) and *whether each side keeps its end* (the
reciprocity figures a liaison officer brings to the bilateral meeting,
:func:`paridad.exchange.reciprocity.reciprocity`). The audit viewer lets an auditor read the
tamper-evident log, check it as ``paridad audit verify`` does, and see the RFC 9162 inclusion
proof of any one entry against the current tree — so a finding in the log can be shown to
a partner or a court with the proof beside it.

The log records who looked at what, so reading it is itself need-to-know: only the roles in
:func:`paridad.workbench.accounts.may_audit` open it. Agreements are the rules every user
works under, so every signed-in user sees them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from paridad.audit import merkle
from paridad.audit.heads import SignedTreeHead, latest_head
from paridad.audit.log import AuditEntry, AuditError, AuditLog
from paridad.audit.verify import Report, verify_node
from paridad.exchange.context import Exchange
from paridad.exchange.reciprocity import Reciprocity, reciprocity
from paridad.i18n import N_, Lang, translate
from paridad.model import model
from paridad.model.labels import property_label
from paridad.model.vocabularies import vocabulary
from paridad.policy.agreement import Agreement
from paridad.workbench import accounts
from paridad.workbench.accounts import User
from paridad.workbench.views import schema_name_label

PAGE = 100  # audit entries per page
DETAILS_CHARS = 200  # a summary longer than this is cut; the entry's own page shows it all

MSG_MAY_NOT_AUDIT = N_("Only auditors, supervisors and administrators may read the audit log.")
MSG_NO_ENTRY = N_("There is no audit entry {index} in a log of {size} entries.")

# An agreement's state on the page; ``Agreement.status`` alone does not say it has expired.
STATE_LABELS: dict[str, str] = {
    "in-force": N_("In force"),
    "terminated": N_("Terminated"),
    "expired": N_("Expired"),
    "pending": N_("Not yet in force"),
}

Render = Callable[..., HTMLResponse]
Handler = Callable[[Request, User, Lang], Response]


@dataclass(frozen=True)
class FlowView:
    """One direction of an agreement, with schema and property names in the reader's
    language (the agreement itself holds only the model's codes)."""

    sender: str
    recipient: str
    schemata: list[tuple[str, list[str]]]
    handling: list[str]
    max_tlp: str
    retention_days: int


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    state: str
    terminated: str | None
    purposes: list[str]
    flows: list[FlowView]
    figures: Reciprocity | None


@dataclass(frozen=True)
class EntryRow:
    """An audit entry as listed: read from the raw row, so a damaged entry is still shown
    (an auditor must see the row the verification complains about)."""

    idx: int
    kind: str
    at: str
    actor: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Proof:
    """An entry's inclusion proof in the current tree and whether it holds."""

    index: int
    size: int
    leaf: str
    root: str
    path: list[str]
    verified: bool


def agreement_state(agreement: Agreement, terminated: str | None, today: date) -> str:
    """``terminated`` wins over the dates; then before, within or after the validity."""
    if terminated or agreement.status != "active":
        return "terminated"
    if today < agreement.valid_from:
        return "pending"
    if today > agreement.valid_until:
        return "expired"
    return "in-force"


def agreements_page(ex: Exchange, lang: Lang, today: date | None = None) -> list[AgreementView]:
    """Every installed agreement (newest version), with its partner's reciprocity figures."""
    today = today or date.today()
    purpose = vocabulary("purpose")
    figures = {f.agreement: f for f in reciprocity(ex)}
    views: list[AgreementView] = []
    for agreement, terminated in ex.agreements():
        flows = [
            FlowView(
                flow.sender,
                flow.recipient,
                [
                    (schema_name_label(name, lang), _property_labels(name, sorted(props), lang))
                    for name, props in sorted(flow.properties.items())
                ],
                sorted(flow.handling),
                flow.max_tlp,
                flow.retention_days,
            )
            for flow in agreement.flows
        ]
        views.append(
            AgreementView(
                agreement,
                agreement_state(agreement, terminated, today),
                terminated,
                [purpose.term(p).label(lang) if p in purpose else p for p in agreement.purposes],
                flows,
                figures.get(agreement.id),
            )
        )
    return views


def _property_labels(schema_name: str, names: list[str], lang: Lang) -> list[str]:
    schema = model.get(schema_name)
    if schema is None:
        return names
    out = []
    for name in names:
        prop = schema.get(name)
        out.append(property_label(prop, lang) if prop is not None else name)
    return out


def summarise(details: dict[str, Any], limit: int = DETAILS_CHARS) -> str:
    """``key: value`` pairs on one line, cut at ``limit`` characters for the list."""
    parts = []
    for key in sorted(details):
        value = details[key]
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {text}")
    line = "; ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _details(body: str) -> dict[str, Any]:
    try:
        details = json.loads(body).get("details")
    except (ValueError, AttributeError):
        return {}
    return details if isinstance(details, dict) else {}


def audit_entries(ex: Exchange, before: int | None, limit: int = PAGE) -> list[EntryRow]:
    """The ``limit`` newest entries with an index below ``before`` (all, if None), newest
    first: one indexed range read, however long the log."""
    bound = 2**62 if before is None else before
    rows = ex.db.query(
        "SELECT idx, kind, at, actor, body FROM audit_entries WHERE idx < ?"
        " ORDER BY idx DESC LIMIT ?",
        (bound, limit),
    )
    out = []
    for idx, kind, at, actor, body in rows:
        details = _details(str(body))
        out.append(EntryRow(int(idx), kind, at, actor, summarise(details), details))
    return out


def prove(log: AuditLog, entry: AuditEntry | None, index: int, size: int) -> Proof:
    """The proof of entry ``index`` in the tree of ``size``, checked as ``paridad audit prove``
    checks it: the leaf is hashed from the entry as re-derived, not taken from the stored
    leaf, so the proof of an edited entry fails instead of vouching for it."""
    try:
        path = log.inclusion(index, size)
        root = log.root(size)
    except AuditError:  # leaves missing: the log is damaged, there is no proof to show
        return Proof(index, size, "", "", [], False)
    leaf = merkle.leaf_hash(entry.body()) if entry is not None else b""
    verified = entry is not None and merkle.verify_inclusion(leaf, index, size, path, root)
    return Proof(index, size, leaf.hex(), root.hex(), [p.hex() for p in path], verified)


def verify(ex: Exchange) -> Report:
    """The whole check ``paridad audit verify`` runs: this node's log and signed heads with
    its own key, and the partners' heads with the keys registered for them."""
    keys = {name: p.verify_key for name, p in ex.partners().items()}
    return verify_node(ex.db, ex.node.identity().verify_key, keys)


def register_oversight_routes(
    app: FastAPI,
    *,
    render: Render,
    page: Callable[[Handler], Callable[[Request], Response]],
    ex: Exchange,
) -> None:
    """Add ``/agreements`` and ``/audit`` to the workbench with the app's own page renderer
    and session check, so these pages behave like every other: no session, back to sign-in."""

    def forbidden(request: Request, user: User, lang: Lang) -> HTMLResponse:
        message = translate(MSG_MAY_NOT_AUDIT, lang)
        return render(
            request, "error.html", lang, 403, user=user, title="Not allowed", message=message
        )

    def agreements_view(request: Request, user: User, lang: Lang) -> Response:
        return render(
            request,
            "agreements.html",
            lang,
            user=user,
            agreements=agreements_page(ex, lang),
            state_labels=STATE_LABELS,
            home=ex.name,
        )

    def show_log(
        request: Request, user: User, lang: Lang, report: Report | None = None
    ) -> Response:
        if not accounts.may_audit(user):
            return forbidden(request, user, lang)
        raw = request.query_params.get("before", "")
        before = int(raw) if raw.isdigit() else None
        entries = audit_entries(ex, before)
        log = AuditLog(ex.db)
        size, root = log.tree()
        head: SignedTreeHead | None = latest_head(ex.db)
        older = entries[-1].idx if len(entries) == PAGE and entries[-1].idx > 0 else None
        return render(
            request,
            "audit.html",
            lang,
            user=user,
            entries=entries,
            size=size,
            root=root.hex(),
            head=head,
            older=older,
            newer=before is not None,
            report=report,
            problems=report.lines(lang) if report is not None else [],
            summary=report.summary(lang) if report is not None else "",
        )

    def audit_view(request: Request, user: User, lang: Lang) -> Response:
        return show_log(request, user, lang)

    def verify_view(request: Request, user: User, lang: Lang) -> Response:
        if not accounts.may_audit(user):
            return forbidden(request, user, lang)
        return show_log(request, user, lang, verify(ex))

    app.add_api_route(
        "/agreements", page(agreements_view), methods=["GET"], response_class=HTMLResponse
    )
    app.add_api_route("/audit", page(audit_view), methods=["GET"], response_class=HTMLResponse)
    app.add_api_route(
        "/audit/verify", page(verify_view), methods=["POST"], response_class=HTMLResponse
    )

    @app.get("/audit/{index}", response_class=HTMLResponse)
    def audit_entry(index: int, request: Request) -> Response:
        def show(request: Request, user: User, lang: Lang) -> Response:
            if not accounts.may_audit(user):
                return forbidden(request, user, lang)
            log = AuditLog(ex.db)
            size = log.size()
            rows = audit_entries(ex, index + 1, limit=1) if 0 <= index < size else []
            if not rows or rows[0].idx != index:
                message = translate(MSG_NO_ENTRY, lang, index=index, size=size)
                return render(
                    request, "error.html", lang, 404, user=user, title="Not found", message=message
                )
            try:
                entry = log.entry(index)
            except AuditError:  # its stored body no longer parses: shown, and unprovable
                entry = None
            return render(
                request,
                "audit_entry.html",
                lang,
                user=user,
                row=rows[0],
                details=json.dumps(rows[0].details, ensure_ascii=False, indent=2, sort_keys=True),
                proof=prove(log, entry, index, size),
            )

        return page(show)(request)
