"""One canonical string per identifier, so that exact matching between two nodes can work.

Private set intersection compares hashes: "+52 (55) 1234-5678" and "5512345678" meet only if
both sides reduce them to the same bytes first. Each kind of identifier has one function
here that returns that form or raises a translated :class:`ParidadError` saying why the value
cannot be one; :func:`identifiers_of` reads the identifiers out of an entity, using the
property map in ``identifier_kinds.yaml``, and keeps the values it had to skip so the caller
can report them. Everything is a pure function of its input: both nodes run the same code
and must get the same bytes. The rules, and why each one is what it is, are in docs/psi.md.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers
import yaml
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength, ValidationError
from stdnum.mx import curp as stdnum_curp
from stdnum.mx import rfc as stdnum_rfc

from paridad.errors import ParidadError
from paridad.i18n import N_, Lang, get_lang
from paridad.model.normalize import identifier_key

KINDS_FILE = Path(__file__).with_name("identifier_kinds.yaml")

MSG_UNKNOWN_KIND = N_("Unknown identifier kind '{kind}'; known kinds: {kinds}.")
MSG_NOT_TEXT = N_("An identifier of kind {kind} must be text, not {given}.")
MSG_EMPTY = N_("The identifier of kind {kind} is empty.")
MSG_LENGTH = N_(
    "'{value}' is not a valid identifier of kind {kind}: it has {found} characters instead "
    "of {expected}."
)
MSG_TOO_SHORT = N_(
    "'{value}' is too short for an identifier of kind {kind}: it needs at least {minimum} "
    "characters."
)
MSG_TOO_LONG = N_(
    "'{value}' is too long for an identifier of kind {kind}: it can have at most {maximum} "
    "characters."
)
MSG_CHARACTERS = N_(
    "'{value}' is not a valid identifier of kind {kind}: it contains characters that kind "
    "cannot have."
)
MSG_CHECK_DIGIT = N_(
    "'{value}' is not a valid identifier of kind {kind}: its check digit does not match."
)
MSG_FORMAT = N_(
    "'{value}' is not a valid identifier of kind {kind}: it does not have the form of one."
)
MSG_COMPONENT = N_(
    "'{value}' is not a valid identifier of kind {kind}: one of its parts (a date, a state or "
    "a code) is not valid."
)
MSG_PHONE_UNREADABLE = N_(
    "'{value}' cannot be read as a phone number; without a leading + it needs its country "
    "(MX or US)."
)
MSG_PHONE_INVALID = N_("'{value}' is not a phone number in use in its country's numbering plan.")
MSG_BAD_COUNTRY = N_("'{country}' is not a two-letter country code (ISO 3166-1), such as MX or US.")
MSG_BAD_REGION = N_(
    "'{region}' is not a country code or an ISO 3166-2 state code (such as MX, MX-BCN or US-TX)."
)
MSG_NO_REGION = N_(
    "An identifier of kind {kind} needs the country or state that issued it (such as MX-BCN or "
    "US-TX)."
)
MSG_NO_COUNTRY = N_(
    "An identifier of kind {kind} needs the country that issued it (such as MX or US)."
)
MSG_DRONE_LENGTH = N_(
    "'{value}' is not a valid identifier of kind {kind}: its length code announces "
    "{expected} serial characters but {found} follow."
)
MSG_WALLET_HEX = N_(
    "'{value}' is not a valid identifier of kind {kind}: after 0x an Ethereum-style address "
    "has 40 hexadecimal digits."
)
MSG_WALLET_CASE = N_(
    "'{value}' is not a valid identifier of kind {kind}: a bech32 address is all lower case "
    "or all upper case."
)
MSG_UETR = N_("'{value}' is not a valid identifier of kind {kind}: a UETR is a version-4 UUID.")
MSG_NONE_OF = N_("'{value}' in {prop} is not an identifier of any of the kinds {kinds}.")
MSG_VIN_CHECK = N_(
    "The VIN '{value}' has a North American prefix but its check digit (9th character) does "
    "not match; it is matched as written."
)

# Characters a worn or badly transcribed firearm serial turns into each other: the confusions
# the National Tracing Center sees (and ``paridad.synth.serials`` plants). Folding both sides
# to one representative lets a misread serial meet its original in exact matching.
SERIAL_FOLD = str.maketrans({"O": "0", "D": "0", "I": "1", "L": "1", "S": "5", "B": "8", "Z": "2"})
# VINs and Remote ID serials exclude I, O and Q precisely because they read as 1 and 0; one
# written with them was misread, and the correction is unambiguous.
VIN_FOLD = str.maketrans({"I": "1", "O": "0", "Q": "0"})
DRONE_FOLD = str.maketrans({"I": "1", "O": "0"})

MAX_SHOWN = 80  # characters of a bad value repeated in an error message


@dataclass(frozen=True)
class KindInfo:
    """What ``identifier_kinds.yaml`` says of one kind."""

    name: str
    labels: dict[str, str]
    guessable_bits: int

    def label(self, lang: Lang | None = None) -> str:
        return self.labels[lang or get_lang()]


@dataclass(frozen=True)
class PropertySource:
    """Where one property's values go: the kinds to try and where the country comes from."""

    kinds: tuple[str, ...]
    country_props: tuple[str, ...] = ()
    origin_fallback: bool = False
    pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class Catalogue:
    kinds: dict[str, KindInfo]
    keyed_min_bits: int
    properties: dict[str, dict[str, PropertySource]]


