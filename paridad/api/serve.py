"""``paridad serve``: the node's API over mutual TLS, plus the work that runs beside it.

Beside the API run the courier (drains the outbox to partners) and housekeeping: hit/no-hit
runs are answered and completed (the arithmetic stays out of the API call that received
them), trace requests are answered where the agreement says the node answers them by itself,
RFIs past their deadline expire, received data past its retention is purged, and a
signed tree head goes to each partner whenever the audit log has grown, so both sides hold
the other's commitments to its history.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from pathlib import Path

import uvicorn

from paridad.api.app import create_app
from paridad.exchange.context import Exchange
from paridad.exchange.courier import Courier
from paridad.exchange.partners import trust_bundle_path
from paridad.exchange.tls import ensure_tls_files, server_ssl_kwargs
from paridad.exchange.workflows.agreements import send_tree_head
from paridad.exchange.workflows.matching import process_matches
from paridad.exchange.workflows.requests import expire_requests
from paridad.exchange.workflows.retention import expire_retention
from paridad.exchange.workflows.tracing import process_trace_requests
from paridad.process import tune_garbage_collector

HEAD_EVERY = 2.0  # seconds between tree-head checks
HOUSEKEEPING_EVERY = 30.0
# Seconds a stopping server waits for open connections. A partner's courier keeps its TLS
# connection alive and idle, and never answers the close; without a bound the server would
# wait for it until killed. An envelope cut off here was not applied: its sender resends it.
GRACEFUL_SHUTDOWN = 2

log = logging.getLogger("paridad.serve")


def _courier(node_dir: Path, stop: threading.Event) -> None:
    with Exchange.open(node_dir) as ex:
        courier = Courier(ex)
        try:
            courier.run(stop)
        finally:
            courier.close()


def _answer_traces(ex: Exchange) -> None:
    """Answer the trace requests the agreement lets this node answer by itself. A failure is
    logged and retried next round without holding up the tree heads behind it."""
    try:
        process_trace_requests(ex)
    except Exception:
        log.exception("answering trace requests failed")


def _housekeeping(node_dir: Path, stop: threading.Event) -> None:
    with Exchange.open(node_dir) as ex:
        waited = HOUSEKEEPING_EVERY
        while not stop.wait(HEAD_EVERY):
            waited += HEAD_EVERY
            try:
                if waited >= HOUSEKEEPING_EVERY:
                    waited = 0.0
                    expire_requests(ex)
                    expire_retention(ex)
                process_matches(ex)
                _answer_traces(ex)
                for partner in ex.partners():
                    if ex.agreement_with(partner) is not None:
                        send_tree_head(ex, partner)
            except Exception:  # keep serving; the next round retries
                log.exception("housekeeping failed")


def serve(node_dir: Path, host: str, port: int, stop: threading.Event | None = None) -> None:
    """Run until interrupted (or until ``stop`` is set)."""
    with Exchange.open(node_dir) as ex:
        files = ensure_tls_files(node_dir, ex.identity, ex.name)
    bundle = trust_bundle_path(node_dir)
    app = create_app(node_dir)
    tune_garbage_collector()
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
        **server_ssl_kwargs(files, bundle),
    )
    server = uvicorn.Server(config)
    stop = stop or threading.Event()
    workers = [
        threading.Thread(target=_courier, args=(node_dir, stop), name="courier", daemon=True),
        threading.Thread(
            target=_housekeeping, args=(node_dir, stop), name="housekeeping", daemon=True
        ),
    ]
    for worker in workers:
        worker.start()

    def watch() -> None:
        stop.wait()
        server.should_exit = True

    threading.Thread(target=watch, daemon=True).start()
    try:
        server.run()
    finally:
        stop.set()
        for worker in workers:
            with contextlib.suppress(RuntimeError):
                worker.join(timeout=5)
        app.state.exchange.close()
