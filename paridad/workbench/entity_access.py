"""Opening one entity in the workbench: found, within need-to-know, and audited if it is
partner data. Every page about a single entity (its page, its timeline) goes through
:func:`open_entity`, so the 404, the 403 and the use receipt cannot differ between them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import Request
from fastapi.responses import HTMLResponse, Response

from paridad.exchange.context import Exchange
from paridad.exchange.workflows.receipts import record_use
from paridad.i18n import N_, Lang, translate
from paridad.store.base import EntityRecord, Store
from paridad.workbench import accounts
from paridad.workbench.accounts import User

MSG_FORBIDDEN = N_("You may not see this entity: it is outside your cases or handling level.")
MSG_NOT_FOUND = N_("No entity with id '{id}'.")


class Render(Protocol):
    """The app's page renderer (``create_workbench``'s ``render``)."""

    def __call__(
        self, request: Request, template: str, lang: Lang, status: int = 200, **ctx: Any
    ) -> HTMLResponse: ...


@dataclass(frozen=True)
class Opened:
    record: EntityRecord
    cases: list[str]  # the cases it was received under: its need-to-know cases here


def open_entity(
    render: Render,
    store: Callable[[], Store],
    ex: Exchange,
    request: Request,
    user: User,
    lang: Lang,
    entity_id: str,
) -> Opened | Response:
    """The entity ``user`` asks for, or the translated 404 or 403 page to answer instead."""
    record = store().get(entity_id)
    if record is None:
        message = translate(MSG_NOT_FOUND, lang, id=entity_id)
        return render(
            request, "error.html", lang, 404, user=user, title="Not found", message=message
        )
    cases = received_cases(ex, entity_id)
    if not accounts.may_view(user, record.markings, cases):
        message = translate(MSG_FORBIDDEN, lang)
        return render(
            request, "error.html", lang, 403, user=user, title="Not allowed", message=message
        )
    return Opened(record, cases)


def received_cases(ex: Exchange, entity_id: str) -> list[str]:
    """The cases partner data was received under: its need-to-know cases on this node."""
    return [
        r[0]
        for r in ex.db.query(
            "SELECT case_ref FROM received WHERE entity_id = ? AND case_ref IS NOT NULL",
            (entity_id,),
        )
    ]


def record_view(ex: Exchange, user: User, opened: Opened) -> None:
    """A view of partner data: an audit entry here and a use receipt to its originator."""
    entity_id = opened.record.id
    purposes = opened.record.markings.purpose
    rows = ex.db.query("SELECT purpose FROM received WHERE entity_id = ? LIMIT 1", (entity_id,))
    purpose = rows[0][0] if rows else (purposes[0] if purposes else "")
    record_use(
        ex,
        [entity_id],
        use="view",
        role=user.role,
        purpose=purpose,
        case=opened.cases[0] if opened.cases else None,
        actor=user.username,
    )
