"""A node killed (SIGKILL) in the middle of an ingest loses nothing and half-loads nothing.

Real processes, real store: the ingest runs as ``paridad ingest`` in a child process, which is
killed once its progress bar shows it well into the file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paridad.node import Node
from tests.conftest import entity, namespaced, postgres_url
from tests.ingest.helpers import write_jsonl

N = 40_000


def _node(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Node:
    if backend == "postgres":
        base = postgres_url()
        assert base is not None
        monkeypatch.setenv("PARIDAD_DATABASE_URL", namespaced(base).split("?schema=")[0])
    else:
        monkeypatch.delenv("PARIDAD_DATABASE_URL", raising=False)
    return Node.init(tmp_path / "node", "MX", "FGR", name=f"crash_{os.getpid()}_{time.time_ns()}")


def _ingest(node: Node, path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PARIDAD_INGEST_BATCH": "2000", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from paridad.cli import main; main()",
            "--lang",
            "en",
            "ingest",
            str(path),
            "--node",
            str(node.path),
            "--dataset",
            "big",
            "--progress",
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )


@pytest.mark.slow
def test_sigkill_mid_ingest_then_rerun(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = _node(backend, tmp_path, monkeypatch)
    path = write_jsonl(
        tmp_path / "big.jsonl",
        (
            entity(f"mx-p-{i}", "Person", name=f"Persona {i} García", idNumber=f"ID{i:07d}")
            for i in range(N)
        ),
    )
    proc = _ingest(node, path)
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
        done = [int(n) for n in re.findall(rb"(\d+)/%d" % N, seen)]
        if done and max(done) > N // 4:
            break
    assert proc.poll() is None, f"ingest ended before it could be killed: {seen[-500:]!r}"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    with node.open_store() as store:
        assert store.check() == []
        assert store.entity_count() == 0, "a killed ingest must not leave a partial load"
        assert store.statement_count() == 0
        assert store.runs() == []

    again = _ingest(node, path)
    _out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()[-2000:]
    with node.open_store() as store:
        assert store.entity_count() == N
        assert store.statement_count() == 2 * N
        assert store.check() == []
        assert len(store.runs()) == 1
        if backend == "postgres":
            store.drop()  # type: ignore[attr-defined]
