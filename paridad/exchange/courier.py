"""Sending: the courier drains the outbox to each partner, in order, until acknowledged.

At-least-once: an envelope stays pending until the partner's answer shows it applied (the
partner's next expected sequence number is past it). A failure — partner down, network,
a refusal — leaves it pending and backs off exponentially (with jitter, capped), so a
partner that comes back gets everything, in order, and a partner that stays down is not
hammered. Several envelopes travel in one request to keep the line full.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from paridad.exchange.context import Exchange, now_iso, stream_name
from paridad.exchange.partners import Partner
from paridad.exchange.tls import client_context, ensure_tls_files

MAX_ENVELOPES = 8
MAX_BYTES = 8 * 1024 * 1024
BACKOFF_BASE = 0.2  # seconds
BACKOFF_CAP = 30.0
PATH = "/v1/envelopes"


def backoff(attempts: int) -> float:
    """Seconds to wait after ``attempts`` failures: 0.2, 0.4, 0.8 … up to 30, ±25 %."""
    delay: float = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.75, 1.25)


@dataclass
class Outcome:
    sent: int = 0
    acknowledged: int = 0
    error: str | None = None


Post = Callable[[Partner, bytes], dict[str, Any]]


class Courier:
    """Delivers one node's outbox. ``post`` sends a body to a partner and returns its JSON
    answer (mutual TLS by default; raises on transport errors)."""

    def __init__(self, exchange: Exchange, post: Post | None = None) -> None:
        self.ex = exchange
        self._clients: dict[str, httpx.Client] = {}
        self._post = post or self._post_tls

    def close(self) -> None:
        for client in self._clients.values():
            client.close()
        self._clients.clear()

    def _client(self, partner: Partner) -> httpx.Client:
        client = self._clients.get(partner.node)
        if client is None:
            files = ensure_tls_files(self.ex.node.path, self.ex.identity, self.ex.name)
            context = client_context(files, partner.certificate_pem)
            client = httpx.Client(verify=context, timeout=httpx.Timeout(30.0, connect=5.0))
            self._clients[partner.node] = client
        return client

    def _post_tls(self, partner: Partner, body: bytes) -> dict[str, Any]:
        response = self._client(partner).post(
            partner.url.rstrip("/") + PATH,
            content=body,
            headers={"content-type": "application/json"},
        )
        if response.status_code >= 500:
            response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def pending(self) -> list[str]:
        """Partners with envelopes due now."""
        rows = self.ex.db.query(
            "SELECT DISTINCT recipient FROM outbox WHERE delivered_at IS NULL"
            " AND next_attempt_at <= ?",
            (now_iso(),),
        )
        return sorted(r[0] for r in rows)

    def backlog(self) -> int:
        return int(self.ex.db.query("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")[0][0])

    def deliver(self, recipient: str) -> Outcome:
        """One round to one partner: send the oldest pending envelopes, record the answer."""
        stream = stream_name(self.ex.name, recipient)
        rows = self.ex.db.query(
            "SELECT seq, envelope, attempts FROM outbox WHERE stream = ? AND delivered_at IS NULL"
            " ORDER BY seq LIMIT ?",
            (stream, MAX_ENVELOPES),
        )
        if not rows:
            return Outcome()
        batch: list[str] = []
        size = 0
        for _, envelope, _ in rows:
            if batch and size + len(envelope) > MAX_BYTES:
                break
            batch.append(envelope)
            size += len(envelope)
        body = b'{"envelopes":[' + ",".join(batch).encode() + b"]}"
        outcome = Outcome(sent=len(batch))
        first_seq, attempts = int(rows[0][0]), int(rows[0][2])
        try:
            answer = self._post(self.ex.partner(recipient), body)
            next_seq = int(answer["next"])
            error = answer.get("error")
        except (httpx.HTTPError, OSError, ValueError, KeyError, TypeError) as exc:
            next_seq, error = first_seq, {"message": f"{type(exc).__name__}: {exc}"[:500]}
        at = now_iso()
        with self.ex.db.transaction() as tx:
            outcome.acknowledged = tx.execute(
                "UPDATE outbox SET delivered_at = ?, last_error = NULL WHERE stream = ?"
                " AND seq < ? AND delivered_at IS NULL",
                (at, stream, next_seq),
            )
            if next_seq < first_seq:
                # The partner expects an envelope it had acknowledged (its store was restored
                # from a backup, say): send again from there.
                tx.execute(
                    "UPDATE outbox SET delivered_at = NULL WHERE stream = ? AND seq >= ?",
                    (stream, next_seq),
                )
            if error or next_seq <= first_seq:
                message = orjson.dumps(error).decode() if error else "not acknowledged"
                retry = datetime.now(UTC) + timedelta(seconds=backoff(attempts + 1))
                tx.execute(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
                    " next_attempt_at = ? WHERE stream = ? AND delivered_at IS NULL",
                    (message, retry.isoformat(timespec="microseconds"), stream),
                )
                outcome.error = message
        return outcome

    def run(self, stop: threading.Event, idle: float = 0.01) -> None:
        """Deliver until ``stop`` is set, polling the outbox every ``idle`` seconds."""
        while not stop.is_set():
            busy = False
            for recipient in self.pending():
                outcome = self.deliver(recipient)
                busy = busy or (outcome.acknowledged > 0 and not outcome.error)
            if not busy:
                stop.wait(idle)
