"""Two real ``paridad serve`` processes over mutual TLS: delivery, bad requests, and SIGKILL
of either node in the middle of a transfer losing and duplicating nothing."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from paridad.exchange.context import Exchange
from paridad.exchange.pairing import NodeServer, free_port, pair
from paridad.exchange.partners import get_partner
from paridad.exchange.tls import client_context, ensure_tls_files
from paridad.exchange.workflows.share import share
from paridad.ingest.records import entity_from_dict
from paridad.node import Node
from tests.conftest import MARKINGS, entity


@dataclass
class Live:
    mx: Node
    us: Node
    mx_server: NodeServer
    us_server: NodeServer


def _people(n: int) -> list[dict[str, object]]:
    return [
        entity(
            f"mx-person-{i:06d}", "Person", MARKINGS, name=f"Persona {i}", birthDate="1980-01-01"
        )
        for i in range(n)
    ]


SHARES = "SELECT COUNT(*) FROM inbox WHERE kind = 'share'"


def _load(node: Node, n: int) -> None:
    records = [entity_from_dict(i, "local", "2026-01-01T00:00:00", "t") for i in _people(n)]
    with Exchange(node) as ex, ex.db.transaction() as tx:
        tx.put_records(records)


def _wait(check: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _count(node: Node, sql: str) -> int:
    with Exchange(node) as ex:
        return int(ex.db.query(sql)[0][0])


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    mx = Node.init(tmp_path / "mx", "MX", "FGR", name="mx-fgr")
    us = Node.init(tmp_path / "us", "US", "ATF", name="us-atf")
    ports = free_port(), free_port()
    pair(mx, us, f"https://127.0.0.1:{ports[0]}", f"https://127.0.0.1:{ports[1]}")
    servers = NodeServer(mx.path, ports[0]), NodeServer(us.path, ports[1])
    yield Live(mx, us, *servers)
    for server in servers:
        server.stop()


def test_share_over_mutual_tls(live: Live) -> None:
    _load(live.mx, 50)
    live.mx_server.start()
    live.us_server.start()
    with Exchange(live.mx) as ex:
        result = share(ex, "us-atf", "firearms-trafficking", ex.entity_ids())
    assert result.released == 50
    _wait(lambda: _count(live.us, "SELECT COUNT(*) FROM received") == 50)
    _wait(lambda: _count(live.mx, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == 0)


def test_bad_requests_get_translated_errors_and_change_nothing(live: Live) -> None:
    live.us_server.start()
    files = ensure_tls_files(live.mx.path, live.mx.identity(), "mx-fgr")
    partner = get_partner(live.mx.path, "us-atf")
    url = partner.url + "/v1/envelopes"
    with httpx.Client(verify=client_context(files, partner.certificate_pem)) as client:
        for body in (b"not json", b"[1,2]", b'{"envelopes": 3}'):
            answer = client.post(url, content=body, headers={"accept-language": "es"})
            assert answer.status_code == 400
            assert "sobres" in answer.json()["error"]["message"]  # Spanish message
        forged = {"header": {"sender": "x"}, "payload": {}, "signature": "AAAA"}
        answer = client.post(url, json={"envelopes": [forged]})
        assert answer.status_code == 422 and answer.json()["applied"] == []
        assert client.get(partner.url + "/openapi.json").json()["info"]["title"]
    assert _count(live.us, "SELECT COUNT(*) FROM inbox") == 0
    # Without a registered certificate, the handshake itself fails.
    with pytest.raises(httpx.HTTPError), httpx.Client(verify=False) as anonymous:
        anonymous.post(url, content=b"{}")


@pytest.mark.parametrize("victim", ["receiver", "sender"])
def test_sigkill_mid_transfer_loses_and_duplicates_nothing(live: Live, victim: str) -> None:
    # Three deliveries of eight envelopes: a kill after the first envelopes are applied
    # still leaves deliveries to make, however fast the first one went.
    n = 24_000
    _load(live.mx, n)
    with Exchange(live.mx) as ex:
        result = share(ex, "us-atf", "firearms-trafficking", ex.entity_ids())
    envelopes = len(result.envelopes)
    assert result.released == n and envelopes == 24
    live.us_server.start()
    live.mx_server.start()
    server = live.us_server if victim == "receiver" else live.mx_server
    # Kill once some but not all batches have been applied.
    _wait(
        lambda: _count(live.us, "SELECT COUNT(*) FROM inbox WHERE kind = 'share'") >= 2, timeout=120
    )
    server.kill()
    applied_at_kill = _count(live.us, "SELECT COUNT(*) FROM inbox WHERE kind = 'share'")
    assert applied_at_kill < envelopes, "transfer finished before the kill; raise n"
    server.start()
    _wait(lambda: _count(live.us, SHARES) == envelopes, timeout=180)
    _wait(lambda: _count(live.mx, "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") == 0)
    assert _count(live.us, "SELECT COUNT(*) FROM received") == n
    assert _count(live.us, "SELECT COUNT(*) FROM entities") == n
    assert (
        _count(live.us, "SELECT COUNT(DISTINCT seq) FROM inbox WHERE kind = 'share'") == envelopes
    )
    receipts = _count(live.us, "SELECT COUNT(*) FROM audit_entries WHERE kind = 'receipt'")
    assert receipts == envelopes
