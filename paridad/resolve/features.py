"""Turning stored entities into the flat rows Splink compares.

Splink compares columns, not FtM entities, so each entity of a schema being resolved becomes
one row of *features*: normalised forms chosen so that the ways one person's or company's
record drifts between agencies end up equal or close. Names are folded by
:mod:`paridad.model.normalize` (accents, case, particles), given names are mapped to a
canonical form (Chuy and Jesse are Jesús; Joseph and Pepe are José: ``data/given_names.yaml``),
surnames also get a sound key (Hernández and Hernandes agree), company names lose their legal
form (``data/legal_forms.yaml``), identifiers lose their punctuation, and addresses become the
numbers and words they contain. An entity whose record has no name yields no row: there is
nothing to resolve it on.

The rows are plain dicts with the columns listed in :data:`PERSON_COLUMNS` and
:data:`ORGANIZATION_COLUMNS`; a list column is ``None`` when empty, because Splink treats a
missing value as "no evidence" but an empty list as a disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from followthemoney.types import registry

from paridad.model import model
from paridad.model.normalize import PARTICLES, fold, identifier_key
from paridad.store.database import Database

DATA_DIR = Path(__file__).parent / "data"

# Column name -> kind ("text" or "list"); the Splink model builds its table schema from these.
PERSON_COLUMNS: dict[str, str] = {
    "unique_id": "text",
    "name": "text",
    "name_sorted": "text",
    "given": "text",
    "name_keys": "list",
    "surname_keys": "list",
    "birth_date": "text",
    "birth_year": "text",
    "identifiers": "list",
    "curp": "text",
    "nationality": "text",
    "gender": "text",
    "address_numbers": "list",
    "address_words": "list",
}
ORGANIZATION_COLUMNS: dict[str, str] = {
    "unique_id": "text",
    "name": "text",
    "name_sorted": "text",
    "first_word": "text",
    "name_keys": "list",
    "identifiers": "list",
    "jurisdiction": "text",
    "address_numbers": "list",
    "address_words": "list",
}

CURP = re.compile(r"^[A-Z]{4}\d{6}[HMX][A-Z]{5}[A-Z0-9]\d$")
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Identifiers shorter than this are codes (a state, a type), not something that names one entity.
MIN_IDENTIFIER = 5
# Words every address has; they say nothing about which address it is.
ADDRESS_STOPWORDS = frozenset(
    {
        "calle",
        "col",
        "colonia",
        "avenida",
        "av",
        "ave",
        "avenue",
        "blvd",
        "boulevard",
        "street",
        "st",
        "road",
        "rd",
        "drive",
        "dr",
        "lane",
        "ln",
        "cp",
        "no",
        "num",
        "numero",
        "int",
        "ext",
        "apt",
        "suite",
        "ste",
        "fracc",
        "fraccionamiento",
        "carretera",
        "km",
        "the",
    }
)
ORGANIZATION_STOPWORDS = frozenset({"the"})


@dataclass(frozen=True)
class Facts:
    """One stored entity as resolution sees it: id, schema and its values per property."""

    id: str
    schema: str
    values: dict[str, list[str]] = field(default_factory=dict)

    def get(self, prop: str) -> list[str]:
        return self.values.get(prop, [])


def read_facts(db: Database, schemata: Sequence[str]) -> list[Facts]:
    """Every entity of ``schemata`` with its values, read in one pass over the store.

    Reads only: resolution never writes to the entity tables (its judgements live apart).
    """
    if not schemata:
        return []
    marks = ",".join("?" * len(schemata))
    rows = db.query(
        "SELECT e.id, e.schema, s.prop, s.value FROM entities e"
        " JOIN statements s ON s.entity_id = e.id"
        f" WHERE e.schema IN ({marks}) ORDER BY e.id, s.prop, s.value",
        list(schemata),
    )
    out: list[Facts] = []
    current: Facts | None = None
    for entity_id, schema, prop, value in rows:
        if current is None or current.id != entity_id:
            current = Facts(str(entity_id), str(schema))
            out.append(current)
        values = current.values.setdefault(str(prop), [])
        if value not in values:
            values.append(str(value))
    return out


# --- names ---------------------------------------------------------------------------------
@cache
def given_name_variants() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Folded variant -> the canonical names it may stand for (each a tuple of tokens)."""
    with (DATA_DIR / "given_names.yaml").open(encoding="utf-8") as fh:
        data: dict[str, list[str]] = yaml.safe_load(fh)
    out: dict[str, set[tuple[str, ...]]] = {}
    for canonical, variants in data.items():
        target = tuple(fold(canonical).split())
        for variant in variants:
            out.setdefault(fold(str(variant)), set()).add(target)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def canonical_tokens(token: str) -> tuple[tuple[str, ...], ...]:
    """The canonical names a folded token may be (itself when it is no known variant)."""
    return given_name_variants().get(token, ((token,),))


