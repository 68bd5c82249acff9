"""One behavioural suite, run against every store backend (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from followthemoney.statement import Statement

from paridad.ingest.records import entity_from_dict
from paridad.store import EntityRecord, IngestRun, QuarantinedRecord, Store, open_store
from paridad.store.base import statement_key
from tests.conftest import MARKINGS, entity


def record(
    data: dict[str, Any], dataset: str = "mx-test", seen: str = "2026-01-01T00:00:00"
) -> EntityRecord:
    return entity_from_dict(data, dataset, seen, "test")


PEOPLE = [
    entity(
        "p1",
        "Person",
        name="José de la Cruz Ramírez",
        birthDate="1980-05-04",
        idNumber="CURA800504HDFRMS09",
    ),
    entity("p2", "Person", name="María Guadalupe Hernández López", alias="Lupe Hernández"),
    entity("p3", "Person", name="John Ramirez"),
    entity("f1", "Firearm", serialNumber="AB 12345", make="Glock", type="pistol"),
    entity("c1", "Company", name="Transportes del Norte S.A. de C.V.", taxNumber="TNO010101AB1"),
]


@pytest.fixture
def loaded(store: Store) -> Store:
    store.put_all(record(p) for p in PEOPLE)
    return store


def test_round_trip_keeps_values_markings_and_provenance(loaded: Store) -> None:
    got = loaded.get("p1")
    assert got is not None
    assert got.schema == "Person"
    assert got.caption == "José de la Cruz Ramírez"
    assert got.markings.handling == "H1"
    assert got.markings.releasability == ("MX", "US")
    proxy = got.to_proxy()
    assert proxy.get("birthDate") == ["1980-05-04"]
    stmt = next(s for s in got.statements if s.prop == "name")
    assert stmt.dataset == "mx-test"
    assert stmt.first_seen == stmt.last_seen == "2026-01-01T00:00:00"
    assert loaded.get("nope") is None


def test_statement_ids_are_ftm_statement_ids(loaded: Store) -> None:
    got = loaded.get("p1")
    assert got is not None
    for stmt in got.statements:
        assert stmt.id == Statement.make_key(
            stmt.dataset, stmt.entity_id, stmt.prop, stmt.value, False
        )
        assert stmt.id == statement_key(stmt.dataset, stmt.entity_id, stmt.prop, stmt.value)


def test_counts(loaded: Store) -> None:
    assert loaded.counts() == {"Company": 1, "Firearm": 1, "Person": 3}
    assert loaded.entity_count() == 5
    assert loaded.statement_count() == sum(len(record(p).rows) for p in PEOPLE)
    assert loaded.check() == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jose ramirez", {"p1"}),  # without accents
        ("Ramírez José", {"p1"}),  # surname first
        ("de la Cruz", {"p1"}),  # particles do not matter
        ("RAMIREZ", {"p1", "p3"}),  # both countries' spellings
        ("guadalupe hernandez", {"p2"}),
        ("lupe", {"p2"}),  # aliases are names too
        ("hernan", {"p2"}),  # the last word may be a prefix
        ("CURA800504HDFRMS09", {"p1"}),  # identifiers
        ("AB12345", {"f1"}),
        ("ab 12345", {"f1"}),  # typed with a space
        ("TNO010101AB1", {"c1"}),
        ("transportes norte", {"c1"}),
        ("nobody here", set()),
        ("", set()),
    ],
)
def test_search(loaded: Store, query: str, expected: set[str]) -> None:
    assert {hit.id for hit in loaded.search(query)} == expected


def test_search_filters_by_schema_and_ranks_best_first(loaded: Store) -> None:
    assert [h.id for h in loaded.search("ramirez", schema="Company")] == []
    hits = loaded.search("jose cruz ramirez")
    assert hits[0].id == "p1"
    assert hits[0].origin_country == "MX"
    assert len(loaded.search("ramirez", limit=1)) == 1


def test_same_entity_from_two_sources_merges_without_loosening(store: Store) -> None:
    us = {
        **MARKINGS,
        "origin_country": "US",
        "origin_agency": "ATF",
        "handling": "H3",
        "tlp": "RED",
        "releasability": ["US", "MX"],
        "retain_until": "2030-01-01",
    }
    store.put_all([record(entity("x", "LegalEntity", name="Juan Pérez"), "mx-a")])
    store.put_all(
        [record(entity("x", "Person", us, name="Juan Perez", birthDate="1975-02-03"), "us-b")]
    )
    got = store.get("x")
    assert got is not None
    assert got.schema == "Person"  # the more specific schema wins
    assert got.markings.origin_country == "MX"  # first known originator stays
    assert got.markings.handling == "H3" and got.markings.tlp == "RED"
    assert str(got.markings.retain_until) == "2030-01-01"
    assert {s.dataset for s in got.statements} == {"mx-a", "us-b"}
    assert {h.id for h in store.search("perez juan")} == {"x"}


def test_rewriting_the_same_statements_changes_nothing_but_last_seen(store: Store) -> None:
    store.put_all([record(PEOPLE[0], seen="2026-01-01T00:00:00")])
    before = store.get("p1")
    store.put_all([record(PEOPLE[0], seen="2026-02-01T00:00:00")])
    after = store.get("p1")
    assert before is not None and after is not None
    assert store.statement_count() == len(before.rows)
    assert [s.value for s in before.statements] == [s.value for s in after.statements]
    assert {s.first_seen for s in after.statements} == {"2026-01-01T00:00:00"}
    assert {s.last_seen for s in after.statements} == {"2026-02-01T00:00:00"}
    assert len(store.search("jose ramirez")) == 1


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.writer() as writer:
        for p in PEOPLE:
            writer.put(record(p))
        writer.flush()  # type: ignore[attr-defined]
        raise RuntimeError("crash")
    assert store.entity_count() == 0
    assert store.statement_count() == 0
    assert store.search("ramirez") == []


def test_quarantine_and_runs_round_trip(store: Store) -> None:
    q = QuarantinedRecord(
        "mx-test",
        "a.csv",
        7,
        {"serial": "??"},
        "Line is not valid JSON: {reason}",
        {"reason": "x"},
        "2026-01-01T00:00:00",
    )
    run = IngestRun(
        "mx-test", "a.csv", "d" * 64, "2026-01-01T00:00:00", "2026-01-01T00:00:01", 3, 9, 1
    )
    with store.writer() as writer:
        writer.quarantine(q)
        writer.quarantine(q)  # same source line: replaced, not duplicated
        writer.finish_run(run)
    assert store.quarantined() == [q]
    assert store.quarantined("other") == []
    assert store.find_run("mx-test", "d" * 64) == run
    assert store.find_run("mx-test", "e" * 64) is None
    assert store.runs() == [run]


def test_reopening_sees_committed_data(store_url: str) -> None:
    first = open_store(store_url)
    first.put_all(record(p) for p in PEOPLE)
    first.close()
    again = open_store(store_url)
    assert again.entity_count() == len(PEOPLE)
    again.close()
