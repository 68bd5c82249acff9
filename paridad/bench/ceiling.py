"""The ceiling for ``paridad bench exchange``: the same HTTPS stack with no Paridad logic.

A FastAPI app on uvicorn with the node's own mutual-TLS settings that reads each request
body, parses the JSON and answers with the next sequence number — what any receiver must do
at the least. Run as ``python -m paridad.bench.ceiling NODE_DIR PORT``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import Response

from paridad.exchange.partners import trust_bundle_path
from paridad.exchange.tls import ensure_tls_files, server_ssl_kwargs
from paridad.node import Node


def make_app() -> FastAPI:
    app = FastAPI()

    @app.post("/v1/envelopes")
    async def envelopes(request: Request) -> Response:
        data = orjson.loads(await request.body())
        last = data["envelopes"][-1]["header"]["sequence"]
        return Response(orjson.dumps({"next": last + 1}), media_type="application/json")

    return app


def main(node_dir: Path, port: int) -> None:
    node = Node.open(node_dir)
    files = ensure_tls_files(node.path, node.identity(), node.config.name)
    uvicorn.run(
        make_app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        **server_ssl_kwargs(files, trust_bundle_path(node.path)),
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