def name_words(text: str) -> list[str]:
    """Folded words of a name without particles; given-name variants made canonical where
    the variant is unambiguous (Chuy -> jesus; Beto, which may be three names, stays)."""
    out: list[str] = []
    for token in fold(text).split():
        if token in PARTICLES:
            continue
        options = canonical_tokens(token)
        out.extend(options[0] if len(options) == 1 else (token,))
    return out


def merged_particles(text: str) -> list[str]:
    """Surnames with their particles written as one word ("de los Santos" -> "delossantos"),
    as US records often store them."""
    out: list[str] = []
    run: list[str] = []
    for token in fold(text).split():
        if token in PARTICLES:
            run.append(token)
            continue
        if run:
            out.append("".join(run) + token)
            run = []
    return out


def name_keys(texts: Iterable[str]) -> list[str]:
    """Every word of every name, with every canonical name an ambiguous variant may be and
    every particle-merged surname."""
    keys: set[str] = set()
    for text in texts:
        for token in fold(text).split():
            if token in PARTICLES:
                continue
            keys.add(token)
            for option in canonical_tokens(token):
                keys.update(option)
        keys.update(merged_particles(text))
    return sorted(keys)


def sound_key(token: str) -> str:
    """A coarse sound key for a folded word, for the spellings clerks on either side use.

    -ez/-es, s/z, b/v, ll/y, silent h, x/j, c/k/qu: "hernandez", "hernandes" and "ernandez"
    share a key. Only the first letter keeps its vowel, so the key survives most vowel slips.
    """
    t = token
    for a, b in (
        ("ch", "1"),
        ("sh", "1"),
        ("ll", "y"),
        ("qu", "k"),
        ("ph", "f"),
        ("gue", "ge"),
        ("gui", "gi"),
        ("ce", "se"),
        ("ci", "si"),
        ("h", ""),
        ("c", "k"),
        ("z", "s"),
        ("v", "b"),
        ("x", "j"),
    ):
        t = t.replace(a, b)
    if not t:
        return ""
    out = t[0]
    for ch in t[1:]:
        if ch in "aeiouy" or ch == out[-1]:
            continue
        out += ch
    return out


def _primary(names: Sequence[str]) -> str:
    """The fullest of an entity's names (most words, then alphabetical: deterministic)."""
    return max(names, key=lambda n: (len(fold(n).split()), n))


def _joined(words: Sequence[str]) -> str | None:
    return " ".join(words) or None


def _or_none(values: Iterable[str]) -> list[str] | None:
    out = sorted(set(values))
    return out or None


# --- identifiers, dates, addresses ---------------------------------------------------------
@cache
def _identifier_props(schema: str) -> tuple[str, ...]:
    return tuple(
        sorted(
            name
            for name, prop in model.get(schema).properties.items()  # type: ignore[union-attr]
            if prop.type == registry.identifier
        )
    )


def identifiers(facts: Facts) -> list[str]:
    keys = {
        identifier_key(value)
        for prop in _identifier_props(facts.schema)
        for value in facts.get(prop)
    }
    return sorted(k for k in keys if len(k) >= MIN_IDENTIFIER)


def address_parts(addresses: Iterable[str]) -> tuple[list[str] | None, list[str] | None]:
    """(numbers, words) of the addresses: house numbers and postal codes say most."""
    numbers: set[str] = set()
    words: set[str] = set()
    for address in addresses:
        for token in fold(address).split():
            if any(c.isdigit() for c in token):
                numbers.add(token)
            elif len(token) >= 3 and token not in ADDRESS_STOPWORDS and token not in PARTICLES:
                words.add(token)
    return _or_none(numbers), _or_none(words)


def _first(values: Sequence[str]) -> str | None:
    return sorted(values)[0] if values else None


