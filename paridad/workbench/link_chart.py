"""The link chart: one entity's network, one hop at a time, through need-to-know.

Investigators read a network as things joined by relationships, so a relationship that FtM
models as an entity of its own (an ``Ownership``, a ``Payment``, a ``Family`` tie: the
schemata with an edge source and target) is drawn as one dated edge between its two ends,
labelled by its type. Every other entity-typed property (a passport's holder, an address) is
an undated edge labelled by the property. Each expansion reads a bounded number of links,
and every entity and relationship entity drawn passes :func:`paridad.workbench.views.visible`;
what the user may not see is counted, never named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from followthemoney.schema import Schema

from paridad.exchange.context import Exchange
from paridad.i18n import N_, Lang, translate
from paridad.model import model
from paridad.model.labels import property_label
from paridad.store.base import EntityRecord, Store
from paridad.store.database import Database
from paridad.workbench import assets
from paridad.workbench.accounts import User
from paridad.workbench.entity_access import Opened, Render, open_entity, record_view
from paridad.workbench.views import Meta, partner_ids, schema_name_label, visible

LINKS = 150  # links read each way in one expansion

# What the chart's script shows, translated on the server and handed to it as JSON.
SCRIPT_MESSAGES: tuple[str, ...] = (
    N_("Double-click an entity to expand its links."),
    N_("{count} links withheld (outside your need-to-know)."),
    N_("Open the entity page"),
    N_("No links to show."),
    N_("Could not load the links: {status}."),
)
MESSAGES: tuple[str, ...] = (
    N_("Link chart"),
    N_("Link chart of {caption}"),
    N_("Relationships"),
    N_("From date"),
    N_("To date"),
    N_("Undated links are always shown."),
    N_("Pin selected"),
    N_("Unpin all"),
    N_("Fit to screen"),
    N_("Export PNG"),
    N_("Export SVG"),
    N_("Node received from the partner"),
    N_("The chart's browser files are not installed on this node: {files}. Run make install."),
    *SCRIPT_MESSAGES,
)
_DATE_PROPS = ("startDate", "date", "endDate")


@dataclass(frozen=True)
class ChartNode:
    id: str
    caption: str
    schema: str
    schema_label: str
    handling: str
    origin_country: str
    partner: bool


@dataclass(frozen=True)
class ChartEdge:
    id: str
    source: str
    target: str
    kind: str  # the relationship schema or the property name: what the filter groups by
    label: str
    start: str = ""  # ISO date (or prefix) where the relationship has one
    end: str = ""


@dataclass
class Neighbourhood:
    center: str
    nodes: list[ChartNode] = field(default_factory=list)
    edges: list[ChartEdge] = field(default_factory=list)
    withheld: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "center": self.center,
            "nodes": [asdict(n) for n in self.nodes],
            "edges": [asdict(e) for e in self.edges],
            "withheld": self.withheld,
        }


def _edge_schema(name: str) -> Schema | None:
    schema = model.get(name)
    if schema is None or not schema.edge or not schema.edge_source or not schema.edge_target:
        return None
    return schema


def _label(schema_name: str, prop_name: str, lang: Lang) -> str:
    schema = model.get(schema_name)
    prop = schema.properties.get(prop_name) if schema is not None else None
    return property_label(prop, lang) if prop is not None else prop_name


def _relationship_rows(db: Database, ids: list[str]) -> dict[str, dict[str, list[str]]]:
    """The ends and dates of relationship entities, one bounded read."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = db.query(
        f"SELECT entity_id, prop, value FROM statements WHERE entity_id IN ({marks})"
        " AND (prop_type = 'entity' OR prop IN ('startDate', 'date', 'endDate'))",
        ids,
    )
    out: dict[str, dict[str, list[str]]] = {}
    for entity_id, prop, value in rows:
        out.setdefault(entity_id, {}).setdefault(prop, []).append(value)
    return out


def _dates(values: dict[str, list[str]]) -> tuple[str, str]:
    found = {p: min(values[p]) for p in _DATE_PROPS if values.get(p)}
    start = found.get("startDate") or found.get("date") or found.get("endDate") or ""
    end = found.get("endDate") or found.get("date") or start
    return start, end


