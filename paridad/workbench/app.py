"""The analysts' workbench: server-rendered, bilingual pages on each node.

One :func:`create_workbench` builds the app for one node directory. Pages are rendered on the
server with Jinja2 and one stylesheet served by the node itself: nothing is fetched from a
CDN, so the workbench works on a network with no way out. Every page but sign-in needs a
session; every entity listed, counted or opened passes need-to-know
(:func:`paridad.workbench.accounts.may_view`), and opening partner data leaves a ``view``
entry in the audit log and a use receipt for its originator.

Every string a template shows is a msgid in :data:`MESSAGES`, so the catalogue tools find
it and the completeness test holds the Spanish to it.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from datetime import date as _date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from paridad.exchange.context import Exchange, ExchangeError
from paridad.i18n import LANGS, N_, Lang, format_date, format_number, parse_lang, translate
from paridad.model.vocabularies import vocabulary
from paridad.node import Node
from paridad.store.base import Store
from paridad.workbench import accounts, border_map, inbox, link_chart, oversight
from paridad.workbench.accounts import User
from paridad.workbench.entity_access import (
    MSG_FORBIDDEN,
    Opened,
    open_entity,
    received_cases,
    record_view,
)
from paridad.workbench.timeline import register_timeline_routes
from paridad.workbench.views import Filters, entity_page, search_page

HERE = Path(__file__).parent
SESSION_COOKIE = "paridad_session"
LANG_COOKIE = "paridad_lang"

MSG_BAD_LOGIN = N_("Wrong user name or password.")
MSG_MAY_NOT_ACT = N_("Your role may not answer, approve or refuse partner requests.")
MSG_NO_ITEM = N_("There is no incoming {kind} '{id}' within your cases.")
MSG_CLOSED = N_("{kind} '{id}' is no longer open ({state}); nothing was changed.")

# Every msgid the templates show (they call ``t(...)`` with one of these).
MESSAGES: tuple[str, ...] = (
    N_("Paridad workbench"),
    N_("Sign in"),
    N_("Sign out"),
    N_("User name"),
    N_("Password"),
    N_("Search"),
    N_("Search the node's entities"),
    N_("Name or identifier"),
    N_("Name"),
    N_("Type"),
    N_("Origin"),
    N_("Handling code"),
    N_("Received from the partner"),
    N_("Partner"),
    N_("{count} results"),
    N_("Showing the first {count}."),
    N_("Only the best {count} matches were considered; refine the search."),
    N_("Nothing found."),
    N_("Filters"),
    N_("Remove filters"),
    N_("Country of origin"),
    N_("Property"),
    N_("Value"),
    N_("Dataset"),
    N_("First seen"),
    N_("Last seen"),
    N_("Markings"),
    N_("Originator"),
    N_("Values and provenance"),
    N_("Links"),
    N_("Entities it refers to"),
    N_("Entities that refer to it"),
    N_("None."),
    N_("{count} links withheld (outside your need-to-know)."),
    N_("Not allowed"),
    N_("Not found"),
    N_("Signed in as {name} ({role})"),
    N_("Language"),
    N_("Back to search"),
    N_("Retain until"),
    N_("Legal basis"),
    # the inbox
    N_("Inbox"),
    N_("Inbox ({count} open)"),
    N_("What partners sent and asked for"),
    N_("Open items waiting for an answer: {count}."),
    N_("Only the newest {count} of each kind are shown."),
    N_("Nothing has come in."),
    N_("Received"),
    N_("From"),
    N_("Case"),
    N_("Subject"),
    N_("Deadline"),
    N_("State"),
    N_("Actions"),
    N_("Overdue"),
    N_("Records: {count}"),
    N_("Entity ids to release"),
    N_("Note (optional)"),
    N_("Reason for refusal"),
    N_("Answer"),
    N_("Refuse"),
    N_("Approve"),
    N_("Grant"),
    N_("Already closed"),
    N_("Could not be done"),
    # timelines
    N_("Timeline"),
    N_("Timeline of {caption}"),
    N_("Back to the entity"),
    N_("Dated events of the case, of its entities and of the entities linked to this one."),
    N_("Dated events of this entity and of the entities linked to it."),
    N_("{count} events"),
    N_("Only the first {count} events are shown."),
    N_("Time axis"),
    N_("Month not recorded"),
    N_("Date"),
    N_("Event"),
    N_("No dated events."),
    N_("{count} related entities withheld (outside your need-to-know)."),
    # agreements and the audit log
    N_("Agreements"),
    N_("Agreements and reciprocity"),
    N_("Version {version}"),
    N_("Parties"),
    N_("Purposes"),
    N_("Valid"),
    N_("From {start} to {end}"),
    N_("Deadline for requests for information"),
    N_("{count} hours"),
    N_("Rate limit"),
    N_("{count} messages per minute"),
    N_("What may cross"),
    N_("To"),
    N_("Types and properties"),
    N_("Maximum TLP"),
    N_("Handling codes"),
    N_("Retention"),
    N_("{count} days"),
    N_("Reciprocity with {partner}"),
    N_("Sent"),
    N_("Records shared"),
    N_("Entities (sent, held from the partner)"),
    N_("Recalls"),
    N_("Requests for information"),
    N_("Answered within the deadline"),
    N_("Answered late"),
    N_("Median answer time (hours)"),
    N_("Use receipts received from the partner: {count}."),
    N_("No agreement is installed on this node."),
    N_("Audit log"),
    N_("Entries: {count}"),
    N_("Current root"),
    N_("Latest signed tree head: size {size}, signed {at}"),
    N_("This node has not signed a tree head yet."),
    N_("Verify"),
    N_("Time"),
    N_("Kind"),
    N_("Actor"),
    N_("Details"),
    N_("Newest entries"),
    N_("Older entries"),
    N_("The audit log has no such entries."),
    N_("Audit entry {index}"),
    N_("Inclusion proof"),
    N_("The proof verifies: this entry is in the log's tree of {size} entries, unchanged."),
    N_("The proof does not verify: the log is damaged. Run the verification."),
    N_("Tree size"),
    N_("Leaf hash"),
    N_("Root"),
    N_("Back to the audit log"),
    N_("Audit"),
    *link_chart.MESSAGES,
    *border_map.MESSAGES,
    *oversight.STATE_LABELS.values(),
    *inbox.KIND_LABELS.values(),
    *inbox.STATE_LABELS.values(),
    *inbox.USE_LABELS.values(),
    *inbox.DONE_MESSAGES.values(),
)


class _Stores:
    """One store per server thread: SQLite connections belong to the thread that opened
    them, and opening one per request would repeat its set-up on every page."""

    def __init__(self, node: Node) -> None:
        self._node = node
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self._node.open_store()
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                # Another thread's SQLite connection refuses to close here; the process ends.
                with suppress(Exception):
                    store.close()
            self._all.clear()


def request_lang(request: Request, default: Lang) -> Lang:
    """The cookie the switch sets, then the browser's ``Accept-Language``, then ``default``."""
    chosen = parse_lang(request.cookies.get(LANG_COOKIE))
    if chosen is not None:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        found = parse_lang(part.split(";")[0])
        if found is not None:
            return found
    return default


