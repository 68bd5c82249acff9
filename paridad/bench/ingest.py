"""``paridad bench ingest``: entities per second into a node's store, against nomenklatura.

Paridad's figure is the whole ingest of an FtM entity stream file (read, validate every value
and marking, build statements, write entities, statements and the search index). The peer,
nomenklatura's SQL statement store, is given the same statements already built and only
writes them — so the comparison is, if anything, tilted towards the peer.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from paridad import settings
from paridad.errors import ParidadError
from paridad.i18n import N_

MSG_NO_POSTGRES = N_("PostgreSQL is not reachable at {url}: {reason}")
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def postgres_url() -> str:
    return settings.database_url() or DEFAULT_POSTGRES


def _peak_rss_mb() -> float:
    """Peak resident memory of this process plus the largest child it waited for (Paridad's
    writer process), in MiB: an upper bound of what the load needed at once."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round((own + children) / 1024.0, 1)


def _paridad(backend: str, path: str, n: int, workdir: str) -> dict[str, Any]:
    from paridad.ingest import ingest_file
    from paridad.store import Store, open_store

    if backend == "sqlite":
        url = os.path.join(workdir, "paridad.sqlite")
    else:
        url = f"{postgres_url()}{'&' if '?' in postgres_url() else '?'}schema=bench_paridad_{os.getpid()}"
    store: Store = open_store(url)
    try:
        started = time.perf_counter()
        report = ingest_file(store, Path(path), dataset="bench")
        seconds = time.perf_counter() - started
        assert report.entities == n and report.quarantined == 0, report
        return {"seconds": seconds, "statements": report.statements, "peak_rss_mb": _peak_rss_mb()}
    finally:
        if backend == "postgres":
            store.drop()  # type: ignore[attr-defined]
        store.close()


def _nomenklatura(backend: str, path: str, n: int, workdir: str) -> dict[str, Any]:
    from followthemoney.dataset import Dataset
    from followthemoney.statement import Statement
    from nomenklatura.resolver import Linker
    from nomenklatura.store.sql import SQLStore
    from sqlalchemy import create_engine, text

    import paridad.model  # noqa: F401  (Paridad's schemata must be known to FtM)

    seen = datetime.now(UTC).replace(microsecond=0).isoformat()
    statements: list[Statement] = []
    with open(path, "rb") as fh:
        for line in fh:
            data = orjson.loads(line)
            for prop, values in data["properties"].items():
                for value in values:
                    statements.append(
                        Statement(
                            entity_id=data["id"],
                            prop=prop,
                            schema=data["schema"],
                            value=value,
                            dataset="bench",
                            first_seen=seen,
                            last_seen=seen,
                        )
                    )
    namespace = f"bench_nk_{os.getpid()}"
    if backend == "sqlite":
        engine = create_engine(f"sqlite:///{os.path.join(workdir, 'nk.sqlite')}")
    else:
        url = postgres_url().replace("postgresql://", "postgresql+psycopg://", 1)
        engine = create_engine(url, connect_args={"options": f"-csearch_path={namespace}"})
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {namespace}"))
    try:
        dataset = Dataset.make({"name": "bench", "title": "bench"})
        store: SQLStore[Dataset, Any] = SQLStore(dataset, Linker({}), engine)
        started = time.perf_counter()
        with store.writer() as writer:
            for stmt in statements:
                writer.add_statement(stmt)
        seconds = time.perf_counter() - started
        return {"seconds": seconds, "statements": len(statements), "peak_rss_mb": _peak_rss_mb()}
    finally:
        if backend == "postgres":
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {namespace} CASCADE"))
        engine.dispose()


def _child(target: str, backend: str, path: str, n: int, workdir: str, out: Any) -> None:
    try:
        fn = _paridad if target == "paridad" else _nomenklatura
        out.send({"ok": fn(backend, path, n, workdir)})
    except BaseException as exc:  # reported to the parent, which raises it
        out.send({"error": f"{type(exc).__name__}: {exc}"})


def _measure(target: str, backend: str, path: Path, n: int, workdir: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(target, backend, str(path), n, str(workdir), child))
    proc.start()
    result = parent.recv()
    proc.join()
    if "error" in result:
        raise RuntimeError(f"{target} on {backend}: {result['error']}")
    return dict(result["ok"])


def _check_postgres() -> None:
    import psycopg

    try:
        psycopg.connect(postgres_url(), connect_timeout=5).close()
    except psycopg.Error as exc:
        raise ParidadError(MSG_NO_POSTGRES, url=postgres_url(), reason=str(exc).strip()) from None


def run(
    entities: int = 20_000, backends: list[str] | None = None, seed: int = 1, **_: Any
) -> Iterator[dict[str, Any]]:
    from paridad.synth import sample_entities

    chosen = backends or ["sqlite", "postgres"]
    if "postgres" in chosen:
        _check_postgres()
    with tempfile.TemporaryDirectory(prefix="paridad-bench-") as tmp:
        workdir = Path(tmp)
        path = workdir / "entities.jsonl"
        with path.open("wb") as fh:
            for entity in sample_entities(entities, seed=seed):
                fh.write(orjson.dumps(entity) + b"\n")
        for backend in chosen:
            results = {}
            for system in ("nomenklatura", "paridad"):
                for stale in workdir.glob("*.sqlite*"):
                    stale.unlink()
                results[system] = _measure(system, backend, path, entities, workdir)
            peer = results["nomenklatura"]
            for system, result in results.items():
                seconds = result["seconds"]
                line = {
                    "bench": "ingest",
                    "system": system,
                    "backend": backend,
                    "dataset": f"synth-seed{seed}",
                    "n": entities,
                    "seconds": round(seconds, 3),
                    "per_second": round(entities / seconds, 1),
                    "statements": result["statements"],
                    "statements_per_second": round(result["statements"] / seconds, 1),
                    "peak_rss_mb": result["peak_rss_mb"],
                }
                if system == "paridad":
                    line["speedup_vs_peer"] = round(peer["seconds"] / seconds, 2)
                yield line
    sys.stdout.flush()
