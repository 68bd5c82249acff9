"""Screening with nomenklatura's logic-v2: the variants an analyst expects to be caught, the
look-alikes that must not be, and the accounts the hits point at."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from paridad.finance.screening.designations import DesignationList
from paridad.finance.screening.matcher import (
    Screener,
    designated_accounts,
    holders_as_entities,
)

LISTED: list[dict[str, Any]] = [
    {
        "id": "ofac-1",
        "schema": "Person",
        "target": True,
        "properties": {"name": ["Ovidio GUZMAN LOPEZ"], "birthDate": ["1990-03-29"]},
    },
    {
        "id": "ofac-2",
        "schema": "Company",
        "target": True,
        "properties": {"name": ["Importadora y Exportadora Valle Dorado, S.A. de C.V."]},
    },
    {
        "id": "uif-3",
        "schema": "Person",
        "target": True,
        "properties": {"name": ["María del Carmen Méndez Trejo"]},
    },
]


@pytest.fixture(scope="module")
def screener() -> Iterator[Screener]:
    with Screener(DesignationList.from_entities(LISTED, "sdn")) as s:
        yield s


def _person(pid: str, name: str, **props: str) -> dict[str, Any]:
    return {
        "id": pid,
        "schema": "Person",
        "properties": {"name": [name], **{k: [v] for k, v in props.items()}},
    }


def _company(cid: str, name: str) -> dict[str, Any]:
    return {"id": cid, "schema": "Company", "properties": {"name": [name]}}


def test_the_variants_of_a_listed_name_are_caught(screener: Screener) -> None:
    customers = [
        _person("c1", "Ovidio Guzmán López", birthDate="1990-03-29"),  # accents
        _person("c2", "GUZMAN LOPEZ, Ovidio"),  # surnames first
        _person("c3", "Ovidio Guzman"),  # no second surname
        _company("c4", "IMPORTADORA Y EXPORTADORA VALLE DORADO SA DE CV"),  # form written out
        _person("c5", "Maria del Carmen Mendez Trejo"),
    ]
    hits = {h.query_id: h for h in screener.screen(customers)}
    assert set(hits) == {"c1", "c2", "c3", "c4", "c5"}
    assert hits["c1"].designation.entity_id == "ofac-1" and hits["c1"].score > 0.95
    assert hits["c4"].designation.entity_id == "ofac-2"
    assert hits["c3"].score < hits["c1"].score  # a missing surname costs something


def test_look_alikes_are_not_hits(screener: Screener) -> None:
    customers = [
        # Shares the generic trade words and the company form, not the name.
        _company("n1", "Importadora y Exportadora Altamira, S.A. de C.V."),
        _person("n2", "María López"),
        _person("n3", "Carmen Trejo Ruiz"),
    ]
    assert screener.screen(customers) == []


def test_a_different_birth_date_lowers_the_score(screener: Screener) -> None:
    same = screener.screen([_person("a", "Ovidio Guzman Lopez", birthDate="1990-03-29")])
    other = screener.screen(
        [_person("b", "Ovidio Guzman Lopez", birthDate="1971-11-02")], threshold=0.0
    )
    assert same and other
    assert other[0].score < same[0].score
    assert any(f.name == "dob_year_disjoint" and f.score > 0 for f in other[0].features)


def test_a_hit_explains_itself_in_both_languages(screener: Screener) -> None:
    hit = screener.screen([_person("c1", "Ovidio Guzmán López")])[0]
    assert "Ovidio Guzmán López" in hit.explain("en") and "names match" in hit.explain("en")
    assert "coinciden" in hit.explain("es")
    record = hit.as_record()
    assert record["designated_id"] == "ofac-1" and record["algorithm"] == "logic-v2"
    assert any(f["name"] == "name_match" and f["detail"] for f in record["features"])


def test_the_listed_entity_itself_is_a_hit(screener: Screener) -> None:
    hits = screener.screen([LISTED[0]])
    assert [(h.query_id, h.score) for h in hits] == [("ofac-1", 1.0)]
    assert hits[0].features[0].name == "same_entity"


def test_only_persons_and_companies_are_screened(screener: Screener) -> None:
    vessel = {"id": "v", "schema": "Vessel", "properties": {"name": ["Ovidio Guzman Lopez"]}}
    assert screener.screen([vessel, {"schema": "Person"}, {"id": "x", "schema": "Nope"}]) == []


def test_hits_point_at_the_accounts_the_party_holds(screener: Screener) -> None:
    accounts: list[dict[str, Any]] = [
        {"account_id": "ACC1", "holder_id": None, "holder_name": "Ovidio Guzmán López"},
        {"account_id": "ACC2", "holder_id": "h2", "holder_name": "Juana Ruiz Díaz"},
        {"account_id": "ACC3", "holder_id": None, "holder_name": "Ovidio Guzmán López"},
    ]
    holders = holders_as_entities(accounts)
    assert len(holders) == 2
    hits = screener.screen(holders)
    marked = designated_accounts(hits, accounts)
    assert set(marked) == {"ACC1", "ACC3"}
    assert marked["ACC1"].startswith("Ovidio GUZMAN LOPEZ")