def neighbourhood(
    record: EntityRecord, db: Database, user: User, lang: Lang, home_country: str
) -> Neighbourhood:
    """``record``'s one-hop network that ``user`` may see (``record`` itself is checked by
    the caller, as every page opening one entity does)."""
    out = Neighbourhood(center=record.id)
    center_is_edge = _edge_schema(record.schema) is not None
    # Relationship entities this one points to or is pointed at by, and plain links.
    plain: list[tuple[str, str, str, str]] = []  # (source, target, schema, prop)
    relations: dict[str, str] = {}  # relationship entity id -> its schema
    for row in record.rows:
        if row[4] == "entity" and len(plain) < LINKS:
            plain.append((record.id, row[5], record.schema, row[3]))
    incoming = db.query(
        "SELECT entity_id, schema, prop FROM statements WHERE prop_type = 'entity' AND value = ?"
        " LIMIT ?",
        (record.id, LINKS),
    )
    for source_id, source_schema, prop_name in incoming:
        edge = _edge_schema(source_schema)
        if edge is not None and prop_name in (edge.edge_source, edge.edge_target):
            relations[source_id] = source_schema
        else:
            plain.append((source_id, record.id, source_schema, prop_name))
    ends = _relationship_rows(db, list(relations))
    wanted = [record.id] + [i for s, t, _, _ in plain for i in (s, t)] + list(relations)
    for values in ends.values():
        wanted.extend(v for vs in values.values() for v in vs)
    allowed = visible(db, user, [w for w in wanted if w])
    shown: dict[str, Meta] = {record.id: allowed[record.id]} if record.id in allowed else {}
    withheld: set[str] = set()

    def keep(entity_id: str) -> bool:
        if entity_id in allowed:
            shown[entity_id] = allowed[entity_id]
            return True
        withheld.add(entity_id)
        return False

    for relation_id, relation_schema in relations.items():
        edge = _edge_schema(relation_schema)
        values = ends.get(relation_id, {})
        assert edge is not None
        sources = values.get(edge.edge_source or "", [])
        targets = values.get(edge.edge_target or "", [])
        if relation_id not in allowed:
            withheld.add(relation_id)
            continue
        start, end = _dates(values)
        for source in sources:
            for target in targets:
                if keep(source) and keep(target):
                    out.edges.append(
                        ChartEdge(
                            id=f"{relation_id}:{source}:{target}",
                            source=source,
                            target=target,
                            kind=relation_schema,
                            label=schema_name_label(relation_schema, lang),
                            start=start,
                            end=end,
                        )
                    )
    # A relationship opened on its own is a node; its links to its ends carry its dates.
    own: dict[str, list[str]] = {}
    for row in record.rows:
        own.setdefault(row[3], []).append(row[5])
    center_dates = _dates(own) if center_is_edge else ("", "")
    for source, target, schema_name, prop_name in plain:
        other = target if source == record.id else source
        if not keep(other):
            continue
        start, end = center_dates if source == record.id else ("", "")
        out.edges.append(
            ChartEdge(
                id=f"{source}:{prop_name}:{target}",
                source=source,
                target=target,
                kind=f"{schema_name}:{prop_name}",
                label=_label(schema_name, prop_name, lang),
                start=start,
                end=end,
            )
        )
    partners = partner_ids(db, list(shown))
    for meta in shown.values():
        out.nodes.append(
            ChartNode(
                id=meta.id,
                caption=meta.caption,
                schema=meta.schema,
                schema_label=schema_name_label(meta.schema, lang),
                handling=meta.markings.handling,
                origin_country=meta.markings.origin_country,
                partner=meta.id in partners or meta.markings.origin_country != home_country,
            )
        )
    out.withheld = len(withheld - set(shown))
    return out


Handler = Callable[[Request, User, Lang], Response]


def register_chart_routes(
    app: FastAPI,
    *,
    render: Render,
    page: Callable[[Handler], Callable[[Request], Response]],
    store: Callable[[], Store],
    ex: Exchange,
    home: str,
) -> None:
    """``GET /entity/{id}/chart`` (the page) and ``GET /entity/{id}/links.json`` (one
    expansion), both opened through :func:`open_entity` like every page about one entity:
    no session, sign-in; unknown, 404; outside need-to-know, 403; partner data, a receipt."""

    @app.get("/entity/{entity_id}/chart", response_class=HTMLResponse)
    def chart(entity_id: str, request: Request) -> Response:
        def show(request: Request, user: User, lang: Lang) -> Response:
            opened = open_entity(render, store, ex, request, user, lang, entity_id)
            if not isinstance(opened, Opened):
                return opened
            texts = {m: translate(m, lang) for m in SCRIPT_MESSAGES}
            return render(
                request,
                "chart.html",
                lang,
                user=user,
                record=opened.record,
                missing=assets.missing(assets.LINK_CHART),
                texts=texts,
            )

        return page(show)(request)

    @app.get("/entity/{entity_id}/links.json")
    def links(entity_id: str, request: Request) -> Response:
        def answer(request: Request, user: User, lang: Lang) -> Response:
            opened = open_entity(render, store, ex, request, user, lang, entity_id)
            if not isinstance(opened, Opened):
                return JSONResponse({"error": opened.status_code}, status_code=opened.status_code)
            view = neighbourhood(opened.record, ex.db, user, lang, home_country=home)
            if any(n.partner for n in view.nodes if n.id == entity_id):
                record_view(ex, user, opened)
            return JSONResponse(view.as_json())

        return page(answer)(request)