Normaliser = Callable[[str, str | None, str | None], str]
_NORMALISERS: dict[str, Normaliser] = {}


def _kind(name: str) -> Callable[[Normaliser], Normaliser]:
    def register(fn: Normaliser) -> Normaliser:
        _NORMALISERS[name] = fn
        return fn

    return register


def _fail(msgid: str, kind: str, value: str, **params: Any) -> ParidadError:
    return ParidadError(msgid, kind=kind, value=value[:MAX_SHOWN], **params)


def kind_names() -> tuple[str, ...]:
    return tuple(_NORMALISERS)


def normalise(
    kind: str, value: str, *, country: str | None = None, region: str | None = None
) -> str:
    """The canonical form of ``value`` as an identifier of ``kind``.

    ``country`` (ISO 3166-1 alpha-2, any case) is the default country of a phone written
    without ``+`` and the issuing country of a passport; ``region`` (a country or an ISO
    3166-2 code such as ``MX-BCN``) is the issuing state of a plate, which falls back to
    ``country``. Raises :class:`ParidadError` naming the kind and the reason.
    """
    normaliser = _NORMALISERS.get(kind)
    if normaliser is None:
        raise ParidadError(MSG_UNKNOWN_KIND, kind=kind, kinds=", ".join(_NORMALISERS))
    if not isinstance(value, str):
        raise ParidadError(MSG_NOT_TEXT, kind=kind, given=type(value).__name__)
    text = unicodedata.normalize("NFC", value).strip()
    if not text:
        raise ParidadError(MSG_EMPTY, kind=kind)
    return normaliser(text, country, region)


def _country(country: str) -> str:
    code = country.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ParidadError(MSG_BAD_COUNTRY, country=country[:MAX_SHOWN])
    return code


def _compact(text: str) -> str:
    """Upper-case letters and digits only: separators, spaces and accents go."""
    return identifier_key(text)


# -- phones -----------------------------------------------------------------------------------

_PHONE_CHARS = re.compile(r"[\d\s()+.\-/]+")
_MX_LEGACY = (("044", 13), ("045", 13), ("01", 12))  # mobile and long-distance prefixes


