"""Serving one or more nodes' workbenches from one process: each on its own port, all stopped
together by Ctrl-C. The demo serves both countries' nodes this way, so an analyst can sign in
on each side and see a share, a request or a recall arrive from the other."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from paridad.workbench.app import create_workbench


@dataclass(frozen=True)
class Served:
    node: Path
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"


def plan(nodes: Sequence[Path], host: str, first_port: int) -> list[Served]:
    """Consecutive ports from ``first_port``, one per node, in the order given."""
    return [Served(node, host, first_port + i) for i, node in enumerate(nodes)]


def serve(served: Sequence[Served], announce: Callable[[Served], None] = lambda _s: None) -> None:
    """Run every workbench of ``served`` until interrupted. Every node is opened before any
    is announced, so a wrong directory stops the command before it prints an address."""
    import uvicorn

    servers = [
        uvicorn.Server(
            uvicorn.Config(create_workbench(s.node), host=s.host, port=s.port, log_level="warning")
        )
        for s in served
    ]
    for s in served:
        announce(s)

    async def run_all() -> None:
        await asyncio.gather(*(server.serve() for server in servers))

    asyncio.run(run_all())
