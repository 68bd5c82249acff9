"""``paridad bench psi``: private set intersection of N identifiers against N, against the
``openmined.psi`` package's DH-PSI on the same inputs.

Both sets are E.164-style phone numbers drawn from a seed, with a planted intersection (10%
of N) known in advance, so each row says whether the system found exactly that. Each system
runs in a fresh child process that regenerates the same inputs (generation is not timed):
Paridad end to end — the querier's blinding, the responder's reblinding and blinding of its
own set, the querier's intersection, on every core — and the peer's server setup, client
request, server response and client intersection (raw, exact data structure, intersection
revealed). ``per_second`` is the elements of both sets, 2N, over the seconds taken, for both.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import resource
import time
from collections.abc import Iterator
from typing import Any

from paridad.errors import ParidadError
from paridad.i18n import N_

DEFAULT_SIZE = 1_000_000
SHARED_FRACTION = 0.10
DATASET = "synthetic-phones"

MSG_NO_PEER = N_(
    "The peer package {package} is not installed; install the benchmark extra: "
    "pip install -e '.[bench]'"
)
MSG_DATASET = N_("The psi benchmark has one data set, {dataset}; '{given}' is not it.")


def planted_sets(size: int, seed: int = 1) -> tuple[list[str], list[str], list[int]]:
    """Querier's and responder's sets (``size`` distinct values each) and the querier's
    positions that the responder also holds: the planted truth, in ascending order."""
    rng = random.Random(f"paridad.bench.psi/{seed}")
    shared = int(size * SHARED_FRACTION)
    numbers = rng.sample(range(10**10), 2 * size - shared)
    phones = [f"+{52 if n % 2 else 1}{n:010d}" for n in numbers]
    querier = phones[:size]
    responder = phones[:shared] + phones[size:]
    rng.shuffle(querier)
    rng.shuffle(responder)
    common = set(phones[:shared])
    truth = [i for i, value in enumerate(querier) if value in common]
    return querier, responder, truth


def _usage() -> tuple[float, float]:
    """Peak resident memory (MiB) and CPU seconds (all threads) of this process."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime


def _paridad(size: int, seed: int) -> dict[str, Any]:
    from paridad.match.psi import PsiContext, PsiParty, available_cores, new_run_id

    querier, responder, truth = planted_sets(size, seed)
    context = PsiContext("bench-agreement", new_run_id(), "phone")
    _, cpu0 = _usage()
    started = time.perf_counter()
    asking, answering = PsiParty(context), PsiParty(context)
    request = asking.blind(querier)
    t_request = time.perf_counter()
    reply = answering.reblind(request)
    own = answering.blind(responder)
    t_answer = time.perf_counter()
    hits = asking.intersect(reply, own, peer_count=len(responder))
    seconds = time.perf_counter() - started
    peak, cpu1 = _usage()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu1 - cpu0,
        "intersection": len(hits),
        "exact": hits == truth,
        "expected": len(truth),
        "peak_rss_mb": peak,
        "message_mb": (len(request) + len(reply) + len(own)) / 2**20,
        "workers": available_cores(),
        "request_s": t_request - started,
        "answer_s": t_answer - t_request,
        "intersect_s": started + seconds - t_answer,
    }


def _openmined(size: int, seed: int) -> dict[str, Any]:
    try:
        import private_set_intersection.python as psi
    except ImportError:
        raise ParidadError(MSG_NO_PEER, package="openmined.psi") from None

    querier, responder, truth = planted_sets(size, seed)
    _, cpu0 = _usage()
    started = time.perf_counter()
    client = psi.client.CreateWithNewKey(True)
    server = psi.server.CreateWithNewKey(True)
    # RAW keeps every encrypted server element: exact, as Paridad is (the Bloom filter and
    # GCS structures trade false positives for size).
    setup = server.CreateSetupMessage(1e-9, len(querier), responder, psi.DataStructure.RAW)
    request = client.CreateRequest(querier)
    response = server.ProcessRequest(request)
    hits = sorted(client.GetIntersection(setup, response))
    seconds = time.perf_counter() - started
    peak, cpu1 = _usage()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu1 - cpu0,
        "intersection": len(hits),
        "exact": hits == truth,
        "expected": len(truth),
        "peak_rss_mb": peak,
        "message_mb": (setup.ByteSize() + request.ByteSize() + response.ByteSize()) / 2**20,
    }


def _child(target: str, size: int, seed: int, out: Any) -> None:
    try:
        fn = _paridad if target == "paridad" else _openmined
        out.send({"ok": fn(size, seed)})
    except ParidadError as exc:
        out.send({"paridad_error": [exc.msgid, exc.params]})
    except BaseException as exc:  # reported to the parent, which raises it
        out.send({"error": f"{type(exc).__name__}: {exc}"})


def _measure(target: str, size: int, seed: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(target, size, seed, child))
    process.start()
    result = parent.recv()
    process.join()
    if "paridad_error" in result:
        msgid, params = result["paridad_error"]
        raise ParidadError(msgid, **params)
    if "error" in result:
        raise RuntimeError(f"{target}: {result['error']}")
    return dict(result["ok"])


def _row(system: str, backend: str, size: int, measured: dict[str, Any]) -> dict[str, Any]:
    elements = 2 * size
    row: dict[str, Any] = {
        "bench": "psi",
        "system": system,
        "backend": backend,
        "dataset": DATASET,
        "n": size,
        "elements": elements,
        "seconds": round(measured["seconds"], 3),
        "per_second": round(elements / measured["seconds"], 1),
        "cpu_seconds": round(measured["cpu_seconds"], 2),
        "intersection": measured["intersection"],
        "expected_intersection": measured["expected"],
        "exact": measured["exact"],
        "peak_rss_mb": round(measured["peak_rss_mb"], 1),
        "message_mb": round(measured["message_mb"], 2),
    }
    for key in ("workers", "request_s", "answer_s", "intersect_s"):
        if key in measured:
            row[key] = measured[key] if key == "workers" else round(measured[key], 3)
    return row


def run(
    size: int = DEFAULT_SIZE, dataset: str | None = None, seed: int = 1, **_: Any
) -> Iterator[dict[str, Any]]:
    if dataset not in (None, DATASET):
        raise ParidadError(MSG_DATASET, dataset=DATASET, given=dataset)
    ours = _row("paridad", "x25519-libsodium", size, _measure("paridad", size, seed))
    peer = _row("openmined-psi", "p256-openssl", size, _measure("openmined", size, seed))
    ours["speedup_vs_peer"] = round(peer["seconds"] / ours["seconds"], 2)
    yield ours
    yield peer