@_kind("phone")
def _phone(text: str, country: str | None, region: str | None) -> str:
    """E.164. Mexico dropped its 044/045/01 dialling prefixes and the "1" after +52 for mobiles
    in August 2019; records older than that still carry them, so they are removed first."""
    default = _country(country) if country else None
    if not _PHONE_CHARS.fullmatch(text):
        raise _fail(MSG_PHONE_UNREADABLE, "phone", text)
    if default == "MX" and not text.startswith("+"):
        digits = re.sub(r"\D", "", text)
        for prefix, length in _MX_LEGACY:
            if digits.startswith(prefix) and len(digits) == length:
                text = digits[len(prefix) :]
                break
    try:
        number = phonenumbers.parse(text, default)
    except phonenumbers.NumberParseException:
        raise _fail(MSG_PHONE_UNREADABLE, "phone", text) from None
    national = str(number.national_number)
    if number.country_code == 52 and len(national) == 11 and national.startswith("1"):
        number.national_number = int(national[1:])
    if not phonenumbers.is_valid_number(number):
        raise _fail(MSG_PHONE_INVALID, "phone", text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# -- bank accounts and Mexican registry keys ---------------------------------------------------


def clabe_check_digit(first17: str) -> str:
    """Banxico's CLABE control digit: weights 3, 7, 1 repeated, products taken modulo 10."""
    total = sum((int(d) * (3, 7, 1)[i % 3]) % 10 for i, d in enumerate(first17))
    return str((10 - total % 10) % 10)


@_kind("clabe")
def _clabe(text: str, country: str | None, region: str | None) -> str:
    digits = re.sub(r"[\s.\-]", "", text)
    if not digits.isascii() or not digits.isdigit():
        raise _fail(MSG_CHARACTERS, "clabe", text)
    if len(digits) != 18:
        raise _fail(MSG_LENGTH, "clabe", text, found=len(digits), expected=18)
    if digits[-1] != clabe_check_digit(digits[:17]):
        raise _fail(MSG_CHECK_DIGIT, "clabe", text)
    return digits


def _stdnum(kind: str, text: str, validate: Callable[[str], str]) -> str:
    try:
        return validate(text)
    except InvalidChecksum:
        raise _fail(MSG_CHECK_DIGIT, kind, text) from None
    except InvalidLength:
        raise _fail(MSG_FORMAT, kind, text) from None
    except InvalidComponent:
        raise _fail(MSG_COMPONENT, kind, text) from None
    except ValidationError:
        raise _fail(MSG_FORMAT, kind, text) from None


@_kind("iban")
def _iban(text: str, country: str | None, region: str | None) -> str:
    return _stdnum("iban", text, stdnum_iban.validate)


@_kind("curp")
def _curp(text: str, country: str | None, region: str | None) -> str:
    return _stdnum("curp", text, stdnum_curp.validate)


@_kind("rfc")
def _rfc(text: str, country: str | None, region: str | None) -> str:
    """RFC check digits are not enforced: SAT issued many that fail them (python-stdnum's
    default, for the same reason), and refusing them would lose real matches."""
    return _stdnum("rfc", text, stdnum_rfc.validate)


# -- things with serial numbers ----------------------------------------------------------------


def canonical_serial(value: str) -> str:
    """A firearm serial as marked, in one form: upper-case letters and digits only."""
    return _compact(value)


def fold_serial(canonical: str) -> str:
    """The serial with look-alike characters folded (O and D to 0, I and L to 1, S to 5, B to
    8, Z to 2): the matching key, so a misread serial meets the original."""
    return canonical.translate(SERIAL_FOLD)


@_kind("serial")
def _serial(text: str, country: str | None, region: str | None) -> str:
    canonical = canonical_serial(text)
    if len(canonical) < 3:
        raise _fail(MSG_TOO_SHORT, "serial", text, minimum=3)
    if len(canonical) > 40:
        raise _fail(MSG_TOO_LONG, "serial", text, maximum=40)
    return fold_serial(canonical)


@_kind("serial_near")
def _serial_near(text: str, country: str | None, region: str | None) -> str:
    """A ``maker:serial`` key of a firearm's serial within one edit (the keys themselves are
    made from two properties by :func:`paridad.trace.near_keys.near_keys`; this only checks
    one given by hand)."""
    maker, sep, serial = text.partition(":")
    canonical = fold_serial(canonical_serial(serial))
    if not sep or not re.fullmatch(r"[a-z0-9-]+", maker) or len(canonical) < 5:
        raise _fail(MSG_FORMAT, "serial_near", text)
    return f"{maker}:{canonical}"


_VIN_VALUES = {
    **{str(i): i for i in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")
# World manufacturer identifiers starting 1-5 are North America (1, 4, 5 US; 2 Canada;
# 3 Mexico), where 49 CFR 565 makes the 9th character a check digit. Elsewhere it is not.
_NORTH_AMERICA = frozenset("12345")


def vin_check_digit(vin: str) -> str:
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin, _VIN_WEIGHTS, strict=True))
    return "X" if total % 11 == 10 else str(total % 11)


def vin_check_digit_matches(vin: str) -> bool:
    """False only for a North American VIN whose check digit is wrong."""
    return vin[0] not in _NORTH_AMERICA or vin[8] == vin_check_digit(vin)


@_kind("vin")
def _vin(text: str, country: str | None, region: str | None) -> str:
    """17 characters, I/O/Q read as 1/0/0. A wrong check digit is not refused: the record holds
    the VIN as written, the other side may hold the same transcription, and refusing would
    lose that hit (:func:`identifiers_of` reports it as a warning instead)."""
    compact = re.sub(r"[\s\-.]", "", text).upper().translate(VIN_FOLD)
    if len(compact) != 17:
        raise _fail(MSG_LENGTH, "vin", text, found=len(compact), expected=17)
    if not _VIN.fullmatch(compact):
        raise _fail(MSG_CHARACTERS, "vin", text)
    return compact


_DRONE_LENGTHS = "123456789ABCDEF"  # ANSI/CTA-2063-A length code: 1-15 serial characters
_DRONE_CHARS = re.compile(r"[0-9A-HJ-NP-Z]+")


@_kind("drone_serial")
def _drone_serial(text: str, country: str | None, region: str | None) -> str:
    """ANSI/CTA-2063-A: a 4-character manufacturer code, a length code (1-9, A-F for 10-15)
    and the manufacturer's serial; I and O are not used, so they are read as 1 and 0."""
    compact = _compact(text).translate(DRONE_FOLD)
    if len(compact) < 6:
        raise _fail(MSG_TOO_SHORT, "drone_serial", text, minimum=6)
    if not _DRONE_CHARS.fullmatch(compact):
        raise _fail(MSG_CHARACTERS, "drone_serial", text)
    code = compact[4]
    if code not in _DRONE_LENGTHS:
        raise _fail(MSG_FORMAT, "drone_serial", text)
    expected = _DRONE_LENGTHS.index(code) + 1
    if len(compact) - 5 != expected:
        raise _fail(
            MSG_DRONE_LENGTH, "drone_serial", text, expected=expected, found=len(compact) - 5
        )
    return compact


# -- documents and registrations ---------------------------------------------------------------

_REGION = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")


@_kind("plate")
def _plate(text: str, country: str | None, region: str | None) -> str:
    """``REGION:PLATE``. A plate is issued by a state (each Mexican and US state has its own
    series), so the region is part of the key; both sides must record it at the same level,
    state or country, to meet (the entity mapping uses the country, the level both hold)."""
    issuer = region if region is not None else country
    if issuer is None or not issuer.strip():
        raise ParidadError(MSG_NO_REGION, kind="plate")
    code = issuer.strip().upper().replace("_", "-")
    if not _REGION.fullmatch(code):
        raise ParidadError(MSG_BAD_REGION, region=issuer[:MAX_SHOWN])
    plate = _compact(text)
    if len(plate) < 2:
        raise _fail(MSG_TOO_SHORT, "plate", text, minimum=2)
    if len(plate) > 10:
        raise _fail(MSG_TOO_LONG, "plate", text, maximum=10)
    return f"{code}:{plate}"


@_kind("passport")
def _passport(text: str, country: str | None, region: str | None) -> str:
    """``COUNTRY:NUMBER``: numbers are only unique within the issuing country. The MRZ filler
    ``<`` and separators are dropped."""
    if country is None or not country.strip():
        raise ParidadError(MSG_NO_COUNTRY, kind="passport")
    code = _country(country)
    number = _compact(text.replace("<", ""))
    if len(number) < 5:
        raise _fail(MSG_TOO_SHORT, "passport", text, minimum=5)
    if len(number) > 12:
        raise _fail(MSG_TOO_LONG, "passport", text, maximum=12)
    return f"{code}:{number}"


# -- online identifiers ------------------------------------------------------------------------

_HEX40 = re.compile(r"[0-9a-fA-F]{40}")
_BECH32_PREFIXES = ("bc1", "tb1", "ltc1")
_WALLET_CHARS = re.compile(r"[0-9A-Za-z]{20,128}")


@_kind("wallet")
def _wallet(text: str, country: str | None, region: str | None) -> str:
    """Ethereum-style (0x + 40 hex) addresses lower-cased, since EIP-55 mixed case is only a
    checksum; bech32 (bc1…) lower-cased, since it is case-insensitive; base58 addresses kept
    as given, since there case is part of the value."""
    if text.lower().startswith("0x"):
        if not _HEX40.fullmatch(text[2:]):
            raise _fail(MSG_WALLET_HEX, "wallet", text)
        return text.lower()
    if not _WALLET_CHARS.fullmatch(text):
        raise _fail(MSG_CHARACTERS, "wallet", text)
    if text.lower().startswith(_BECH32_PREFIXES):
        if text != text.lower() and text != text.upper():
            raise _fail(MSG_WALLET_CASE, "wallet", text)
        return text.lower()
    return text


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@_kind("email")
def _email(text: str, country: str | None, region: str | None) -> str:
    """Lower case throughout (providers treat local parts case-insensitively in practice),
    the domain in its IDNA (xn--) form. Provider-specific rules (dots and +tags at Gmail)
    are not applied: they are not true of every domain."""
    address = text.removeprefix("mailto:").rstrip(".")
    if not _EMAIL.fullmatch(address):
        raise _fail(MSG_FORMAT, "email", text)
    local, domain = address.rsplit("@", 1)
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise _fail(MSG_FORMAT, "email", text) from None
    return f"{local.lower()}@{domain.lower()}"


@_kind("uetr")
def _uetr(text: str, country: str | None, region: str | None) -> str:
    """The SWIFT gpi Unique End-to-end Transaction Reference: a version-4 UUID, lower case."""
    try:
        value = uuid.UUID(text)
    except ValueError:
        raise _fail(MSG_UETR, "uetr", text) from None
    if value.version != 4 or value.variant != uuid.RFC_4122:
        raise _fail(MSG_UETR, "uetr", text)
    return str(value)


# -- the catalogue and entities ----------------------------------------------------------------


@cache
def catalogue() -> Catalogue:
    with KINDS_FILE.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    kinds = {
        name: KindInfo(
            name, {"en": str(spec["en"]), "es": str(spec["es"])}, int(spec["guessable_bits"])
        )
        for name, spec in data["kinds"].items()
    }
    properties: dict[str, dict[str, PropertySource]] = {}
    for schema, props in data["properties"].items():
        properties[schema] = {}
        for prop, spec in props.items():
            if isinstance(spec, list):
                spec = {"kinds": spec}
            pattern = spec.get("pattern")
            properties[schema][prop] = PropertySource(
                kinds=tuple(spec["kinds"]),
                country_props=tuple(spec.get("country", ())),
                origin_fallback=bool(spec.get("origin_fallback", False)),
                pattern=re.compile(pattern) if pattern else None,
            )
    return Catalogue(kinds, int(data["keyed_min_bits"]), properties)


def kind_info(kind: str) -> KindInfo:
    info = catalogue().kinds.get(kind)
    if info is None:
        raise ParidadError(MSG_UNKNOWN_KIND, kind=kind, kinds=", ".join(catalogue().kinds))
    return info


@dataclass(frozen=True)
class Skipped:
    """A value that could not be used as an identifier, with the reason (translatable)."""

    prop: str
    value: str
    error: ParidadError

    def to_dict(self) -> dict[str, Any]:
        return {"prop": self.prop, "value": self.value, **self.error.as_record()}


@dataclass
class EntityIdentifiers:
    """The identifiers found in one entity; iterating yields ``(kind, normalised)`` pairs."""

    entity_id: str | None
    found: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Skipped] = field(default_factory=list)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.found)

    def __len__(self) -> int:
        return len(self.found)


