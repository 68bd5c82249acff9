"""A record's linkage fields, normalised and broken into the features that get encoded.

A *feature* is a (family, text) pair: ``("n2", "_h")`` is a bigram of a name, ``("bp",
"3-11")`` the unordered day and month of birth. Families exist so each kind of evidence can
carry its own weight (how many bits it sets) and so equal text in different fields never
collides ("garcia" as a given name is not "garcia" as a surname). Surnames are one family
whatever their order or field, which is how paternal/maternal order stops mattering.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from paridad.errors import ParidadError
from paridad.i18n import N_
from paridad.match.names import (
    BirthDate,
    address_tokens,
    given_tokens,
    normalise_sex,
    organization_tokens,
    parse_birth_date,
    phone_key,
    place_key,
    postcode_key,
    split_full_name,
    surname_tokens,
)
from paridad.model.normalize import identifier_key

MSG_UNKNOWN_FIELD = N_("Unknown linkage field '{field}'; known fields: {fields}.")
MSG_UNKNOWN_KIND = N_("Unknown kind '{kind}'; expected person or organization.")

# What a CSV column can be mapped to. ``name`` is a whole name in one field (a person's, split
# into given names and surnames, or an organisation's).
FIELDS = (
    "name",
    "given_name",
    "surname",
    "second_surname",
    "date_of_birth",
    "sex",
    "address",
    "city",
    "state",
    "postcode",
    "phone",
    "id_number",
)
KINDS = ("person", "organization")


def check_field(field: str) -> str:
    if field not in FIELDS:
        raise ParidadError(MSG_UNKNOWN_FIELD, field=field, fields=", ".join(FIELDS))
    return field


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ParidadError(MSG_UNKNOWN_KIND, kind=kind)
    return kind


@dataclass(frozen=True)
class Normalised:
    """One record's fields as both sides write them; absent fields are empty or None."""

    given: tuple[str, ...] = ()
    surnames: tuple[str, ...] = ()
    org: tuple[str, ...] = ()
    birth: BirthDate | None = None
    sex: str | None = None
    address: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postcode: str | None = None
    phone: str | None = None
    id_number: str | None = None


def normalise(
    values: Mapping[str, str], kind: str = "person", mexican_letters: bool = False
) -> Normalised:
    """Normalise one record given as field -> raw text (fields from :data:`FIELDS`)."""
    given_text = values.get("given_name", "")
    surname_text = " ".join(
        v for v in (values.get("surname", ""), values.get("second_surname", "")) if v
    )
    full = values.get("name", "")
    org: tuple[str, ...] = ()
    if kind == "organization":
        org = organization_tokens(" ".join(v for v in (full, given_text, surname_text) if v))
        given_text = surname_text = ""
    elif full and not (given_text or surname_text):
        given_text, surname_text = split_full_name(full)
    elif full:
        # Both a full name and parts: the parts win, the full name fills a missing one.
        extra_given, extra_surnames = split_full_name(full)
        given_text = given_text or extra_given
        surname_text = surname_text or extra_surnames
    birth_text = values.get("date_of_birth", "")
    phone_text = values.get("phone", "")
    id_text = values.get("id_number", "")
    return Normalised(
        given=given_tokens(given_text) if given_text else (),
        surnames=surname_tokens(surname_text) if surname_text else (),
        org=org,
        birth=parse_birth_date(birth_text) if birth_text else None,
        sex=normalise_sex(values.get("sex", ""), mexican_letters) if values.get("sex") else None,
        address=address_tokens(values.get("address", "")),
        city=place_key(values.get("city", "")),
        state=place_key(values.get("state", "")),
        postcode=postcode_key(values.get("postcode", "")),
        phone=phone_key(phone_text) if phone_text else None,
        id_number=identifier_key(id_text) or None if id_text else None,
    )


def bigrams(token: str) -> Iterator[str]:
    """Bigrams of a token padded with "_" at both ends, so first and last letters count."""
    padded = f"_{token}_"
    for i in range(len(padded) - 1):
        yield padded[i : i + 2]


Part = tuple[str, object]


def parts(record: Normalised) -> Iterator[Part]:
    """The record split into parts whose features depend on nothing else (given names,
    surnames, birth date…): an encoder caches each part's bits, because a million people
    share a few thousand given names, surnames and dates."""
    if record.given:
        yield "given", record.given
    if record.surnames:
        yield "surnames", record.surnames
    if record.org:
        yield "org", record.org
    if record.birth is not None:
        yield "birth", record.birth
    if record.sex is not None:
        yield "sex", record.sex
    if record.address:
        yield "address", record.address
    for name, value in (
        ("city", record.city),
        ("state", record.state),
        ("postcode", record.postcode),
        ("phone", record.phone),
        ("id", record.id_number),
    ):
        if value:
            yield name, value


def part_features(part: str, value: object) -> Iterator[tuple[str, str]]:
    """The (family, text) features of one part. Families are listed in docs/linkage.md."""
    # Bigrams of all name tokens share one family, so a surname written in the given-name
    # field (or the fields swapped) still agrees; whole tokens are tagged by field, so the
    # right placement scores a little more. The first given name and the first surname are
    # what a foreign record keeps most often (José Antonio -> Jose A.; Salazar Hernández ->
    # Salazar), so they count again on their own.
    if part == "given":
        tokens = tuple(str(t) for t in value)  # type: ignore[attr-defined]
        full = [t for t in tokens if len(t) > 1]
        if full:
            yield "g1", full[0]
        for token in tokens:
            yield "gi", token[0]
            if len(token) > 1:
                yield "gt", token
                for gram in bigrams(token):
                    yield "n2", gram
    elif part == "surnames":
        tokens = tuple(str(t) for t in value)  # type: ignore[attr-defined]
        yield "s1", tokens[0]
        for token in tokens:
            yield "st", token
            for gram in bigrams(token):
                yield "n2", gram
    elif part == "org":
        for token in value:  # type: ignore[attr-defined]
            yield "ot", token
            for gram in bigrams(token):
                yield "o2", gram
    elif part == "birth" and isinstance(value, BirthDate):
        yield "by", str(value.year)
        yield "bp", f"{value.parts[0]}-{value.parts[1]}"
        if value.month is not None:
            yield "bm", f"{value.month}-{value.day}"
    elif part == "sex":
        yield "x", str(value)
    elif part == "address":
        for token in value:  # type: ignore[attr-defined]
            yield "at", token
    elif part in ("city", "state", "postcode"):
        yield {"city": "c", "state": "r", "postcode": "z"}[part], str(value)
    elif part == "phone":
        yield "p", str(value)
        yield "p7", str(value)[-7:]
    elif part == "id":
        yield "it", str(value)
        for gram in bigrams(str(value)):
            yield "i2", gram


def features(record: Normalised) -> Iterator[tuple[str, str]]:
    """All (family, text) features of a record."""
    for part, value in parts(record):
        yield from part_features(part, value)
