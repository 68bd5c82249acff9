"""The pipeline on the synthetic scenario: encoded linkage finds the planted pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from paridad.bench.link import _scenario_side
from paridad.errors import ParidadError
from paridad.match.clk import LinkageKey
from paridad.match.features import normalise
from paridad.match.linkage import encode_side, link_encoded, link_plain
from paridad.match.sources import MSG_DUPLICATE_ID, parse_mapping, read_side
from paridad.synth import generate


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scenario")
    generate(root, seed=1, scale="small")
    return root


def _truth(root: Path) -> set[tuple[str, str]]:
    data = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    return {(p["mx"], p["us"]) for p in data["people_pairs"]}


def _f1(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> float:
    tp = len(found & truth)
    return 2 * tp / (len(found) + len(truth))


def test_encoded_linkage_finds_the_scenarios_people(scenario: Path) -> None:
    mx_ids, mx = _scenario_side(scenario, "mx")
    us_ids, us = _scenario_side(scenario, "us")
    key = LinkageKey.derive(b"shared agreement secret 32 bytes", "MX-US/people")
    outcome = link_encoded(
        encode_side(mx_ids, mx, key), encode_side(us_ids, us, key), one_to_one_only=True
    )
    found = {(a, b) for a, b, _ in outcome.pairs()}
    assert _f1(found, _truth(scenario)) > 0.95
    # One-to-one: no record twice.
    assert len({a for a, _ in found}) == len({b for _, b in found}) == len(found)
    assert outcome.model["model"] == "fellegi-sunter" and outcome.comparisons > 0


def test_hits_per_query_and_the_plaintext_reference_agree(scenario: Path) -> None:
    mx_ids, mx = _scenario_side(scenario, "mx")
    us_ids, us = _scenario_side(scenario, "us")
    key = LinkageKey.random()
    hits = link_encoded(encode_side(mx_ids, mx, key), encode_side(us_ids, us, key))
    plain = link_plain(mx_ids, mx, us_ids, us, one_to_one_only=True)
    truth = _truth(scenario)
    assert _f1({(a, b) for a, b, _ in hits.pairs()}, truth) > 0.93
    assert _f1({(a, b) for a, b, _ in plain.pairs()}, truth) > 0.95
    assert all(0.5 <= s <= 1.0 for _, _, s in hits.pairs())


def test_namesakes_with_other_birth_dates_are_not_hits(scenario: Path) -> None:
    data = json.loads((scenario / "truth.json").read_text(encoding="utf-8"))
    negatives = {(p["mx"], p["us"]) for p in data["people_hard_negatives"]}
    mx_ids, mx = _scenario_side(scenario, "mx")
    us_ids, us = _scenario_side(scenario, "us")
    key = LinkageKey.random()
    hits = link_encoded(encode_side(mx_ids, mx, key), encode_side(us_ids, us, key))
    found = {(a, b) for a, b, _ in hits.pairs()}
    assert negatives and len(found & negatives) <= len(negatives) // 4


def test_organisations_link_across_legal_forms() -> None:
    left = [
        normalise({"name": n}, "organization")
        for n in ("Transportes del Norte, S.A. de C.V.", "Ferretería La Paz S. de R.L.")
    ]
    right = [
        normalise({"name": n}, "organization")
        for n in ("TRANSPORTES DEL NORTE LLC", "Acme Holdings Inc")
    ]
    outcome = link_plain(["a", "b"], left, ["x", "y"], right, one_to_one_only=True)
    assert [(a, b) for a, b, _ in outcome.pairs()] == [("a", "x")]


def test_reading_csv_sides(tmp_path: Path) -> None:
    path = tmp_path / "mx.csv"
    path.write_text("id,nombre,apellidos,sexo\n1,José,Pérez,H\n2,María,López,M\n", encoding="utf-8")
    mapping = parse_mapping(["nombre=given_name", "apellidos=surname", "sexo=sex"])
    side = read_side(path, mapping, "id", "person")
    assert side.ids == ["1", "2"] and side.records[1].sex == "f"  # H/M: M is mujer
    path.write_text("id,nombre\n1,José\n1,Juan\n", encoding="utf-8")
    with pytest.raises(ParidadError) as caught:
        read_side(path, mapping, "id", "person")
    assert caught.value.msgid == MSG_DUPLICATE_ID and caught.value.params["line"] == 3
