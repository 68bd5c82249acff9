"""Mapping files: how the rows of a CSV (or JSON Lines records) become entities.

The ``entities:`` section is FollowTheMoney's own mapping language (keys, column, entity,
literal, format, join…), so mappings written for Aleph work here. Paridad adds what a
sovereign node needs: the source name for provenance and the markings every entity from the
source carries, optionally overridden per row from named columns.

.. code-block:: yaml

    dataset: us-atf-acquisitions
    format: csv
    markings: {origin_country: US, origin_agency: ATF, handling: H1, ...}
    markings_columns: {handling: handling_code}
    entities:
      purchaser: {schema: Person, keys: [purchaser_id], properties: {name: {column: name}}}
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from followthemoney.exc import FollowTheMoneyException
from followthemoney.mapping.entity import EntityMapping
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from paridad.errors import InvalidMapping, InvalidMarkings, InvalidRecord
from paridad.i18n import N_
from paridad.model import model
from paridad.model.markings import FIELDS, Markings, parse_markings

MSG_UNREADABLE = N_("Cannot read mapping file {path}: {reason}")
MSG_NOT_MAPPING = N_("Mapping file {path} must be a YAML object.")
MSG_NO_DATASET = N_("Mapping file {path} must name its 'dataset' (a short source name).")
MSG_BAD_FORMAT = N_("Mapping file {path}: format '{format}' is not one of: csv, jsonl.")
MSG_BAD_ENTITIES = N_("Mapping file {path}: {reason}")
MSG_BAD_MARKINGS = N_("Mapping file {path}: {reason}")
MSG_MARKINGS_COLUMN = N_("Mapping file {path}: markings_columns names unknown field '{field}'.")
MSG_MISSING_COLUMNS = N_("The source lacks columns the mapping needs: {columns}.")
MSG_NO_ENTITY = N_("The row produced no entity (the key columns are empty).")
MSG_DISCARDED = N_("Value '{value}' in column '{column}' is not a valid {type} for '{prop}'.")
MSG_ROW_MARKINGS = N_("Invalid markings in this row: {reason}")
FORMATS = ("csv", "jsonl")


class _Query:
    """What FtM's EntityMapping expects of its parent: the list of sibling mappings."""

    def __init__(self) -> None:
        self.entities: list[EntityMapping] = []


class TabularMapping:
    """A parsed, checked mapping file. Use :meth:`map` on each source record."""

    def __init__(self, config: Mapping[str, Any], path: str = "<mapping>") -> None:
        if not isinstance(config, Mapping):
            raise InvalidMapping(MSG_NOT_MAPPING, path=path)
        self.path = path
        dataset = config.get("dataset")
        if not dataset or not isinstance(dataset, str):
            raise InvalidMapping(MSG_NO_DATASET, path=path)
        self.dataset: str = dataset
        self.format = str(config.get("format", "csv"))
        if self.format not in FORMATS:
            raise InvalidMapping(MSG_BAD_FORMAT, path=path, format=self.format)
        self.markings: Markings | None = None
        if config.get("markings") is not None:
            try:
                self.markings = parse_markings(config["markings"])
            except InvalidMarkings as exc:
                raise InvalidMapping(MSG_BAD_MARKINGS, path=path, reason=exc) from None
        self.markings_columns: dict[str, str] = dict(config.get("markings_columns") or {})
        for field in self.markings_columns:
            if field not in FIELDS:
                raise InvalidMapping(MSG_MARKINGS_COLUMN, path=path, field=field)
        query = _Query()
        try:
            for name, spec in (config.get("entities") or {}).items():
                query.entities.append(
                    EntityMapping(model, query, str(name), dict(spec), key_prefix=self.dataset)  # type: ignore[arg-type]
                )
            if not query.entities:
                raise FollowTheMoneyException("No entity mappings are defined.")
            for entity in query.entities:
                entity.bind()
        except (FollowTheMoneyException, TypeError, ValueError, AttributeError) as exc:
            raise InvalidMapping(MSG_BAD_ENTITIES, path=path, reason=str(exc)) from None
        self.entities = _ordered(query.entities, path)
        self.columns = sorted(
            {ref for e in self.entities for ref in e.refs} | set(self.markings_columns.values())
        )

    @classmethod
    def load(cls, path: Path) -> TabularMapping:
        try:
            with path.open(encoding="utf-8") as fh:
                config = yaml.safe_load(fh)
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
            raise InvalidMapping(MSG_UNREADABLE, path=str(path), reason=str(exc)) from None
        return cls(config, str(path))

    def check_columns(self, header: list[str]) -> None:
        """Refuse a source whose header lacks columns the mapping uses (before loading any)."""
        missing = [c for c in self.columns if c not in header]
        if missing:
            raise InvalidMapping(MSG_MISSING_COLUMNS, columns=", ".join(missing))

    def row_markings(self, record: Mapping[str, str | None]) -> Markings | None:
        if not self.markings_columns:
            return self.markings
        raw: dict[str, Any] = self.markings.to_dict() if self.markings else {}
        for field, column in self.markings_columns.items():
            value = record.get(column)
            if value not in (None, ""):
                raw[field] = value
        try:
            return parse_markings(raw)
        except InvalidMarkings as exc:
            raise InvalidRecord(MSG_ROW_MARKINGS, reason=exc) from None

    def map(self, record: Mapping[str, str | None]) -> list[EntityProxy]:
        """The entities one record produces; any value that does not clean rejects the row."""
        done: dict[str, EntityProxy] = {}
        out: list[EntityProxy] = []
        for entity in self.entities:
            proxy = model.make_entity(entity.schema)
            # Countries first: FtM's phone and address cleaning uses the entity's country.
            props = sorted(entity.properties, key=lambda p: p.prop.type != registry.country)
            for prop in props:
                discarded = [
                    v
                    for v in prop.map(proxy, record, done)  # type: ignore[arg-type]
                    if v and v.strip()
                ]
                if discarded:
                    column = ", ".join(prop.refs) or "-"
                    raise InvalidRecord(
                        MSG_DISCARDED,
                        value=discarded[0][:80],
                        column=column,
                        type=prop.prop.type.name,
                        prop=prop.prop.name,
                    )
            proxy.id = entity.compute_key(record)  # type: ignore[arg-type]
            if not proxy.id:
                # Empty key or id column: this row has no such entity (FtM's rule, and an
                # empty id_column counts as empty too).
                continue
            if any(p.required and not proxy.has(p.prop) for p in entity.properties):
                continue
            done[entity.name] = proxy
            out.append(proxy)
        if not out:
            raise InvalidRecord(MSG_NO_ENTITY)
        return out


def _ordered(entities: list[EntityMapping], path: str) -> list[EntityMapping]:
    """Order mappings so an entity is built before the ones that refer to it."""
    pending = list(entities)
    ordered: list[EntityMapping] = []
    resolved: set[str] = set()
    while pending:
        ready = [e for e in pending if e.dependencies <= resolved]
        if not ready:
            raise InvalidMapping(MSG_BAD_ENTITIES, path=path, reason="circular entity dependency")
        for entity in ready:
            ordered.append(entity)
            resolved.add(entity.name)
            pending.remove(entity)
    return ordered