@dataclass(frozen=True)
class _View:
    entity_id: str | None
    schema: str
    properties: Mapping[str, list[str]]
    origin_country: str | None


def _view(entity: Any) -> _View:
    """Read an :class:`EntityRecord`, an FtM proxy or an entity dict the same way."""
    from followthemoney.proxy import EntityProxy

    from paridad.store.base import EntityRecord

    if isinstance(entity, EntityRecord):
        props: dict[str, list[str]] = {}
        for row in entity.rows:
            props.setdefault(row[3], []).append(row[5])
        return _View(entity.id, entity.schema, props, entity.markings.origin_country)
    if isinstance(entity, EntityProxy):
        return _View(entity.id, entity.schema.name, entity.properties, None)
    if isinstance(entity, Mapping):
        raw = entity.get("properties") or {}
        props = {
            str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs]) if v is not None]
            for k, vs in raw.items()
        }
        markings = entity.get("markings")
        origin = markings.get("origin_country") if isinstance(markings, Mapping) else None
        return _View(entity.get("id"), str(entity.get("schema")), props, origin)
    raise TypeError(f"not an entity: {type(entity).__name__}")


@cache
def _sources_for(schema_name: str) -> dict[str, PropertySource]:
    """Property sources for a schema: the most specific schema's entry for a property wins."""
    from paridad.model import model

    schema = model.get(schema_name)
    if schema is None:
        return {}
    ancestry = sorted(schema.schemata, key=lambda s: len(s.schemata))  # general first
    sources: dict[str, PropertySource] = {}
    for ancestor in ancestry:
        sources.update(catalogue().properties.get(ancestor.name, {}))
    return sources


