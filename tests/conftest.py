"""Test fixtures for Paridad.

Policy:
- Fixtures are small and named; data comes from the synthetic scenario (``paridad.synth``) or
  is built by a helper here from the model, never a hand-typed wall of rows.
- Store tests run against every backend: SQLite always; PostgreSQL when
  ``PARIDAD_TEST_DATABASE_URL`` is set (``make test`` sets it to the local server). Each
  PostgreSQL test gets a schema of its own, dropped afterwards.
- ``PARIDAD_REQUIRE_SERVICES=1`` (set by ``.ci/run``) turns an unreachable service into a
  failure instead of a skip, so CI can never pass by not testing PostgreSQL.
- Nothing is mocked that can be run: the real database, real files, real processes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from paridad.i18n import set_lang
from paridad.node import Node
from paridad.store import Store, open_store

MARKINGS: dict[str, Any] = {
    "origin_country": "MX",
    "origin_agency": "FGR",
    "handling": "H1",
    "tlp": "AMBER",
    "releasability": ["MX", "US"],
    "reliability": "B",
    "credibility": "2",
    "legal_basis": "Tratado de Asistencia Jurídica Mutua MX-US (1987), art. 1",
    "purpose": ["firearms-trafficking"],
    "retain_until": "2031-12-31",
}


def postgres_url() -> str | None:
    url = os.environ.get("PARIDAD_TEST_DATABASE_URL")
    if not url:
        if os.environ.get("PARIDAD_REQUIRE_SERVICES") == "1":
            pytest.fail("PARIDAD_REQUIRE_SERVICES=1 but PARIDAD_TEST_DATABASE_URL is not set")
        return None
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=5).close()
    except psycopg.Error as exc:
        if os.environ.get("PARIDAD_REQUIRE_SERVICES") == "1":
            pytest.fail(f"PostgreSQL required but unreachable at {url}: {exc}")
        return None
    return url


def namespaced(url: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}schema=t_{uuid.uuid4().hex[:16]}"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Tests speak English unless they switch; the language never leaks between tests."""
    set_lang("en")
    yield
    set_lang("en")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    if name == "postgres" and postgres_url() is None:
        pytest.skip("PostgreSQL not configured (set PARIDAD_TEST_DATABASE_URL)")
    return name


@pytest.fixture
def node(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Node]:
    """An empty Mexican node whose store is SQLite or a PostgreSQL schema of its own."""
    name = None
    if backend == "postgres":
        base = postgres_url()
        assert base is not None
        monkeypatch.setenv("PARIDAD_DATABASE_URL", base)
        name = namespaced(base).rsplit("=", 1)[1]
    else:
        monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    created = Node.init(tmp_path / "node", "MX", "FGR", name=name)
    yield created
    if backend == "postgres":
        with created.open_store() as store:
            store.drop()  # type: ignore[attr-defined]


@pytest.fixture
def store_url(backend: str, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield str(tmp_path / "store.sqlite")
        return
    base = postgres_url()
    assert base is not None
    url = namespaced(base)
    yield url
    from paridad.store.postgres import PostgresStore

    cleanup = PostgresStore(url)
    cleanup.drop()
    cleanup.close()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = open_store(store_url)
    yield opened
    opened.close()


def entity(
    entity_id: str, schema: str, markings: dict[str, Any] | None = None, **props: Any
) -> dict[str, Any]:
    """An entity line as sources write it (``{"id", "schema", "properties", "markings"}``)."""
    properties = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
    return {
        "id": entity_id,
        "schema": schema,
        "properties": properties,
        "markings": dict(markings or MARKINGS),
    }
