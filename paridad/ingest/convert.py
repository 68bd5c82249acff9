"""Turning source records into entity records (or into the reason they cannot be).

Conversion runs in the ingesting thread while the store's writer thread writes the previous
batch. (Converting in worker processes was measured and rejected: on two cores the cost of
pickling the records back cancels the gain.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from paridad.errors import InvalidRecord
from paridad.ingest.mapping import TabularMapping
from paridad.ingest.records import (
    MSG_NO_MARKINGS,
    MSG_NOT_OBJECT,
    entity_from_dict,
    entity_from_proxy,
)
from paridad.ingest.sources import SourceRecord, parse_line
from paridad.model.markings import Markings
from paridad.store.base import EntityRecord


@dataclass
class Converted:
    line: int
    records: list[EntityRecord] = field(default_factory=list)
    error: InvalidRecord | None = None
    payload: dict[str, Any] | str = ""


@dataclass
class Converter:
    dataset: str
    seen: str
    origin: str
    mapping: TabularMapping | None
    markings: Markings | None

    def __call__(self, source: SourceRecord) -> Converted:
        if isinstance(source.data, bytes):
            source = parse_line(source)
        try:
            if source.error is not None:
                raise source.error
            return Converted(source.line, self._records(source))
        except InvalidRecord as exc:
            return Converted(source.line, error=exc, payload=_payload(source))

    def _records(self, source: SourceRecord) -> list[EntityRecord]:
        if self.mapping is None:
            return [
                entity_from_dict(source.data, self.dataset, self.seen, self.origin, self.markings)
            ]
        if not isinstance(source.data, dict):
            raise InvalidRecord(MSG_NOT_OBJECT)
        row = {str(k): (None if v is None else str(v)) for k, v in source.data.items()}
        row_markings = self.mapping.row_markings(row)
        if row_markings is None:
            raise InvalidRecord(MSG_NO_MARKINGS)
        return [
            entity_from_proxy(proxy, row_markings, self.dataset, self.seen, self.origin)
            for proxy in self.mapping.map(row)
        ]


def _payload(source: SourceRecord) -> dict[str, Any] | str:
    """The record exactly as it came, so an analyst can fix and re-submit it."""
    if isinstance(source.data, dict):
        return source.data
    if source.data is not None and not isinstance(source.data, bytes):
        return orjson.dumps(source.data).decode()
    return source.raw
