"""The generator's reference data, read from the files in ``data/``.

Names, places, firearm models, drones, banks, the border line, fuel corridors, markings
profiles and the GIS meetings are data, not code: a reviewer can check a weight or add a
municipality without reading the generator, and the output never depends on a third-party
name library changing between versions.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from paridad.synth.rng import Weighted

DATA_DIR = Path(__file__).parent / "data"


def _rows(name: str) -> Iterator[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    for row in csv.DictReader(lines):
        if None in row or None in row.values():
            raise ValueError(f"{name}: row with the wrong number of fields: {row}")
        yield row


@cache
def load_yaml(name: str) -> dict[str, Any]:
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping")
    return data


@dataclass(frozen=True)
class GivenName:
    name: str
    sex: str


@dataclass(frozen=True)
class MxPlace:
    state: str
    curp_code: str
    municipality: str
    lat: float
    lon: float
    postal_code: str
    area_code: str
    recovery_weight: float
    pop_weight: float


@dataclass(frozen=True)
class UsState:
    state: str
    name: str
    ffl_region: str
    ffl_districts: tuple[str, ...]
    aba_district: str
    dl_pattern: str
    border: bool
    source_weight: float
    pop_weight: float


@dataclass(frozen=True)
class UsPlace:
    state: str
    county: str
    county_fips: str
    city: str
    zip: str
    lat: float
    lon: float
    area_code: str
    weight: float


@dataclass(frozen=True)
class FirearmModel:
    make: str
    model: str
    type: str
    caliber: str
    action: str
    detachable: bool
    cal_gt_22: bool
    country: str
    importer: str
    serial_pattern: str
    market_weight: float
    recovery_weight: float
    ring_weight: float
    foreign: bool
    make_variants: tuple[str, ...]
    caliber_variants: tuple[str, ...]

    @property
    def handgun(self) -> bool:
        """Pistols and revolvers: what Form 3310.4 counts."""
        return self.type in ("pistol", "revolver")

    @property
    def rifle_3310_12(self) -> bool:
        """Semi-automatic rifle, caliber greater than .22, able to take a detachable magazine."""
        return self.type == "rifle" and self.action == "semi" and self.detachable and self.cal_gt_22


@dataclass(frozen=True)
class DroneModel:
    manufacturer: str
    model: str
    mfr_code: str
    ua_type: str
    weight: float
    droneid_leak: bool
    illicit: bool


@dataclass(frozen=True)
class BorderVertex:
    lat: float
    lon: float
    sector: str
    place: str


@dataclass(frozen=True)
class Sector:
    name: str
    code: str
    weight: float
    mx_state: str
    mx_municipality: str
    us_state: str
    us_county: str


@dataclass(frozen=True)
class Bank:
    country: str
    name: str
    code: str
    swift: str
    weight: float
    state: str


def _bool(value: str) -> bool:
    return value.strip().lower() == "true"


@cache
def mx_given() -> dict[str, Weighted[str]]:
    by_sex: dict[str, list[tuple[str, float]]] = {"male": [], "female": []}
    for row in _rows("mx_given.csv"):
        by_sex[row["sex"]].append((row["name"], float(row["weight"])))
    return {sex: Weighted(pairs) for sex, pairs in by_sex.items()}


@cache
def mx_surnames() -> Weighted[str]:
    return Weighted((r["surname"], float(r["weight"])) for r in _rows("mx_surnames.csv"))


@cache
def us_given() -> dict[str, Weighted[str]]:
    by_sex: dict[str, list[tuple[str, float]]] = {"male": [], "female": []}
    for row in _rows("us_given.csv"):
        by_sex[row["sex"]].append((row["name"], float(row["weight"])))
    return {sex: Weighted(pairs) for sex, pairs in by_sex.items()}


@cache
def us_surnames() -> Weighted[str]:
    return Weighted((r["surname"], float(r["weight"])) for r in _rows("us_surnames.csv"))


@cache
def nicknames() -> dict[tuple[str, str], tuple[str, ...]]:
    """(formal given name, sex) -> the hypocorisms people use for it (Chuy for Jesús…)."""
    out: dict[tuple[str, str], list[str]] = {}
    for row in _rows("nicknames.csv"):
        out.setdefault((row["formal"], row["sex"]), []).append(row["nickname"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def aliases() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {"male": [], "female": []}
    for row in _rows("aliases.csv"):
        out[row["sex"]].append(row["alias"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def mx_places() -> tuple[MxPlace, ...]:
    return tuple(
        MxPlace(
            state=r["state"],
            curp_code=r["curp_code"],
            municipality=r["municipality"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            postal_code=r["postal_code"],
            area_code=r["area_code"],
            recovery_weight=float(r["recovery_weight"]),
            pop_weight=float(r["pop_weight"]),
        )
        for r in _rows("places_mx.csv")
    )


@cache
def mx_place_index() -> dict[str, MxPlace]:
    return {p.municipality: p for p in mx_places()}


@cache
def us_states() -> dict[str, UsState]:
    return {
        r["state"]: UsState(
            state=r["state"],
            name=r["name"],
            ffl_region=r["ffl_region"],
            ffl_districts=tuple(r["ffl_districts"].split()),
            aba_district=r["aba_district"],
            dl_pattern=r["dl_pattern"],
            border=_bool(r["border"]),
            source_weight=float(r["source_weight"]),
            pop_weight=float(r["pop_weight"]),
        )
        for r in _rows("us_states.csv")
    }


@cache
def us_places() -> tuple[UsPlace, ...]:
    return tuple(
        UsPlace(
            state=r["state"],
            county=r["county"],
            county_fips=r["county_fips"],
            city=r["city"],
            zip=r["zip"],
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            area_code=r["area_code"],
            weight=float(r["weight"]),
        )
        for r in _rows("places_us.csv")
    )


@cache
def streets() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for row in _rows("streets.csv"):
        out.setdefault(row["country"], []).append(row["street"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def firearm_models() -> tuple[FirearmModel, ...]:
    return tuple(
        FirearmModel(
            make=r["make"],
            model=r["model"],
            type=r["type"],
            caliber=r["caliber"],
            action=r["action"],
            detachable=_bool(r["detachable"]),
            cal_gt_22=_bool(r["cal_gt_22"]),
            country=r["country"],
            importer=r["importer"],
            serial_pattern=r["serial_pattern"],
            market_weight=float(r["market_weight"]),
            recovery_weight=float(r["recovery_weight"]),
            ring_weight=float(r["ring_weight"]),
            foreign=_bool(r["foreign"]),
            make_variants=tuple(v for v in r["make_variants"].split("|") if v),
            caliber_variants=tuple(v for v in r["caliber_variants"].split("|") if v),
        )
        for r in _rows("firearms.csv")
    )


@cache
def drone_models() -> tuple[DroneModel, ...]:
    return tuple(
        DroneModel(
            manufacturer=r["manufacturer"],
            model=r["model"],
            mfr_code=r["mfr_code"],
            ua_type=r["ua_type"],
            weight=float(r["weight"]),
            droneid_leak=_bool(r["droneid_leak"]),
            illicit=_bool(r["illicit"]),
        )
        for r in _rows("drones.csv")
    )


@cache
def border_vertices() -> tuple[BorderVertex, ...]:
    return tuple(
        BorderVertex(float(r["lat"]), float(r["lon"]), r["sector"], r["place"])
        for r in _rows("border.csv")
    )


@cache
def sectors() -> tuple[Sector, ...]:
    return tuple(
        Sector(
            name=r["sector"],
            code=r["code"],
            weight=float(r["weight"]),
            mx_state=r["mx_state"],
            mx_municipality=r["mx_municipality"],
            us_state=r["us_state"],
            us_county=r["us_county"],
        )
        for r in _rows("sectors.csv")
    )


@cache
def banks() -> tuple[Bank, ...]:
    return tuple(
        Bank(
            country=r["country"],
            name=r["name"],
            code=r["code"],
            swift=r["swift"],
            weight=float(r["weight"]),
            state=r["state"],
        )
        for r in _rows("banks.csv")
    )
