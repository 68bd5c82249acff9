"""Turning one source entity into a validated :class:`EntityRecord` with provenance.

Validation is strict on purpose: FtM would quietly drop a value it cannot clean (a date like
"31/31/2024"), and a quietly dropped value is lost evidence. Here any value that does not
clean, any unknown property and any code outside its vocabulary rejects the record, which
then goes to the quarantine with the reason.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import orjson
from followthemoney.property import Property
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from paridad.errors import InvalidMarkings, InvalidRecord
from paridad.i18n import N_
from paridad.model import model
from paridad.model.markings import Markings, parse_markings
from paridad.model.vocabularies import property_vocabularies
from paridad.store.base import EntityRecord, StatementRow, statement_key

MSG_NOT_OBJECT = N_("The record is not a JSON object.")
MSG_NO_ID = N_("The entity has no 'id'.")
MSG_ID_TOO_LONG = N_("The entity id is longer than {max} characters.")
MSG_NO_SCHEMA = N_("The entity has no 'schema'.")
MSG_UNKNOWN_SCHEMA = N_("Unknown schema '{schema}'.")
MSG_ABSTRACT_SCHEMA = N_("Schema '{schema}' is abstract; use a concrete schema.")
MSG_PROPERTIES = N_("'properties' must be an object mapping property names to lists of values.")
MSG_UNKNOWN_PROP = N_("Schema '{schema}' has no property '{prop}'.")
MSG_BAD_VALUE = N_("Value '{value}' is not a valid {type} for '{prop}'.")
MSG_NOT_IN_VOCAB = N_("Value '{value}' for '{prop}' is not one of: {allowed}.")
MSG_EMPTY = N_("The entity has no values.")
MSG_NO_MARKINGS = N_("The entity has no markings and the source gives no default markings.")
MSG_BAD_MARKINGS = N_("Invalid markings: {reason}")

MAX_ID = 200


@lru_cache(maxsize=200_000)
def _clean(qname: str, text: str) -> str:
    """Clean and check one value; sources repeat values (makes, dates, codes), so cache it."""
    prop = model.qnames[qname]
    cleaned = prop.type.clean(text)
    if cleaned is None:
        raise InvalidRecord(MSG_BAD_VALUE, value=text[:80], type=prop.type.name, prop=prop.name)
    vocab = property_vocabularies().get(prop.qname)
    if vocab is not None and cleaned not in vocab:
        raise InvalidRecord(
            MSG_NOT_IN_VOCAB, value=text[:80], prop=prop.name, allowed=", ".join(vocab.codes)
        )
    return cleaned


# Types whose cleaning leaves already-tidy text unchanged (FtM only sanitises them), and the
# quote characters FtM strips from the ends of names.
_PLAIN_TYPES = frozenset({"identifier", "string", "text", "name"})
_QUOTES = frozenset("\"'`´‘’“”«»")


def _is_tidy(text: str) -> bool:
    """True when FtM's cleaning of a plain-typed value would return it unchanged.

    Most values in a load are unique (names, serials), so the cache does not help them and
    FtM's general cleaning is the slowest step of an ingest; this check, pinned to FtM's
    behaviour by a property-based test, lets tidy values skip it.
    """
    return (
        text.isprintable()
        and text.strip() == text
        and "  " not in text
        and text[0] not in _QUOTES
        and text[-1] not in _QUOTES
        and unicodedata.is_normalized("NFC", text)
    )


def clean_value(schema: Schema, prop_name: str, value: Any) -> tuple[Property, str]:
    """Clean one value for ``schema:prop_name``; returns the property and the cleaned value."""
    prop = schema.properties.get(prop_name)
    if prop is None or prop.stub:
        raise InvalidRecord(MSG_UNKNOWN_PROP, schema=schema.name, prop=prop_name)
    if type(value) is not str:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise InvalidRecord(
                MSG_BAD_VALUE, value=str(value)[:80], type=prop.type.name, prop=prop.name
            )
        value = str(value)
    if (
        value
        and prop.type.name in _PLAIN_TYPES
        and prop.qname not in property_vocabularies()
        and _is_tidy(value)
    ):
        return prop, value
    return prop, _clean(prop.qname, value)


def resolve_schema(name: Any) -> Schema:
    if not name:
        raise InvalidRecord(MSG_NO_SCHEMA)
    schema = model.get(str(name))
    if schema is None:
        raise InvalidRecord(MSG_UNKNOWN_SCHEMA, schema=str(name)[:80])
    if schema.abstract:
        raise InvalidRecord(MSG_ABSTRACT_SCHEMA, schema=schema.name)
    return schema


@lru_cache(maxsize=4096)
def _parse_markings_json(raw: bytes) -> Markings:
    return parse_markings(orjson.loads(raw))


def resolve_markings(raw: Any, default: Markings | None) -> Markings:
    """Validated markings; a source repeats a handful of markings, so parse each one once."""
    if raw is None:
        if default is None:
            raise InvalidRecord(MSG_NO_MARKINGS)
        return default
    try:
        key = orjson.dumps(raw, option=orjson.OPT_SORT_KEYS)
        return _parse_markings_json(key)
    except InvalidMarkings as exc:
        raise InvalidRecord(MSG_BAD_MARKINGS, reason=exc) from None
    except TypeError:
        raise InvalidRecord(MSG_BAD_MARKINGS, reason=str(raw)[:80]) from None


def _record(
    entity_id: str,
    schema: Schema,
    values: list[tuple[Property, str]],
    markings: Markings,
    dataset: str,
    seen: str,
    origin: str,
) -> EntityRecord:
    if not values:
        raise InvalidRecord(MSG_EMPTY)
    name = schema.name
    rows: list[StatementRow] = [
        (
            statement_key(dataset, entity_id, prop.name, value),
            entity_id,
            name,
            prop.name,
            prop.type.name,
            value,
            None,
            None,
            dataset,
            origin,
            seen,
            seen,
        )
        for prop, value in values
    ]
    return EntityRecord(entity_id, name, _caption(schema, values), markings, rows)


def _caption(schema: Schema, values: list[tuple[Property, str]]) -> str:
    """The schema's first captioning property that has a value (FtM's caption, cheaply)."""
    for name in schema.caption:
        for prop, value in values:
            if prop.name == name:
                return value
    return schema.label


def entity_from_dict(
    data: Any,
    dataset: str,
    seen: str,
    origin: str,
    default_markings: Markings | None = None,
) -> EntityRecord:
    """Validate one FtM entity (``{"id", "schema", "properties", "markings"}``).

    Entity-typed values are ids, checked for form and not for existence: the entity they
    point to may arrive later in the same or in another source.
    """
    if not isinstance(data, Mapping):
        raise InvalidRecord(MSG_NOT_OBJECT)
    entity_id = data.get("id")
    if not entity_id or not isinstance(entity_id, str):
        raise InvalidRecord(MSG_NO_ID)
    if len(entity_id) > MAX_ID:
        raise InvalidRecord(MSG_ID_TOO_LONG, max=MAX_ID)
    schema = resolve_schema(data.get("schema"))
    props = data.get("properties", {})
    if not isinstance(props, Mapping):
        raise InvalidRecord(MSG_PROPERTIES)
    values: list[tuple[Property, str]] = []
    for prop_name, raw_values in props.items():
        items = raw_values if isinstance(raw_values, list) else [raw_values]
        for raw in items:
            if raw is None or raw == "":
                continue
            values.append(clean_value(schema, str(prop_name), raw))
    markings = resolve_markings(data.get("markings"), default_markings)
    return _record(entity_id, schema, values, markings, dataset, seen, origin)


def entity_from_proxy(
    proxy: EntityProxy, markings: Markings, dataset: str, seen: str, origin: str
) -> EntityRecord:
    """A record from an already-cleaned proxy (e.g. built by a mapping)."""
    values: list[tuple[Property, str]] = []
    for prop, value in proxy.itervalues():
        if not value.strip():
            continue
        vocab = property_vocabularies().get(prop.qname)
        if vocab is not None and value not in vocab:
            raise InvalidRecord(
                MSG_NOT_IN_VOCAB, value=value[:80], prop=prop.name, allowed=", ".join(vocab.codes)
            )
        values.append((prop, value))
    if proxy.id is None:
        raise InvalidRecord(MSG_NO_ID)
    return _record(proxy.id, proxy.schema, values, markings, dataset, seen, origin)