# --- persons -------------------------------------------------------------------------------
def person_row(facts: Facts) -> dict[str, Any] | None:
    """The features of a person, or None when the record has no name."""
    first, middle, last = facts.get("firstName"), facts.get("middleName"), facts.get("lastName")
    names = list(facts.get("name"))
    if not names and (first or last):
        names = [" ".join(p[0] for p in (first, middle, last) if p)]
    if not names:
        return None
    words = name_words(_primary(names))
    if not words:
        return None
    given_words = name_words(sorted(first)[0]) if first else words[:1]
    if last:
        surnames = [w for text in last for w in (*name_words(text), *merged_particles(text))]
    else:
        surnames = [*words[1:], *merged_particles(_primary(names))]
    dates = sorted(d for d in facts.get("birthDate") if FULL_DATE.match(d))
    years = sorted(d[:4] for d in facts.get("birthDate") if d[:4].isdigit())
    ids = identifiers(facts)
    numbers, address_words = address_parts(facts.get("address"))
    genders = facts.get("gender")
    return {
        "unique_id": facts.id,
        "name": _joined(words),
        "name_sorted": _joined(sorted(words)),
        "given": given_words[0] if given_words else None,
        "name_keys": _or_none(name_keys([*names, *first, *middle, *last])),
        "surname_keys": _or_none(k for k in map(sound_key, surnames) if k),
        "birth_date": dates[0] if dates else None,
        "birth_year": years[0] if years else None,
        "identifiers": ids or None,
        "curp": next((i for i in ids if CURP.match(i)), None),
        "nationality": ",".join(sorted(set(facts.get("nationality")))) or None,
        "gender": _first(genders),
        "address_numbers": numbers,
        "address_words": address_words,
    }


# --- organizations -------------------------------------------------------------------------
def _compact(tokens: Sequence[str]) -> list[str]:
    """Join runs of single letters ("s a de c v" -> "sa de cv"), as registries abbreviate."""
    out: list[str] = []
    run = ""
    for token in tokens:
        if len(token) == 1:
            run += token
            continue
        if run:
            out.append(run)
            run = ""
        out.append(token)
    if run:
        out.append(run)
    return out


@cache
def legal_forms() -> tuple[tuple[str, ...], ...]:
    """Legal forms as compacted folded tokens, longest first (strip the longest that fits)."""
    with (DATA_DIR / "legal_forms.yaml").open(encoding="utf-8") as fh:
        data: dict[str, list[str]] = yaml.safe_load(fh)
    forms = {tuple(_compact(fold(str(f)).split())) for group in data.values() for f in group}
    return tuple(sorted(forms, key=lambda f: (-len(f), f)))


def organization_words(text: str) -> list[str]:
    """Folded words of an organisation's name, legal forms and particles removed."""
    tokens = _compact(fold(text).split())
    stripped = True
    while stripped and tokens:
        stripped = False
        for form in legal_forms():
            if len(tokens) > len(form) and tuple(tokens[-len(form) :]) == form:
                tokens = tokens[: -len(form)]
                stripped = True
                break
    return [t for t in tokens if t not in PARTICLES and t not in ORGANIZATION_STOPWORDS]


def organization_row(facts: Facts) -> dict[str, Any] | None:
    """The features of an organisation or company, or None when it has no name."""
    names = facts.get("name")
    if not names:
        return None
    words = organization_words(_primary(names))
    if not words:
        return None
    keys = {w for text in (*names, *facts.get("alias")) for w in organization_words(text)}
    numbers, address_words = address_parts(facts.get("address"))
    places = facts.get("jurisdiction") or facts.get("country")
    return {
        "unique_id": facts.id,
        "name": _joined(words),
        "name_sorted": _joined(sorted(words)),
        "first_word": words[0],
        "name_keys": _or_none(keys),
        "identifiers": identifiers(facts) or None,
        "jurisdiction": _first(places),
        "address_numbers": numbers,
        "address_words": address_words,
    }


def rows_for(facts: Iterable[Facts], kind: str) -> Iterator[dict[str, Any]]:
    """Feature rows of ``kind`` ("person" or "organization") for the entities that have any."""
    make = person_row if kind == "person" else organization_row
    for item in facts:
        row = make(item)
        if row is not None:
            yield row
