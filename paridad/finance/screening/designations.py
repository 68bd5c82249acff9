"""A designation list read from FtM entities: who is listed, on which list and program.

OpenSanctions publishes OFAC's and other authorities' lists as FtM JSON lines: the listed
persons and companies, and ``Sanction`` entities that name the party (``entity``), the
authority, the program and the listing date. Both the flat export (one entity per line) and
the nested one (a party's sanctions embedded in its properties) are read. A line that is not
an entity is rejected with its number and reason; the rest of the list is kept.

A file can hold more than the listed parties (their associates, addresses, a node's whole
export): a party counts as designated when a ``Sanction`` names it, when OpenSanctions
marks it a target, or when its topics say "sanction". Only a file with none of those marks
(a plain list of names) has every party taken as listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from followthemoney import Dataset, StatementEntity, model
from nomenklatura.resolver import Linker
from nomenklatura.store import MemoryStore

from paridad.finance.inputs.errors import MSG_UNREADABLE, InvalidFinanceInput, RowError
from paridad.i18n import N_
from paridad.store.base import Store

# The parties a FIU screens: people and the companies and organisations they act through.
SCREENED_SCHEMATA = ("Person", "Company", "Organization", "LegalEntity")

MSG_NOT_JSON = N_("The line is not a JSON object: {reason}")
MSG_NOT_ENTITY = N_("The line is not an FtM entity (it needs an id and a known schema): {detail}")
MSG_NO_PARTIES = N_(
    "The designation list {path} names no person, company or organisation to screen against."
)


@dataclass(frozen=True)
class Designation:
    """Why a party is listed: the lists, authorities and programs that name it."""

    entity_id: str
    name: str
    schema: str
    lists: tuple[str, ...] = ()
    authorities: tuple[str, ...] = ()
    programs: tuple[str, ...] = ()
    listed: str | None = None

    def label(self) -> str:
        """ "Name (program; program)" for reasons and tables."""
        programs = "; ".join(self.programs or self.authorities or self.lists)
        return f"{self.name} ({programs})" if programs else self.name


@dataclass
class DesignationList:
    """The listed parties in a nomenklatura store, ready to index, and what lists them."""

    name: str
    store: MemoryStore[Dataset, StatementEntity]
    dataset: Dataset
    designations: dict[str, Designation] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.designations)

    @classmethod
    def read(cls, path: Path) -> DesignationList:
        """Read an FtM JSON lines file; a file that names no party is refused."""
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InvalidFinanceInput(MSG_UNREADABLE, path=str(path), reason=exc.strerror) from None
        rows, errors = _parse_lines(raw)
        listing = cls.from_entities(rows, name=path.stem)
        listing.errors = sorted(errors + listing.errors, key=lambda e: e.line)
        if not listing.designations:
            raise InvalidFinanceInput(MSG_NO_PARTIES, path=str(path))
        return listing

    @classmethod
    def from_entities(cls, rows: Iterable[Mapping[str, Any]], name: str) -> DesignationList:
        """Build the list from entity dicts (``line`` is the row's position, for errors)."""
        dataset = Dataset.make({"name": _slug(name), "title": name})
        store: MemoryStore[Dataset, StatementEntity] = MemoryStore(dataset, Linker({}))
        parties: dict[str, StatementEntity] = {}
        marked: set[str] = set()
        lists: dict[str, tuple[str, ...]] = {}
        sanctions: dict[str, list[StatementEntity]] = defaultdict(list)
        errors: list[RowError] = []
        for line, data in enumerate(_flatten(rows), start=1):
            entity = _entity(dataset, dict(data), line, errors)
            if entity is None:
                continue
            if entity.schema.name == "Sanction":
                for target in entity.get("entity"):
                    sanctions[target].append(entity)
            elif entity.schema.name in SCREENED_SCHEMATA:
                parties[str(entity.id)] = entity
                named = data.get("datasets")
                if isinstance(named, list) and named:
                    lists[str(entity.id)] = tuple(sorted(str(n) for n in named))
                if data.get("target") is True or "sanction" in entity.get("topics"):
                    marked.add(str(entity.id))
        marked |= set(sanctions) & set(parties)
        if marked:
            parties = {k: v for k, v in parties.items() if k in marked}
        listing = cls(name=name, store=store, dataset=dataset, errors=errors)
        with store.writer() as writer:
            for entity_id, entity in parties.items():
                writer.add_entity(entity)
                listing.designations[entity_id] = _designation(
                    entity, sanctions.get(entity_id, []), lists.get(entity_id, (name,))
                )
        return listing

    @classmethod
    def from_store(cls, store: Store, name: str) -> DesignationList:
        """The node's own designations: its ``Sanction`` entities and the parties they name
        (an FIU's node holds its country's list beside its payments)."""
        rows: list[dict[str, Any]] = []
        targets: set[str] = set()
        for record in store.iter_entities("Sanction"):
            data = record.to_proxy().to_dict()
            rows.append(data)
            targets.update(data.get("properties", {}).get("entity", []))
        for target in sorted(targets):
            found = store.get(target)
            if found is not None:
                rows.append(found.to_proxy().to_dict())
        return cls.from_entities(rows, name)


def read_entity_lines(path: Path) -> tuple[list[dict[str, Any]], list[RowError]]:
    """FtM JSON lines as dicts, with a reason for each line that is not JSON."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidFinanceInput(MSG_UNREADABLE, path=str(path), reason=exc.strerror) from None
    rows, errors = _parse_lines(raw)
    for row in rows:
        row.pop("_line", None)
    return rows, errors


def _slug(text: str) -> str:
    from normality import slugify

    return slugify(text, sep="_") or "designations"


def _parse_lines(raw: bytes) -> tuple[list[dict[str, Any]], list[RowError]]:
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            errors.append(RowError(number, "json", MSG_NOT_JSON, {"reason": str(exc)}))
            continue
        if not isinstance(data, dict):
            errors.append(RowError(number, "json", MSG_NOT_JSON, {"reason": type(data).__name__}))
            continue
        data["_line"] = number
        rows.append(data)
    return rows, errors


def _flatten(rows: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Entities embedded in properties (OpenSanctions' nested export) become their own rows;
    the property keeps the embedded entity's id."""
    for row in rows:
        data = dict(row)
        props = data.get("properties")
        if isinstance(props, dict):
            flat: dict[str, Any] = {}
            for prop, values in props.items():
                kept: list[Any] = []
                for value in values if isinstance(values, list) else [values]:
                    if isinstance(value, dict) and "schema" in value:
                        nested = dict(value)
                        nested.setdefault("_line", data.get("_line"))
                        nested_props = dict(nested.get("properties") or {})
                        # A sanction embedded in its party points back at the party.
                        if nested.get("schema") == "Sanction" and data.get("id"):
                            nested_props.setdefault("entity", [data["id"]])
                        nested["properties"] = nested_props
                        yield from _flatten([nested])
                        if nested.get("id"):
                            kept.append(nested["id"])
                    else:
                        kept.append(value)
                flat[prop] = kept
            data["properties"] = flat
        yield data


def _entity(
    dataset: Dataset, data: dict[str, Any], line: int, errors: list[RowError]
) -> StatementEntity | None:
    number = int(data.pop("_line", None) or line)
    schema = model.get(str(data.get("schema") or ""))
    if not data.get("id") or schema is None:
        detail = f"id={data.get('id')!r}, schema={data.get('schema')!r}"
        errors.append(RowError(number, "entity", MSG_NOT_ENTITY, {"detail": detail}))
        return None
    try:
        return StatementEntity.from_data(dataset, data)
    except Exception as exc:  # FtM refuses the entity's shape: say where and why
        errors.append(RowError(number, "entity", MSG_NOT_ENTITY, {"detail": str(exc)}))
        return None


def _designation(
    entity: StatementEntity, sanctions: list[StatementEntity], lists: tuple[str, ...]
) -> Designation:
    authorities = sorted({a for s in sanctions for a in s.get("authority")})
    programs = sorted({p for s in sanctions for p in s.get("program")})
    dates = sorted({d for s in sanctions for d in s.get("listingDate") + s.get("startDate")})
    return Designation(
        entity_id=str(entity.id),
        name=entity.caption,
        schema=entity.schema.name,
        lists=lists,
        authorities=tuple(authorities),
        programs=tuple(programs),
        listed=dates[0] if dates else None,
    )
