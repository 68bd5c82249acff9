"""``paridad bench exchange``: records per second between two real nodes, and share latency.

Two ``paridad serve`` processes on loopback over mutual TLS. End to end means: the sender's
release gate, signing, outbox, delivery over HTTPS, the receiver's signature and agreement
checks, idempotent apply into its store, and the audit entries on both sides — timed from
the start of the share until the sender holds the acknowledgement of the last batch.
Latency is one record shared at a time, from the call to ``share`` until the receiver has
committed it. In the same run, the same request bodies go over the same HTTPS stack to a
server that only parses them (:mod:`paridad.bench.ceiling`): the ceiling.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson

from paridad.exchange.context import Exchange
from paridad.exchange.courier import MAX_ENVELOPES
from paridad.exchange.pairing import NodeServer, free_port, pair
from paridad.exchange.tls import client_context, ensure_tls_files
from paridad.exchange.workflows.share import share
from paridad.ingest.records import entity_from_dict
from paridad.node import Node
from paridad.store.base import EntityRecord

MARKINGS = {
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
MAKES = ("Colt", "Glock", "Smith & Wesson", "Ruger", "SIG Sauer", "Barrett", "FN Herstal")


def _records(n: int) -> list[EntityRecord]:
    """Firearms with the properties a trace carries, plus one the agreement holds back."""
    out = []
    for i in range(n):
        item = {
            "id": f"mx-fgr-firearm-{i:07d}",
            "schema": "Firearm",
            "markings": MARKINGS,
            "properties": {
                "serialNumber": [f"{'ABCDEFGH'[i % 8]}{i:08d}"],
                "make": [MAKES[i % len(MAKES)]],
                "model": [f"Model {i % 97}"],
                "caliber": [("9mm", ".38 Super", "5.56x45mm", "7.62x39mm", ".50 BMG")[i % 5]],
                "type": [("pistol", "rifle")[i % 2]],
                "notes": [f"internal note {i}"],
            },
        }
        out.append(entity_from_dict(item, "bench", "2026-01-01T00:00:00", "bench"))
    return out


def _wait(check: Any, timeout: float = 600.0, pause: float = 0.002) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("exchange did not complete")
        time.sleep(pause)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(records: int = 20_000, latency_samples: int = 200, **_: Any) -> Iterator[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="paridad-bench-exchange-") as tmp:
        root = Path(tmp)
        os.environ.pop("PARIDAD_DATABASE_URL", None)  # the embedded default
        mx = Node.init(root / "mx", "MX", "FGR", name="mx-fgr")
        us = Node.init(root / "us", "US", "ATF", name="us-atf")
        ports = free_port(), free_port()
        pair(mx, us, f"https://127.0.0.1:{ports[0]}", f"https://127.0.0.1:{ports[1]}")
        with Exchange(mx) as ex, ex.db.transaction() as tx:
            tx.put_records(_records(records + latency_samples))
        ids = [f"mx-fgr-firearm-{i:07d}" for i in range(records + latency_samples)]
        bulk, single = ids[:records], ids[records:]
        with (
            NodeServer(mx.path, ports[0]),
            NodeServer(us.path, ports[1]),
            Exchange(mx) as sender,
            Exchange(us) as receiver,
        ):

            def received() -> int:
                return int(receiver.db.query("SELECT COUNT(*) FROM received")[0][0])

            def acknowledged() -> bool:
                pending = sender.db.query(
                    "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL AND kind = 'share'"
                )
                return int(pending[0][0]) == 0

            started = time.perf_counter()
            result = share(sender, "us-atf", "firearms-trafficking", bulk)
            shared = time.perf_counter() - started
            # Checking costs CPU the two nodes need (COUNT over the growing table): look every
            # 20 ms, under 1% of a run of seconds, not every 2 ms.
            _wait(lambda: received() >= records and acknowledged(), pause=0.02)
            seconds = time.perf_counter() - started
            assert result.released == records, result.to_dict()

            latencies: list[float] = []
            for entity_id in single:
                before = received()
                t0 = time.perf_counter()
                share(sender, "us-atf", "firearms-trafficking", [entity_id])
                _wait(lambda b=before: received() > b, timeout=60, pause=0.0005)
                latencies.append((time.perf_counter() - t0) * 1000)

            bodies = _bodies(sender, records)
        ceiling_seconds = _post_to_ceiling(mx, us, bodies)
    yield {
        "bench": "exchange",
        "system": "paridad",
        "backend": "sqlite",
        "transport": "https-mtls",
        "records": records,
        "envelopes": len(result.envelopes),
        "seconds": round(seconds, 3),
        "per_second": round(records / seconds, 1),
        # The sender's own part (read, gate, sign, outbox), which delivery overlaps.
        "sender_seconds": round(shared, 3),
        "share_p50_ms": round(statistics.median(latencies), 2),
        "share_p99_ms": round(_percentile(latencies, 0.99), 2),
        "latency_samples": len(latencies),
    }
    yield {
        "bench": "exchange",
        "system": "https-ceiling",
        "backend": "none",
        "transport": "https-mtls",
        "records": records,
        "seconds": round(ceiling_seconds, 3),
        "per_second": round(records / ceiling_seconds, 1),
        "paridad_share_of_ceiling": round(ceiling_seconds / seconds, 3),
    }
    sys.stdout.flush()


def _bodies(sender: Exchange, records: int) -> list[bytes]:
    """The request bodies the courier sent for the bulk share, batched as it batches."""
    rows = sender.db.query(
        "SELECT envelope FROM outbox WHERE kind = 'share' ORDER BY seq LIMIT ?",
        (-(-records // 1000),),
    )
    envelopes = [r[0] for r in rows]
    return [
        b'{"envelopes":[' + ",".join(envelopes[i : i + MAX_ENVELOPES]).encode() + b"]}"
        for i in range(0, len(envelopes), MAX_ENVELOPES)
    ]


def _post_to_ceiling(mx: Node, us: Node, bodies: list[bytes]) -> float:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "paridad.bench.ceiling", str(mx.path), str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        # The parse-only server runs with the MX node's TLS identity and trusts the US node,
        # so the client is the US node pinning the MX certificate: the courier's exact setup.
        server = ensure_tls_files(mx.path, mx.identity(), mx.config.name)
        files = ensure_tls_files(us.path, us.identity(), us.config.name)
        context = client_context(files, server.certificate_pem)
        with httpx.Client(verify=context, timeout=60) as client:
            url = f"https://127.0.0.1:{port}/v1/envelopes"
            deadline = time.monotonic() + 60
            while True:
                try:
                    client.post(url, content=bodies[0]).raise_for_status()
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            started = time.perf_counter()
            for body in bodies:
                answer = client.post(
                    url, content=body, headers={"content-type": "application/json"}
                )
                orjson.loads(answer.content)
            return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)
