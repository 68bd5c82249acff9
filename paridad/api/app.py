"""The FastAPI application of one node (see :mod:`paridad.api`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from paridad import __version__
from paridad.errors import ParidadError
from paridad.exchange.context import Exchange
from paridad.exchange.inbox import Inbox
from paridad.i18n import N_, Lang, detect_lang, translate

MAX_BODY = 64 * 1024 * 1024
MSG_BODY = N_("The request body must be a JSON object with a list 'envelopes'.")
MSG_TOO_LARGE = N_("The request body is larger than {limit} MB.")
MSG_BAD_RANGE = N_("Tree sizes must satisfy 0 < first <= second <= {size}.")
MSG_BAD_INDEX = N_("Entry {index} is not in a tree of size {size}.")


def _lang(request: Request) -> Lang:
    header = request.headers.get("accept-language", "")
    return detect_lang(header.split(",")[0].split(";")[0].strip() or None)


def _error(request: Request, status: int, msgid: str, **params: Any) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={
            "error": {
                "msgid": msgid,
                "params": {k: str(v) for k, v in params.items()},
                "message": translate(msgid, _lang(request), **params),
            }
        },
    )


def create_app(node_dir: Path) -> FastAPI:
    """The API of the node in ``node_dir``; it opens the node's store for its lifetime."""
    exchange = Exchange.open(node_dir)
    inbox = Inbox(exchange)
    app = FastAPI(
        title=f"Paridad node {exchange.name}",
        version=__version__,
        description=(
            "Partner-facing API of a Paridad node (mutual TLS). / API de un nodo Paridad"
            " para su contraparte (TLS mutuo)."
        ),
    )
    app.state.exchange = exchange

    @app.exception_handler(ParidadError)
    async def paridad_error(request: Request, exc: ParidadError) -> JSONResponse:
        return _error(request, 400, exc.msgid, **exc.params)

    @app.get("/v1/health", summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "node": exchange.name}

    @app.get("/v1/node", summary="This node's identity and key fingerprints")
    def node() -> dict[str, str]:
        return {
            "node": exchange.name,
            "country": exchange.country,
            "agency": exchange.agency,
            "signing_fingerprint": exchange.identity.signing_fingerprint,
            "agreement_fingerprint": exchange.identity.agreement_fingerprint,
        }

    @app.post(
        "/v1/envelopes",
        summary="Deliver signed envelopes, in sequence order",
        response_description="The next sequence expected and what was applied",
    )
    async def envelopes(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error(request, 413, MSG_TOO_LARGE, limit=MAX_BODY // (1024 * 1024))
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            return _error(request, 400, MSG_BODY)
        if not isinstance(data, dict) or not isinstance(data.get("envelopes"), list):
            return _error(request, 400, MSG_BODY)
        receipt = await run_in_threadpool(inbox.receive, data["envelopes"])
        status = 200 if receipt.error is None else 422
        if receipt.error is not None and receipt.error.pop("rate_limited", False):
            status = 429
        if receipt.error is not None:
            error = receipt.error
            msgid, params = str(error["msgid"]), dict(error["params"])
            error["message"] = translate(msgid, _lang(request), **params)
        return Response(orjson.dumps(receipt.to_dict()), status, media_type="application/json")

    @app.get("/v1/audit/head", summary="The latest signed tree head of this node's audit log")
    def head() -> dict[str, Any]:
        from paridad.audit.heads import sign_head

        return sign_head(exchange.audit, exchange.identity, exchange.name).to_dict()

    @app.get("/v1/audit/consistency", summary="Consistency proof between two tree sizes")
    def consistency(
        request: Request, first: int = Query(..., ge=1), second: int = Query(..., ge=1)
    ) -> Any:
        size = exchange.audit.size()
        if not first <= second <= size:
            return _error(request, 400, MSG_BAD_RANGE, size=size)
        proof = exchange.audit.consistency(first, second)
        return {"first": first, "second": second, "proof": [h.hex() for h in proof]}

    @app.get("/v1/audit/inclusion", summary="Inclusion proof of one entry")
    def inclusion(
        request: Request, index: int = Query(..., ge=0), size: int = Query(..., ge=1)
    ) -> Any:
        if not index < size <= exchange.audit.size():
            return _error(request, 400, MSG_BAD_INDEX, index=index, size=size)
        proof = exchange.audit.inclusion(index, size)
        entry = exchange.audit.entry(index)
        return {
            "index": index,
            "size": size,
            "leaf": entry.leaf.hex() if entry else None,
            "proof": [h.hex() for h in proof],
        }

    return app
