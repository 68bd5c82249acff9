"""Small source files for ingest tests, written from entity dicts built by the model helpers."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson
import yaml

from tests.conftest import MARKINGS


def write_jsonl(path: Path, items: Iterable[dict[str, Any] | bytes]) -> Path:
    with path.open("wb") as fh:
        for item in items:
            fh.write(item if isinstance(item, bytes) else orjson.dumps(item))
            fh.write(b"\n")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ACQUISITION_COLUMNS = [
    "acquisition_id",
    "serial",
    "make",
    "model",
    "caliber",
    "type",
    "sold_on",
    "dealer_license",
    "purchaser_id",
    "purchaser_name",
    "purchaser_dob",
    "handling_code",
]

ACQUISITION_MAPPING: dict[str, Any] = {
    "dataset": "us-atf-acquisitions",
    "format": "csv",
    "markings": {
        **MARKINGS,
        "origin_country": "US",
        "origin_agency": "ATF",
        "releasability": ["US", "MX"],
    },
    "markings_columns": {"handling": "handling_code"},
    "entities": {
        "purchaser": {
            "schema": "Person",
            "keys": ["purchaser_id"],
            "properties": {
                "name": {"column": "purchaser_name"},
                "birthDate": {"column": "purchaser_dob"},
            },
        },
        "firearm": {
            "schema": "Firearm",
            "keys": ["serial", "make"],
            "properties": {
                "serialNumber": {"column": "serial"},
                "make": {"column": "make"},
                "model": {"column": "model"},
                "caliber": {"column": "caliber"},
                "type": {"column": "type"},
            },
        },
        "acquisition": {
            "schema": "FirearmAcquisition",
            "keys": ["acquisition_id"],
            "properties": {
                "firearm": {"entity": "firearm"},
                "purchaser": {"entity": "purchaser"},
                "date": {"column": "sold_on"},
                "dealerLicense": {"column": "dealer_license"},
            },
        },
    },
}


def write_mapping(path: Path, config: dict[str, Any] | None = None) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        yaml.safe_dump(config or ACQUISITION_MAPPING, fh, allow_unicode=True)
    return path


def acquisition_row(i: int, **changes: str) -> list[str]:
    row = {
        "acquisition_id": f"A{i:05d}",
        "serial": f"SN{i:06d}",
        "make": "Glock",
        "model": "19",
        "caliber": "9mm",
        "type": "pistol",
        "sold_on": "2024-03-0" + str(1 + i % 9),
        "dealer_license": "5-74-123-01-2B-12345",
        "purchaser_id": f"P{i % 3}",
        "purchaser_name": ["Juan Pérez", "Mary Smith", "Jesús Ortega"][i % 3],
        "purchaser_dob": "1990-01-01",
        "handling_code": "",
    }
    row.update(changes)
    return [row[c] for c in ACQUISITION_COLUMNS]
