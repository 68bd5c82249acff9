"""Controlled vocabularies (handling codes, TLP, 4x4 grading, purposes, statuses…).

They are data files in ``vocabularies/``, each value with its Spanish and English label, so
a supervisor can read what a code means in either language and a new code is a data change.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from paridad.i18n import Lang, get_lang

VOCABULARY_DIR = Path(__file__).parent / "vocabularies"


@dataclass(frozen=True)
class Term:
    code: str
    labels: dict[str, str]

    def label(self, lang: Lang | None = None) -> str:
        return self.labels[lang or get_lang()]


@dataclass(frozen=True)
class Vocabulary:
    name: str
    labels: dict[str, str]
    terms: tuple[Term, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def __contains__(self, code: object) -> bool:
        return any(t.code == code for t in self.terms)

    def rank(self, code: str) -> int:
        """Position in the file; files list ordered vocabularies from least to most restrictive."""
        return self.codes.index(code)

    def term(self, code: str) -> Term:
        for term in self.terms:
            if term.code == code:
                return term
        raise KeyError(code)

    def label(self, lang: Lang | None = None) -> str:
        return self.labels[lang or get_lang()]


def _load(path: Path) -> Vocabulary:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    terms = tuple(
        Term(code=str(v["code"]), labels={"en": str(v["en"]), "es": str(v["es"])})
        for v in data["values"]
    )
    return Vocabulary(name=data["name"], labels=dict(data["label"]), terms=terms)


@cache
def vocabularies() -> dict[str, Vocabulary]:
    return {v.name: v for v in (_load(p) for p in sorted(VOCABULARY_DIR.glob("*.yaml")))}


def vocabulary(name: str) -> Vocabulary:
    return vocabularies()[name]


@cache
def property_vocabularies() -> dict[str, Vocabulary]:
    """Map a property's qualified name (``Firearm:type``) to the vocabulary its values must be in.

    Declared with ``vocabulary:`` next to the property in the schema YAML; FtM ignores the key.
    """
    from paridad.model import paridad_schema_specs

    out: dict[str, Vocabulary] = {}
    for name, spec in paridad_schema_specs().items():
        for pname, pspec in (spec.get("properties") or {}).items():
            if "vocabulary" in pspec:
                out[f"{name}:{pname}"] = vocabulary(pspec["vocabulary"])
    return out
