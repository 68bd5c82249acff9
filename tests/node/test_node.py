"""A node is a directory with its identity and its own store."""

from __future__ import annotations

from pathlib import Path

import pytest

from paridad.errors import NodeError
from paridad.node import Node
from tests.conftest import namespaced, postgres_url


def test_init_and_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    node = Node.init(tmp_path / "mx", "mx", "FGR")
    assert node.config.country == "MX" and node.config.name == "mx-fgr"
    assert (tmp_path / "mx" / "store.sqlite").exists()
    again = Node.open(tmp_path / "mx")
    assert again.config == node.config
    with again.open_store() as store:
        assert store.backend == "sqlite" and store.entity_count() == 0


@pytest.mark.parametrize(
    ("country", "agency", "fragment"),
    [("CA", "RCMP", "MX or US"), ("US", "", "short name"), ("US", "x" * 81, "short name")],
)
def test_init_refuses_bad_identity(
    tmp_path: Path, country: str, agency: str, fragment: str
) -> None:
    with pytest.raises(NodeError, match=fragment):
        Node.init(tmp_path / "n", country, agency)
    assert not (tmp_path / "n" / "node.yaml").exists()


def test_init_twice_and_open_missing_or_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    Node.init(tmp_path / "us", "US", "ATF")
    with pytest.raises(NodeError) as err:
        Node.init(tmp_path / "us", "US", "ATF")
    assert "ya es un nodo" in err.value.localized("es")
    with pytest.raises(NodeError, match="not a Paridad node"):
        Node.open(tmp_path / "nothing")
    (tmp_path / "us" / "node.yaml").write_text("name: [", encoding="utf-8")
    with pytest.raises(NodeError, match="damaged"):
        Node.open(tmp_path / "us")


def test_postgres_node_gets_a_schema_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = postgres_url()
    if base is None:
        pytest.skip("PostgreSQL not configured")
    monkeypatch.setenv("PARIDAD_DATABASE_URL", base)
    name = namespaced(base).rsplit("=", 1)[1]
    node = Node.init(tmp_path / "mx", "MX", "FGR", name=name)
    assert node.config.database_url is not None
    assert node.config.database_url.endswith(f"schema=node_{name}")
    with node.open_store() as store:
        assert store.backend == "postgres"
        store.put_all([])
    from paridad.ingest import ingest_file
    from tests.conftest import entity
    from tests.ingest.helpers import write_jsonl

    data = write_jsonl(tmp_path / "p.jsonl", [entity("p1", "Person", name="Ana Ruiz")])
    with node.open_store() as store:
        ingest_file(store, data, dataset="people")
    # A second node directory must not silently share the first one's data.
    with pytest.raises(NodeError, match="another --name"):
        Node.init(tmp_path / "other", "MX", "FGR", name=name)
    with node.open_store() as store:
        store.drop()  # type: ignore[attr-defined]
