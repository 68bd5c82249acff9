"""The store interface: one node's entities, statements, search index and quarantine.

Two backends implement it (SQLite, the embedded default, and PostgreSQL at scale) and one
behavioural test suite runs against both. Writers are transactional: everything written
through one :meth:`Store.writer` is committed together or not at all, which is what lets an
interrupted ingest leave the store exactly as it was.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import TracebackType
from typing import Any

import orjson
from followthemoney.proxy import EntityProxy
from followthemoney.statement import Statement

from paridad.model import model
from paridad.model.markings import Markings, parse_markings

SCHEMA_VERSION = 1


# One statement as a row: (id, entity_id, schema, prop, prop_type, value, original_value,
# lang, dataset, origin, first_seen, last_seen) — FtM's statement table, column for column.
StatementRow = tuple[
    str, str, str, str, str, str, str | None, str | None, str, str | None, str, str
]


def statement_key(dataset: str, entity_id: str, prop: str, value: str) -> str:
    """FtM's statement id (``Statement.make_key`` without language or external flag).

    Inlined because ingest computes it for every value; a test pins it to FtM's function.
    """
    return hashlib.sha1(f"{dataset}.{entity_id}.{prop}.{value}".encode()).hexdigest()


@dataclass
class EntityRecord:
    """One entity with its statements (as rows) and its markings.

    Statements are kept as plain rows because a bulk load creates hundreds of thousands of
    them; :attr:`statements` gives FtM ``Statement`` objects when a caller wants them.
    """

    id: str
    schema: str
    caption: str
    markings: Markings
    rows: list[StatementRow]

    @property
    def statements(self) -> list[Statement]:
        return [statement_from_row(row) for row in self.rows]

    def prop_values(self) -> Iterator[tuple[str, str]]:
        """(property, value) of every statement: all the release gate reads of them."""
        return ((row[3], row[5]) for row in self.rows)

    def to_proxy(self) -> EntityProxy:
        proxy = model.make_entity(self.schema)
        proxy.id = self.id
        for row in self.rows:
            prop = proxy.schema.properties.get(row[3])
            if prop is not None:
                proxy.unsafe_add(prop, row[5], cleaned=True)
        return proxy

    def to_dict(self) -> dict[str, Any]:
        data = self.to_proxy().to_dict()
        data["caption"] = self.caption
        data["markings"] = self.markings.to_dict()
        return data


@dataclass(frozen=True)
class SearchHit:
    id: str
    schema: str
    caption: str
    score: float
    origin_country: str
    handling: str


@dataclass
class QuarantinedRecord:
    """A source record that could not be loaded, kept with its reason so nothing is lost."""

    dataset: str
    source: str
    line: int
    record: dict[str, Any] | str
    msgid: str
    params: dict[str, str] = field(default_factory=dict)
    created_at: str = ""

    @property
    def key(self) -> str:
        raw = f"{self.dataset}\x00{self.source}\x00{self.line}".encode()
        return hashlib.sha1(raw).hexdigest()


@dataclass
class IngestRun:
    """What one ingest of one source did; a finished run is never repeated by accident."""

    dataset: str
    source: str
    digest: str
    started_at: str
    finished_at: str = ""
    entities: int = 0
    statements: int = 0
    quarantined: int = 0

    @property
    def key(self) -> str:
        return hashlib.sha1(f"{self.dataset}\x00{self.digest}".encode()).hexdigest()


@lru_cache(maxsize=4096)
def markings_json(markings: Markings) -> str:
    """Markings as stored; a load repeats a few markings many times, so serialise each once."""
    return orjson.dumps(markings.to_dict()).decode()


@lru_cache(maxsize=4096)
def markings_from_json(raw: str | bytes) -> Markings:
    """Stored markings; a store holds a few distinct ones, each parsed and validated once
    (:class:`Markings` is immutable, so sharing one instance is safe)."""
    return parse_markings(orjson.loads(raw))


STATEMENT_COLUMNS = (
    "id, entity_id, schema, prop, prop_type, value, original_value, lang, dataset, origin,"
    " first_seen, last_seen"
)


def statement_from_row(row: Sequence[Any]) -> Statement:
    """Rebuild an FtM statement from a row selected with :data:`STATEMENT_COLUMNS`."""
    sid, entity_id, schema, prop, _type, value, original, lang, dataset, origin, first, last = row
    return Statement(
        entity_id=entity_id,
        prop=prop,
        schema=schema,
        value=value,
        dataset=dataset,
        lang=lang,
        original_value=original,
        first_seen=first or None,
        last_seen=last or None,
        id=sid,
        canonical_id=entity_id,
        origin=origin,
    )


def merge_schema(a: str, b: str) -> str:
    """The most specific schema both records can be (Person + LegalEntity gives Person)."""
    if a == b:
        return a
    return model.common_schema(a, b).name


class Writer(ABC):
    """Adds entities and quarantined records inside one transaction."""

    @abstractmethod
    def put(self, record: EntityRecord) -> None: ...

    @abstractmethod
    def quarantine(self, record: QuarantinedRecord) -> None: ...

    @abstractmethod
    def finish_run(self, run: IngestRun) -> None: ...

    @abstractmethod
    def commit(self) -> None: ...

    @abstractmethod
    def rollback(self) -> None: ...

    def __enter__(self) -> Writer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.rollback()


class Store(ABC):
    """A node's store. Open one with :func:`paridad.store.open_store`."""

    backend: str = "abstract"

    @abstractmethod
    def writer(self) -> Writer: ...

    @abstractmethod
    def get(self, entity_id: str) -> EntityRecord | None: ...

    @abstractmethod
    def iter_entities(self, schema: str | None = None) -> Iterator[EntityRecord]: ...

    @abstractmethod
    def search(self, query: str, schema: str | None = None, limit: int = 20) -> list[SearchHit]: ...

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Entities per schema."""

    @abstractmethod
    def statement_count(self) -> int: ...

    @abstractmethod
    def quarantined(self, dataset: str | None = None) -> list[QuarantinedRecord]: ...

    @abstractmethod
    def find_run(self, dataset: str, digest: str) -> IngestRun | None: ...

    @abstractmethod
    def runs(self) -> list[IngestRun]: ...

    @abstractmethod
    def check(self) -> list[str]:
        """Integrity problems found (empty when the store is consistent)."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def entity_count(self) -> int:
        return sum(self.counts().values())

    def put_all(self, records: Iterable[EntityRecord]) -> None:
        with self.writer() as writer:
            for record in records:
                writer.put(record)
