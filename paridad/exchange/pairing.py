"""Pairing two nodes the way two operators would, for the demo, benchmarks and tests.

Each operator prints its node card, hands it over, reads the fingerprint to the other out
of band, adds the partner; one drafts the agreement, both sign it, both install it. Here
both nodes are on one machine, so the steps run back to back — the checks are the same.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from paridad.exchange.context import Exchange
from paridad.exchange.partners import add_partner, make_card
from paridad.exchange.workflows.agreements import draft
from paridad.node import Node
from paridad.policy.agreement import Agreement


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pair(
    a: Node, b: Node, url_a: str, url_b: str, template: str = "firearms-trafficking"
) -> Agreement:
    """Register each node with the other and sign and install one agreement between them."""
    card_a, card_b = make_card(a, url_a), make_card(b, url_b)
    add_partner(b.path, card_a, a.identity().signing_fingerprint)
    add_partner(a.path, card_b, b.identity().signing_fingerprint)
    return sign_agreement(a, b, template)


def sign_agreement(a: Node, b: Node, template: str) -> Agreement:
    """Draft an agreement from ``template`` between two registered partners, have both sign
    it and install it on both (a second line of work between nodes already paired)."""
    with Exchange(a) as ex:
        agreement = draft(ex, b.config.name, template)
    agreement = agreement.sign(a.config.name, a.identity()).sign(b.config.name, b.identity())
    for node in (a, b):
        with Exchange(node) as ex:
            ex.install_agreement(agreement)
    return agreement


class NodeServer:
    """``paridad serve`` for one node, as a child process on a loopback port."""

    def __init__(self, node_dir: Path, port: int, log: Path | None = None) -> None:
        self.node_dir = node_dir
        self.port = port
        self.log = log or node_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> NodeServer:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "paridad",
                    "serve",
                    "--node",
                    str(self.node_dir),
                    "--port",
                    str(self.port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text(encoding="utf-8", errors="replace")[-2000:])
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"node at port {self.port} did not start")

    def kill(self) -> None:
        """SIGKILL: no cleanup, as a crash or a power cut."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def __enter__(self) -> NodeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