def _countries(view: _View, source: PropertySource) -> list[str | None]:
    for prop in source.country_props:
        values = [v for v in view.properties.get(prop, []) if v]
        if values:
            return list(dict.fromkeys(values))
    if source.origin_fallback and view.origin_country:
        return [view.origin_country]
    return [None]


def identifiers_of(entity: Any) -> EntityIdentifiers:
    """Every identifier of an entity (record, proxy or dict) in canonical form, once each.

    A value no kind accepts is not an error here: it is kept in ``skipped`` with the reason,
    so one bad phone never stops a node from matching the rest of its records.
    """
    view = _view(entity)
    result = EntityIdentifiers(view.entity_id)
    seen: set[tuple[str, str]] = set()
    for prop, source in _sources_for(view.schema).items():
        if not source.kinds:
            continue
        countries = _countries(view, source)
        for raw in view.properties.get(prop, []):
            values = [raw]
            if source.pattern is not None:
                values = [m.group(1) for m in source.pattern.finditer(raw)]
            for value in values:
                _read_one(result, seen, prop, value, source.kinds, countries)
    return result


def _read_one(
    result: EntityIdentifiers,
    seen: set[tuple[str, str]],
    prop: str,
    value: str,
    kinds: tuple[str, ...],
    countries: list[str | None],
) -> None:
    """Read one value: per candidate country, the first kind that accepts it. A value that
    is read under any country is not reported as skipped under the others."""
    first_error: ParidadError | None = None
    read = False
    for country in countries:
        for kind in kinds:
            try:
                key = normalise(kind, value, country=country)
            except ParidadError as exc:
                first_error = first_error or exc
                continue
            read = True
            if (kind, key) not in seen:
                seen.add((kind, key))
                result.found.append((kind, key))
                if kind == "vin" and not vin_check_digit_matches(key):
                    warning = ParidadError(MSG_VIN_CHECK, value=key)
                    result.warnings.append(Skipped(prop, value, warning))
            break
    if read or first_error is None:
        return
    error = first_error
    if len(kinds) > 1:
        error = ParidadError(
            MSG_NONE_OF, value=value[:MAX_SHOWN], prop=prop, kinds=", ".join(kinds)
        )
    result.skipped.append(Skipped(prop, value, error))
