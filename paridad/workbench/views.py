"""What the workbench's search and entity pages show, computed from the node's store.

The pages are thin; this module decides which entities a user may see (need-to-know is
checked on every entity listed, counted or opened, never only on the page the user asked
for) and keeps each page's work bounded: a search reads at most :data:`CANDIDATES` hits of
the store's own search and the entities' markings for those ids, never a whole table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from paridad.i18n import Lang, format_date
from paridad.model import model
from paridad.model.labels import property_label, schema_label, value_label
from paridad.model.markings import Markings
from paridad.store.base import EntityRecord, Store, markings_from_json
from paridad.store.database import Database
from paridad.workbench.accounts import User, may_view

CANDIDATES = 500  # hits read from the store's search before need-to-know and filters
PAGE = 50  # rows shown on one results page
LINKS = 100  # links shown each way on an entity page
_CHUNK = 500
PARTNER_PREFIX = "partner-"


@dataclass(frozen=True)
class Filters:
    schema: str = ""
    country: str = ""
    handling: str = ""

    def items(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class ResultRow:
    id: str
    caption: str
    schema: str
    schema_label: str
    origin_country: str
    handling: str
    partner: bool


@dataclass(frozen=True)
class Facet:
    key: str
    value: str
    label: str
    count: int


@dataclass
class SearchPage:
    query: str
    filters: Filters
    rows: list[ResultRow] = field(default_factory=list)
    total: int = 0
    truncated: bool = False
    facets: dict[str, list[Facet]] = field(default_factory=dict)


@dataclass(frozen=True)
class Meta:
    """What the pages need of an entity besides its statements: one row of ``entities``."""

    id: str
    schema: str
    caption: str
    markings: Markings


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def entity_meta(db: Database, ids: Sequence[str]) -> dict[str, Meta]:
    out: dict[str, Meta] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"SELECT id, schema, caption, markings FROM entities WHERE id IN ({marks})", chunk
        )
        for r in rows:
            out[r[0]] = Meta(r[0], r[1], r[2], markings_from_json(r[3]))
    return out


def entity_cases(db: Database, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The cases under which partner data arrived (the exchange ledger's ``case_ref``); a
    node's own entities carry no case yet."""
    out: dict[str, list[str]] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"SELECT entity_id, case_ref FROM received WHERE entity_id IN ({marks})"
            " AND case_ref IS NOT NULL",
            chunk,
        )
        for entity_id, case in rows:
            out.setdefault(entity_id, []).append(case)
    return {k: tuple(v) for k, v in out.items()}


