"""The CSV sources map, with FollowTheMoney's own mapping engine, onto exactly the entities the
JSON Lines files hold for the same records."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import yaml
from followthemoney.mapping.csv import CSVSource

from paridad.model import model
from paridad.model.markings import parse_markings
from tests.synth.conftest import Scenario

SOURCES = (
    ("us", "acquisitions"),
    ("mx", "recoveries"),
)
REQUIRED_COLUMNS = {
    "acquisitions": {
        "acquisition_id",
        "serial",
        "make",
        "model",
        "caliber",
        "type",
        "sold_on",
        "dealer_license",
        "dealer_name",
        "dealer_state",
        "dealer_county",
        "purchaser_id",
        "purchaser_name",
        "purchaser_dob",
        "multiple_sale_report",
        "multiple_sale_form",
    },
    "recoveries": {
        "recovery_id",
        "serial",
        "make",
        "model",
        "caliber",
        "type",
        "recovered_on",
        "state",
        "municipality",
        "agency",
        "case_number",
        "possessor_name",
        "serial_condition",
    },
}


def _load(root: Path, side: str, name: str) -> tuple[dict[str, Any], Path]:
    spec = yaml.safe_load((root / side / f"{name}.mapping.yml").read_text(encoding="utf-8"))
    return spec, root / side / f"{name}.csv"


@pytest.mark.parametrize(("side", "name"), SOURCES)
def test_csv_header_and_mapping_keys(scenario: Scenario, side: str, name: str) -> None:
    spec, path = _load(scenario.root, side, name)
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert REQUIRED_COLUMNS[name] <= set(header)
    assert set(spec) >= {"dataset", "format", "markings", "entities"}
    assert spec["format"] == "csv"
    for column in spec.get("markings_columns", {}).values():
        assert column in header
    parse_markings(spec["markings"])


@pytest.mark.parametrize(("side", "name"), SOURCES)
def test_rows_map_to_the_jsonl_entities(scenario: Scenario, side: str, name: str) -> None:
    spec, path = _load(scenario.root, side, name)
    mapping = model.make_mapping(
        {"csv_url": str(path), "entities": spec["entities"]}, key_prefix=spec["dataset"]
    )
    ids = scenario.side(side)
    rows = 0
    with path.open(encoding="utf-8", newline="") as fh:
        for record in CSVSource.read_csv(fh):
            rows += 1
            marks = dict(spec["markings"])
            for field, column in spec.get("markings_columns", {}).items():
                marks[field] = record.get(column, marks[field])
            parsed = parse_markings(marks)
            for entity in mapping.map(record).values():
                assert entity.id in ids, entity.id
                held = ids[entity.id]
                assert held["schema"] == entity.schema.name
                for prop, values in entity.to_dict()["properties"].items():
                    if prop == "namesMentioned":
                        continue
                    assert set(values) <= set(held["properties"].get(prop, [])), (
                        entity.id,
                        prop,
                        values,
                        held["properties"].get(prop),
                    )
                if entity.schema.name in ("FirearmAcquisition", "FirearmRecovery", "Firearm"):
                    assert parse_markings(held["markings"]) == parsed, entity.id
    expected = scenario.manifest["files"][f"{side}/{name}.csv"]["rows"]
    assert rows == expected > 100


def test_every_acquisition_and_recovery_is_in_its_csv(scenario: Scenario) -> None:
    for side, name, schema, column in (
        ("us", "acquisitions", "FirearmAcquisition", "acquisition_id"),
        ("mx", "recoveries", "FirearmRecovery", "recovery_id"),
    ):
        with (scenario.root / side / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
            in_csv = {row[column] for row in csv.DictReader(fh)}
        assert in_csv == {e["id"] for e in scenario.of(side, schema)}
