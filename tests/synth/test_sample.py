"""``sample_entities`` gives exactly n valid, marked, self-contained entities, fast."""

from __future__ import annotations

from collections import Counter

import pytest

from paridad.model import model
from paridad.model.markings import parse_markings
from paridad.synth import sample_entities


@pytest.mark.parametrize("n", [0, 1, 2, 17, 1000])
def test_exactly_n(n: int) -> None:
    assert len(sample_entities(n)) == n


def test_deterministic_and_seeded() -> None:
    assert sample_entities(500, seed=3) == sample_entities(500, seed=3)
    assert sample_entities(500, seed=3) != sample_entities(500, seed=4)
    # A shorter sample is a prefix of a longer one with the same seed.
    assert sample_entities(300, seed=3) == sample_entities(500, seed=3)[:300]


def test_valid_marked_and_closed_under_references() -> None:
    entities = sample_entities(5000, seed=9)
    ids = {e["id"] for e in entities}
    assert len(ids) == len(entities)
    schemata = Counter(e["schema"] for e in entities)
    assert len(schemata) >= 10 and schemata["Person"] > schemata["Sanction"]
    for e in entities:
        parse_markings(e["markings"])
        proxy = model.get_proxy({k: e[k] for k in ("id", "schema", "properties")}, cleaned=False)
        cleaned = proxy.to_dict()["properties"]
        for prop, values in e["properties"].items():
            assert sorted(cleaned.get(prop, [])) == sorted(values), (e["id"], prop)
            p = proxy.schema.get(prop)
            assert p is not None
            if p.type.name == "entity":
                assert all(v in ids for v in values), (e["id"], prop)