def partner_ids(db: Database, ids: Sequence[str]) -> set[str]:
    """Entities holding values received from a partner (a ``partner-…`` dataset)."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(ids))):
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"SELECT DISTINCT entity_id FROM statements WHERE entity_id IN ({marks})"
            " AND dataset LIKE ?",
            [*chunk, PARTNER_PREFIX + "%"],
        )
        found.update(r[0] for r in rows)
    return found


def visible(db: Database, user: User, ids: Sequence[str]) -> dict[str, Meta]:
    """The entities among ``ids`` that ``user`` may see, with their markings."""
    metas = entity_meta(db, ids)
    cases = entity_cases(db, list(metas))
    return {i: meta for i, meta in metas.items() if may_view(user, meta.markings, cases.get(i, ()))}


def schema_name_label(name: str, lang: Lang) -> str:
    schema = model.get(name)
    return schema_label(schema, lang) if schema is not None else name


def search_page(
    store: Store,
    db: Database,
    user: User,
    query: str,
    filters: Filters,
    lang: Lang,
    home_country: str,
) -> SearchPage:
    page = SearchPage(query=query, filters=filters)
    if not query.strip():
        return page
    hits = store.search(query, schema=filters.schema or None, limit=CANDIDATES)
    page.truncated = len(hits) >= CANDIDATES
    allowed = visible(db, user, [h.id for h in hits])
    kept = [
        h
        for h in hits
        if h.id in allowed
        and (not filters.country or h.origin_country == filters.country)
        and (not filters.handling or h.handling == filters.handling)
    ]
    page.total = len(kept)
    shown = kept[:PAGE]
    from_partner = partner_ids(db, [h.id for h in shown])
    page.rows = [
        ResultRow(
            id=h.id,
            caption=h.caption,
            schema=h.schema,
            schema_label=schema_name_label(h.schema, lang),
            origin_country=h.origin_country,
            handling=h.handling,
            partner=h.id in from_partner or h.origin_country != home_country,
        )
        for h in shown
    ]
    by_schema = Counter(h.schema for h in kept)
    by_country = Counter(h.origin_country for h in kept)
    by_handling = Counter(h.handling for h in kept)
    page.facets = {
        "schema": [
            Facet("schema", k, schema_name_label(k, lang), n) for k, n in by_schema.most_common()
        ],
        "country": [Facet("country", k, k, n) for k, n in by_country.most_common()],
        "handling": [Facet("handling", k, k, n) for k, n in sorted(by_handling.items())],
    }
    return page


@dataclass(frozen=True)
class ValueRow:
    prop: str
    label: str
    value: str
    dataset: str
    origin: str
    first_seen: str
    last_seen: str
    partner: bool


@dataclass(frozen=True)
class LinkRow:
    prop_label: str
    id: str
    caption: str
    schema_label: str


@dataclass
class EntityPage:
    record: EntityRecord
    schema_label: str
    values: list[ValueRow]
    partner: bool
    outgoing: list[LinkRow]
    incoming: list[LinkRow]
    withheld: int
    datasets: list[str]


def _when(text: str, lang: Lang) -> str:
    if not text:
        return ""
    try:
        return format_date(datetime.fromisoformat(text), lang)
    except ValueError:
        return text


def entity_page(
    record: EntityRecord, db: Database, user: User, lang: Lang, home_country: str
) -> EntityPage:
    """Every value with its provenance, and the links the user may follow."""
    schema = model.get(record.schema)
    values: list[ValueRow] = []
    targets: list[tuple[str, str]] = []
    for row in sorted(record.rows, key=lambda r: (r[3], r[5])):
        prop = schema.properties.get(row[3]) if schema is not None else None
        if prop is not None and row[4] == "entity":
            targets.append((property_label(prop, lang), row[5]))
        values.append(
            ValueRow(
                prop=row[3],
                label=property_label(prop, lang) if prop is not None else row[3],
                value=value_label(prop, row[5], lang) if prop is not None else row[5],
                dataset=row[8],
                origin=row[9] or "",
                first_seen=_when(row[10], lang),
                last_seen=_when(row[11], lang),
                partner=row[8].startswith(PARTNER_PREFIX),
            )
        )
    # Entities pointing here: a bounded read of entity-typed statements naming this id.
    sources = db.query(
        "SELECT entity_id, schema, prop FROM statements WHERE prop_type = 'entity' AND value = ?"
        " LIMIT ?",
        (record.id, LINKS),
    )
    targets = targets[:LINKS]
    allowed = visible(db, user, [t for _, t in targets] + [s[0] for s in sources])
    outgoing = [
        LinkRow(label, t, allowed[t].caption, schema_name_label(allowed[t].schema, lang))
        for label, t in targets
        if t in allowed
    ]
    incoming: list[LinkRow] = []
    for source_id, source_schema, prop_name in sources:
        if source_id not in allowed:
            continue
        source = model.get(source_schema)
        prop = source.properties.get(prop_name) if source is not None else None
        incoming.append(
            LinkRow(
                property_label(prop, lang) if prop is not None else prop_name,
                source_id,
                allowed[source_id].caption,
                schema_name_label(allowed[source_id].schema, lang),
            )
        )
    datasets = sorted({v.dataset for v in values})
    return EntityPage(
        record=record,
        schema_label=schema_name_label(record.schema, lang),
        values=values,
        partner=record.markings.origin_country != home_country
        or any(d.startswith(PARTNER_PREFIX) for d in datasets),
        outgoing=outgoing,
        incoming=incoming,
        withheld=len(targets) + len(sources) - len(outgoing) - len(incoming),
        datasets=datasets,
    )