def _back(request: Request) -> str:
    """Where the language switch returns: the referring page of this site, else search."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/search"
    path = referer.path or "/search"
    if not path.startswith("/") or path.startswith("//") or path.startswith("/lang/"):
        return "/search"
    return path + (f"?{referer.query}" if referer.query else "")


def create_workbench(node_dir: Path) -> FastAPI:
    """The workbench of the node in ``node_dir``; its tables are created on first start."""
    node = Node.open(node_dir)
    ex = Exchange(node)
    accounts.ensure_tables(ex.db)
    stores = _Stores(node)
    home = node.config.country
    default_lang: Lang = "es" if home == "MX" else "en"
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    handling = vocabulary("handling")
    refusal = vocabulary("refusal")
    inbox.prepare(ex)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        stores.close()
        ex.close()

    app = FastAPI(title="Paridad workbench", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def render(
        request: Request, template: str, lang: Lang, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        def t(msgid: str, **params: object) -> str:
            return translate(msgid, lang, **params)

        def number(value: int) -> str:
            return format_number(value, lang)

        def link(**changes: str) -> str:
            params = {k: v for k, v in request.query_params.items() if v}
            params.update(changes)
            return "?" + urlencode({k: v for k, v in params.items() if v})

        def date(value: _date) -> str:
            return format_date(value, lang)

        def handling_label(code: str) -> str:
            return handling.term(code).label(lang) if code in handling else code

        def refusal_label(code: str) -> str:
            return refusal.term(code).label(lang) if code in refusal else code

        user = ctx.get("user")
        inbox_open = inbox.open_count(ex, user) if isinstance(user, User) else 0
        html = env.get_template(template).render(
            lang=lang,
            inbox_open=inbox_open,
            langs=LANGS,
            t=t,
            number=number,
            date=date,
            link=link,
            handling_label=handling_label,
            refusal_label=refusal_label,
            node_name=node.config.name,
            **ctx,
        )
        return HTMLResponse(html, status_code=status)

    def current_user(request: Request) -> User | None:
        token = request.cookies.get(SESSION_COOKIE)
        return accounts.session_user(ex.db, token) if token else None

    def page(
        handler: Callable[[Request, User, Lang], Response],
    ) -> Callable[[Request], Response]:
        """Every page but sign-in: no valid session, back to the sign-in page."""

        def wrapped(request: Request) -> Response:
            user = current_user(request)
            if user is None:
                return RedirectResponse("/login", status_code=303)
            return handler(request, user, request_lang(request, default_lang))

        return wrapped

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/search", status_code=303)

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return render(request, "login.html", request_lang(request, default_lang), user=None)

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        username = (form.get("username") or [""])[0].strip()
        password = (form.get("password") or [""])[0]
        source = request.client.host if request.client else ""
        user = accounts.authenticate(ex.db, username, password, source=source)
        lang = request_lang(request, default_lang)
        if user is None:
            return render(
                request,
                "login.html",
                lang,
                status=401,
                user=None,
                error=translate(MSG_BAD_LOGIN, lang),
                username=username,
            )
        token = accounts.open_session(ex.db, user)
        response = RedirectResponse("/search", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
        return response

    @app.post("/logout")
    def logout(request: Request) -> RedirectResponse:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            accounts.close_session(ex.db, token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/lang/{code}")
    def switch_lang(code: str, request: Request) -> RedirectResponse:
        lang = parse_lang(code) or default_lang
        response = RedirectResponse(_back(request), status_code=303)
        response.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True
        )
        return response

    def search(request: Request, user: User, lang: Lang) -> Response:
        q = request.query_params
        filters = Filters(
            schema=q.get("schema", ""), country=q.get("country", ""), handling=q.get("handling", "")
        )
        result = search_page(
            stores.get(), ex.db, user, q.get("q", ""), filters, lang, home_country=home
        )
        return render(request, "search.html", lang, user=user, page=result)

    app.add_api_route("/search", page(search), methods=["GET"], response_class=HTMLResponse)

    @app.get("/entity/{entity_id}", response_class=HTMLResponse)
    def entity(entity_id: str, request: Request) -> Response:
        def show(request: Request, user: User, lang: Lang) -> Response:
            opened = open_entity(render, stores.get, ex, request, user, lang, entity_id)
            if not isinstance(opened, Opened):
                return opened
            view = entity_page(opened.record, ex.db, user, lang, home_country=home)
            if view.partner:
                record_view(ex, user, opened)
            return render(request, "entity.html", lang, user=user, view=view)

        return page(show)(request)

    register_timeline_routes(app, render=render, page=page, store=stores.get, ex=ex, home=home)
    link_chart.register_chart_routes(
        app, render=render, page=page, store=stores.get, ex=ex, home=home
    )
    oversight.register_oversight_routes(app, render=render, page=page, ex=ex)
    border_map.register_map_routes(app, render=render, page=page, ex=ex)

    def inbox_view(request: Request, user: User, lang: Lang) -> Response:
        done = ""
        kind, action, item = (request.query_params.get(k, "") for k in ("kind", "done", "item"))
        if (kind, action) in inbox.DONE_MESSAGES:
            done = translate(inbox.DONE_MESSAGES[(kind, action)], lang, item=item)
        return render(
            request,
            "inbox.html",
            lang,
            user=user,
            page=inbox.inbox_page(ex, user),
            may_act=accounts.may_act(user),
            done=done,
            limit=inbox.LIMIT,
            kind_labels=inbox.KIND_LABELS,
            state_labels=inbox.STATE_LABELS,
            use_labels=inbox.USE_LABELS,
            refusal_codes=inbox.REFUSAL_CODES,
        )

    app.add_api_route("/inbox", page(inbox_view), methods=["GET"], response_class=HTMLResponse)

    @app.post("/inbox/{kind}/{item_id}/{action}")
    async def inbox_action(kind: str, item_id: str, action: str, request: Request) -> Response:
        """One action on one incoming request, through its workflow function; a user who may
        not act gets 403, an item no longer open 409, and nothing changes either way."""
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        user = current_user(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        lang = request_lang(request, default_lang)

        def refuse(status: int, title: str, message: str) -> HTMLResponse:
            return render(
                request, "error.html", lang, status, user=user, title=title, message=message
            )

        if not accounts.may_act(user):
            return refuse(403, "Not allowed", translate(MSG_MAY_NOT_ACT, lang))
        kind_label = translate(inbox.KIND_LABELS.get(kind, kind), lang)
        item = inbox.find_item(ex, user, kind, item_id)
        if item is None or action not in inbox.ACTIONS.get(kind, ()):
            message = translate(MSG_NO_ITEM, lang, kind=kind_label.lower(), id=item_id)
            return refuse(404, "Not found", message)
        if not item.open:
            state = translate(inbox.STATE_LABELS.get(item.state, item.state), lang)
            message = translate(MSG_CLOSED, lang, kind=kind_label, id=item_id, state=state)
            return refuse(409, "Already closed", message)

        def field(name: str) -> str:
            return (form.get(name) or [""])[0]

        entities = inbox.entity_list(field("entities"))
        for entity_id in entities:  # nobody releases what they may not see themselves
            record = stores.get().get(entity_id)
            if record is not None and not accounts.may_view(
                user, record.markings, received_cases(ex, entity_id)
            ):
                return refuse(403, "Not allowed", translate(MSG_FORBIDDEN, lang))
        try:
            inbox.act(
                ex,
                user,
                item,
                action,
                entities=entities,
                reason=field("reason"),
                note=field("note"),
            )
        except ExchangeError as error:
            return refuse(400, "Could not be done", error.localized(lang))
        query = urlencode({"kind": kind, "done": action, "item": item_id})
        return RedirectResponse(f"/inbox?{query}", status_code=303)

    return app
