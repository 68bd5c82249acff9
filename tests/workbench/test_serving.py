"""Serving the workbenches: several nodes from one ``paridad web``, and the demo's printed
addresses and passwords, which must let a person sign in on both nodes."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from paridad.exchange.pairing import free_port
from paridad.node import Node
from paridad.workbench.app import create_workbench
from tests.cli.run import run
from tests.workbench.conftest import make_workbench


def _two_free_ports() -> int:
    """A free port whose next port is free too."""
    while True:
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


@pytest.mark.slow
def test_one_command_serves_two_nodes_on_consecutive_ports(tmp_path: Path) -> None:
    mx = make_workbench(tmp_path / "mx")
    us = Node.init(tmp_path / "us", "US", "ATF", name="us-atf-test")
    port = _two_free_ports()
    env = {k: v for k, v in os.environ.items() if k != "PARIDAD_DATABASE_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "paridad", "web", "--node", str(mx.node.path),
         "--node", str(us.path), "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        names: list[str] = []
        deadline = time.monotonic() + 30
        for p in (port, port + 1):
            while True:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{p}/login", timeout=1)
                    names.append(answer.text)
                    break
                except httpx.TransportError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        err = process.stderr.read() if process.stderr else ""
                        pytest.fail(f"paridad web did not start: {err}")
                    time.sleep(0.1)
        assert "mx-fgr-test" in names[0] and "us-atf-test" in names[1]
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out and f"http://127.0.0.1:{port + 1}/" in out


def test_a_wrong_node_stops_before_any_address_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "web", "--node", str(tmp_path / "nowhere"), "--port", "8090")
    assert code != 0
    assert "http://" not in out
    assert err.strip()


@pytest.mark.slow
def test_the_demo_prints_both_workbenches_with_passwords_that_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    monkeypatch.setenv("PARIDAD_LANG", "en")
    code, out, _ = run(capsys, "demo", "--workdir", str(tmp_path), "--no-exchange")
    assert code == 0
    found = re.findall(r"(http://127\.0\.0\.1:\d+/)\s+user (\S+)\s+password (\S+)", out)
    assert [url for url, _, _ in found] == ["http://127.0.0.1:8080/", "http://127.0.0.1:8081/"]
    assert "--node " + str(tmp_path / "nodes" / "mx") in out
    for (_, user, password), side in zip(found, ("mx", "us"), strict=True):
        app = create_workbench(tmp_path / "nodes" / side)
        with TestClient(app, follow_redirects=False) as client:
            answer = client.post("/login", data={"username": user, "password": password})
            assert answer.status_code == 303, side
    assert found[0][2] != found[1][2]
