"""The pipeline on the synthetic scenario: encoded linkage finds the planted pairs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from paridad.bench.link import _scenario_side
from paridad.errors import ParidadError
from paridad.match.clk import LinkageKey
from paridad.match.compare import Matches
from paridad.match.features import normalise
from paridad.match.linkage import LINK_THRESHOLD, _residual, encode_side, link_encoded, link_plain
from paridad.match.scoring import FellegiSunter
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


def test_m_is_learned_by_em_with_u_held() -> None:
    u = [[0.0001, 0.0004, 0.001, 0.004, 0.02, 0.1, 0.8745]] * 2
    prior_m = [
        [0.45, 0.27, 0.15, 0.07, 0.04, 0.015, 0.005],
        [0.8, 0.05, 0.04, 0.04, 0.03, 0.02, 0.02],
    ]
    model = FellegiSunter(["name", "birth"], np.asarray(prior_m), np.asarray(u), prior=0.001)
    # 900 true pairs agree on both, 300 have another birth date, 5,000 strangers differ.
    rows = [(0, 0)] * 900 + [(0, 6)] * 300 + [(6, 6)] * 5000
    learned = model.learn_m(np.asarray(rows, dtype=np.int8))
    assert learned.learned_from == len(rows) and learned.to_dict()["m_learned_from"] == len(rows)
    assert 0.15 < learned.m[1, 6] < 0.3  # a quarter of the true pairs, less the prior's pull
    assert learned.m[0, 0] > 0.9 and np.allclose(learned.u, model.u)
    assert model.learn_m(np.zeros((0, 2), dtype=np.int8)) is model


def test_the_residual_pass_pairs_what_nobody_else_wants() -> None:
    u = np.asarray([[0.0001, 0.0004, 0.001, 0.004, 0.02, 0.1, 0.8745]])
    m = np.asarray([[0.45, 0.27, 0.15, 0.07, 0.04, 0.015, 0.005]])
    model = FellegiSunter(["name"], m, u, prior=1 / 1000)
    left, right = np.arange(3, dtype=np.int64), np.arange(3, dtype=np.int64)
    levels = np.asarray([[0], [0], [3]], dtype=np.int8)  # the last pair is weak: 17.5 : 1
    first = Matches(left[:2], right[:2], model.probability_of_levels(levels[:2]))
    assert model.probability_of_levels(levels[2:])[0] < LINK_THRESHOLD
    # Among 1,000 by 1,000 records the weak pair stays out; between the last two it gets in.
    assert len(_residual(first, left, right, levels, model, LINK_THRESHOLD, 1000, 1000)) == 2
    both = _residual(first, left, right, levels, model, LINK_THRESHOLD, 3, 3)
    assert sorted(both.left.tolist()) == [0, 1, 2]
