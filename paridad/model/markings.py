"""Markings: what every entity carries about where it came from and how it may be handled.

Markings are validated against controlled vocabularies, never stored as free text, because
the release gate and the recipient's enforcement decide on them mechanically. Errors name
the field and the value and are translated, so an analyst can fix a source file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from typing import Any

from babel import Locale

from paridad.errors import InvalidMarkings
from paridad.i18n import N_
from paridad.model.vocabularies import vocabulary

FIELDS: tuple[str, ...] = (
    "origin_country",
    "origin_agency",
    "handling",
    "tlp",
    "releasability",
    "reliability",
    "credibility",
    "legal_basis",
    "purpose",
    "retain_until",
)
REQUIRED: tuple[str, ...] = (
    "origin_country",
    "origin_agency",
    "handling",
    "tlp",
    "legal_basis",
    "purpose",
    "retain_until",
)
MAX_TEXT = 300

MSG_MISSING = N_("Markings: '{field}' is required.")
MSG_UNKNOWN_FIELD = N_("Markings: unknown field '{field}'.")
MSG_NOT_IN_VOCAB = N_("Markings: '{value}' is not a valid {field}; expected one of: {allowed}.")
MSG_BAD_COUNTRY = N_("Markings: '{value}' is not an ISO 3166 country code ({field}).")
MSG_BAD_DATE = N_("Markings: '{value}' is not a date in YYYY-MM-DD form ({field}).")
MSG_BAD_TEXT = N_(
    "Markings: '{field}' must be text of 1 to {max} characters without control characters."
)
MSG_NOT_MAPPING = N_("Markings must be an object with named fields.")
MSG_RELEASABILITY_ORIGIN = N_(
    "Markings: releasability must include the originating country {country}."
)


@cache
def _country_codes() -> frozenset[str]:
    territories = Locale.parse("en").territories
    return frozenset(
        code for code in territories if isinstance(code, str) and len(code) == 2 and code.isalpha()
    )


def _country(value: Any, field_name: str) -> str:
    code = str(value).strip().upper()
    if code not in _country_codes():
        raise InvalidMarkings(MSG_BAD_COUNTRY, value=value, field=field_name)
    return code


def _text(value: Any, field_name: str) -> str:
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > MAX_TEXT or any(ord(c) < 32 for c in text):
        raise InvalidMarkings(MSG_BAD_TEXT, field=field_name, max=MAX_TEXT)
    return text


def _code(value: Any, field_name: str, vocab_name: str) -> str:
    vocab = vocabulary(vocab_name)
    code = str(value).strip()
    if vocab_name in ("handling", "tlp", "reliability"):
        code = code.upper()
    if code.upper().startswith("TLP:"):
        code = code[4:]
    if code not in vocab:
        raise InvalidMarkings(
            MSG_NOT_IN_VOCAB, value=value, field=field_name, allowed=", ".join(vocab.codes)
        )
    return code


def _list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v for v in value.replace(";", ",").split(",") if v.strip()]
    if isinstance(value, Iterable):
        return list(value)
    return [value]


@dataclass(frozen=True)
class Markings:
    """Validated markings of one entity. Build with :func:`parse_markings`."""

    origin_country: str
    origin_agency: str
    handling: str
    tlp: str
    legal_basis: str
    purpose: tuple[str, ...]
    retain_until: date
    releasability: tuple[str, ...] = field(default=())
    reliability: str = "X"
    credibility: str = "4"

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin_country": self.origin_country,
            "origin_agency": self.origin_agency,
            "handling": self.handling,
            "tlp": self.tlp,
            "releasability": list(self.releasability),
            "reliability": self.reliability,
            "credibility": self.credibility,
            "legal_basis": self.legal_basis,
            "purpose": list(self.purpose),
            "retain_until": self.retain_until.isoformat(),
        }

    @property
    def grading(self) -> str:
        """The 4x4 grading as analysts write it, e.g. ``B2``."""
        return f"{self.reliability}{self.credibility}"

    def combine(self, other: Markings) -> Markings:
        """Markings for an entity known from two records: the most restrictive of each wins.

        The originator stays the first one known; handling code and TLP take the stricter,
        releasability the countries both allow, retention the earlier date, the grading the
        weaker, and purposes and legal bases accumulate (each record was obtained under its own).
        """
        handling = vocabulary("handling")
        tlp = vocabulary("tlp")
        rel = vocabulary("reliability")
        cred = vocabulary("credibility")
        releasable = tuple(c for c in self.releasability if c in other.releasability)
        if self.origin_country not in releasable:
            releasable = (self.origin_country, *releasable)
        bases = [self.legal_basis] + [
            b for b in other.legal_basis.split(" | ") if b not in self.legal_basis.split(" | ")
        ]
        return replace(
            self,
            handling=max(self.handling, other.handling, key=handling.rank),
            tlp=max(self.tlp, other.tlp, key=tlp.rank),
            releasability=releasable,
            reliability=max(self.reliability, other.reliability, key=rel.rank),
            credibility=max(self.credibility, other.credibility, key=cred.rank),
            legal_basis=" | ".join(bases)[:MAX_TEXT],
            purpose=tuple(dict.fromkeys((*self.purpose, *other.purpose))),
            retain_until=min(self.retain_until, other.retain_until),
        )


def parse_markings(data: Mapping[str, Any] | Any) -> Markings:
    """Validate raw markings (from a file, a mapping or a row) into :class:`Markings`."""
    if not isinstance(data, Mapping):
        raise InvalidMarkings(MSG_NOT_MAPPING)
    for key in data:
        if key not in FIELDS:
            raise InvalidMarkings(MSG_UNKNOWN_FIELD, field=key)
    for key in REQUIRED:
        value = data.get(key)
        if value is None or (isinstance(value, str | list | tuple) and len(value) == 0):
            raise InvalidMarkings(MSG_MISSING, field=key)
    origin = _country(data["origin_country"], "origin_country")
    releasability = tuple(
        dict.fromkeys(_country(c, "releasability") for c in _list(data.get("releasability") or []))
    )
    if releasability and origin not in releasability:
        raise InvalidMarkings(MSG_RELEASABILITY_ORIGIN, country=origin)
    if not releasability:
        releasability = (origin,)
    purposes = tuple(dict.fromkeys(_code(p, "purpose", "purpose") for p in _list(data["purpose"])))
    if not purposes:
        raise InvalidMarkings(MSG_MISSING, field="purpose")
    raw_date = data["retain_until"]
    if isinstance(raw_date, date):
        retain = raw_date
    else:
        try:
            retain = date.fromisoformat(str(raw_date).strip())
        except ValueError:
            raise InvalidMarkings(MSG_BAD_DATE, value=raw_date, field="retain_until") from None
    return Markings(
        origin_country=origin,
        origin_agency=_text(data["origin_agency"], "origin_agency"),
        handling=_code(data["handling"], "handling", "handling"),
        tlp=_code(data["tlp"], "tlp", "tlp"),
        releasability=releasability,
        reliability=_code(data.get("reliability", "X"), "reliability", "reliability"),
        credibility=_code(data.get("credibility", "4"), "credibility", "credibility"),
        legal_basis=_text(data["legal_basis"], "legal_basis"),
        purpose=purposes,
        retain_until=retain,
    )
