"""Markings for every synthetic entity, drawn from each agency's profile in ``markings.yaml``.

The release gate, retention clocks and originator controls all act on markings, so the world
has to exercise every code: most records H0/H1 and TLP:AMBER, financial intelligence held
tighter (H2/H3, AMBER+STRICT, RED, often not releasable), a share never releasable to the
partner at all. Retention runs to the end of the year the agency's schedule ends in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from paridad.synth import catalog
from paridad.synth.rng import Weighted

MX_AGENCIES = ("FGR", "SSPC", "SEDENA", "SEMAR", "UIF", "Pemex")
US_AGENCIES = ("ATF", "CBP", "FinCEN", "DEA", "FBI", "HSI")


@dataclass(frozen=True)
class Profile:
    country: str
    retention_years: int
    legal_basis: tuple[str, ...]
    handling: Weighted[str]
    tlp: Weighted[str]
    reliability: Weighted[str]
    credibility: Weighted[str]
    shared: float


def _weighted(spec: dict[str, Any]) -> Weighted[str]:
    return Weighted((str(k), float(v)) for k, v in spec.items())


@cache
def profiles() -> dict[str, Profile]:
    data = catalog.load_yaml("markings.yaml")
    defaults = data["defaults"]
    out: dict[str, Profile] = {}
    for name, spec in data["agencies"].items():
        out[name] = Profile(
            country=spec["country"],
            retention_years=int(spec["retention_years"]),
            legal_basis=tuple(spec["legal_basis"]),
            handling=_weighted(spec.get("handling", defaults["handling"])),
            tlp=_weighted(spec.get("tlp", defaults["tlp"])),
            reliability=_weighted(spec.get("reliability", defaults["reliability"])),
            credibility=_weighted(spec.get("credibility", defaults["credibility"])),
            shared=float(spec.get("shared", defaults["shared"])),
        )
    return out


@cache
def lines() -> dict[str, dict[str, Any]]:
    return dict(catalog.load_yaml("markings.yaml")["lines"])


def agency_side(agency: str) -> str:
    return profiles()[agency].country.lower()


def draw(
    rng: random.Random,
    agency: str,
    line: str,
    on: date,
    handling: str | None = None,
    tlp: str | None = None,
) -> dict[str, Any]:
    """Markings for one record of ``agency`` in ``line`` of work, dated ``on``."""
    prof = profiles()[agency]
    spec = lines()[line]
    side_key = f"legal_basis_{prof.country.lower()}"
    bases: list[str] = list(spec.get(side_key) or spec.get("legal_basis") or prof.legal_basis)
    h = handling or prof.handling.pick(rng)
    t = tlp or prof.tlp.pick(rng)
    releasability = ["MX", "US"] if rng.random() < prof.shared and t != "RED" else [prof.country]
    return {
        "origin_country": prof.country,
        "origin_agency": agency,
        "handling": h,
        "tlp": t,
        "releasability": releasability,
        "reliability": prof.reliability.pick(rng),
        "credibility": prof.credibility.pick(rng),
        "legal_basis": rng.choice(bases),
        "purpose": list(spec["purpose"]),
        "retain_until": date(on.year + prof.retention_years, 12, 31).isoformat(),
    }


def fixed(
    agency: str, line: str, legal_basis: str, retain_until: date, **fields: Any
) -> dict[str, Any]:
    """Markings with every field given: for CSV sources, whose mapping file states them once."""
    prof = profiles()[agency]
    out: dict[str, Any] = {
        "origin_country": prof.country,
        "origin_agency": agency,
        "handling": "H1",
        "tlp": "AMBER",
        "releasability": ["MX", "US"],
        "reliability": "B",
        "credibility": "2",
        "legal_basis": legal_basis,
        "purpose": list(lines()[line]["purpose"]),
        "retain_until": retain_until.isoformat(),
    }
    out.update(fields)
    return out
