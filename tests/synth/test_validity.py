"""Every entity is valid FollowTheMoney for its schema, every reference resolves within its
side, every id is readable and every marking validates."""

from __future__ import annotations

import re

from paridad.model import model
from paridad.model.markings import parse_markings
from paridad.model.vocabularies import property_vocabularies
from tests.synth.conftest import Scenario

AGENCIES = {
    "mx": {"FGR", "SSPC", "SEDENA", "SEMAR", "UIF", "Pemex"},
    "us": {"ATF", "CBP", "FinCEN", "DEA", "FBI", "HSI"},
}
ID = re.compile(r"^(mx|us)-[a-z]+-[a-z]+-\d{6}$")


def test_entities_round_trip_through_ftm(scenario: Scenario) -> None:
    """FtM keeps every value as written: nothing is dropped or rewritten by its cleaning."""
    for side in ("mx", "us"):
        for entity in scenario.side(side).values():
            schema = model.get(entity["schema"])
            assert schema is not None, entity["schema"]
            for prop in entity["properties"]:
                assert prop in schema.properties, f"{entity['schema']}:{prop}"
            proxy = model.get_proxy(
                {k: entity[k] for k in ("id", "schema", "properties")}, cleaned=False
            )
            cleaned = proxy.to_dict()["properties"]
            for prop, values in entity["properties"].items():
                assert sorted(cleaned.get(prop, [])) == sorted(values), (entity["id"], prop, values)


def test_vocabulary_properties_use_codes(scenario: Scenario) -> None:
    vocabs = property_vocabularies()
    seen = set()
    for side in ("mx", "us"):
        for entity in scenario.side(side).values():
            schema = model.get(entity["schema"])
            assert schema is not None
            for prop, values in entity["properties"].items():
                p = schema.get(prop)
                assert p is not None
                vocab = vocabs.get(p.qname)
                if vocab is None:
                    continue
                seen.add(p.qname)
                for value in values:
                    assert value in vocab, (entity["id"], p.qname, value)
    assert len(seen) >= 12


def test_references_resolve_within_side(scenario: Scenario) -> None:
    for side in ("mx", "us"):
        ids = scenario.side(side)
        for entity in ids.values():
            schema = model.get(entity["schema"])
            assert schema is not None
            for prop, values in entity["properties"].items():
                p = schema.get(prop)
                assert p is not None
                if p.type.name != "entity":
                    continue
                for value in values:
                    assert value in ids, f"{entity['id']}.{prop} -> {value} missing on {side}"
                    target = model.get(ids[value]["schema"])
                    assert target is not None and p.range is not None
                    assert target.is_a(p.range), (entity["id"], prop, target.name)


def test_ids_are_readable_and_sided(scenario: Scenario) -> None:
    for side in ("mx", "us"):
        for eid in scenario.side(side):
            assert ID.match(eid), eid
            assert eid.startswith(side + "-")


def test_markings_validate(scenario: Scenario) -> None:
    handling: set[str] = set()
    tlp: set[str] = set()
    for side in ("mx", "us"):
        for entity in scenario.side(side).values():
            marks = parse_markings(entity["markings"])
            assert marks.origin_country == side.upper(), entity["id"]
            assert marks.origin_agency in AGENCIES[side], entity["id"]
            assert marks.origin_agency.lower() == entity["id"].split("-")[1]
            handling.add(marks.handling)
            tlp.add(marks.tlp)
    assert handling == {"H0", "H1", "H2", "H3"}
    assert {"GREEN", "AMBER", "AMBER+STRICT", "RED"} <= tlp


def test_markings_mix_is_realistic(scenario: Scenario) -> None:
    entities = [e for s in ("mx", "us") for e in scenario.side(s).values()]
    low = sum(e["markings"]["handling"] in ("H0", "H1") for e in entities) / len(entities)
    amber = sum(e["markings"]["tlp"] == "AMBER" for e in entities) / len(entities)
    red = sum(e["markings"]["tlp"] == "RED" for e in entities) / len(entities)
    origin_only = sum(len(e["markings"]["releasability"]) == 1 for e in entities) / len(entities)
    assert low > 0.6
    assert amber > 0.4
    assert 0.005 < red < 0.15
    assert 0.02 < origin_only < 0.4
