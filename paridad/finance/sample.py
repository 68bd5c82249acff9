"""Build small transaction tables by hand: for tests, examples in the docs and the REPL.

A detector's tests state a pattern in a few lines (who paid whom, how much, when) and check
what fires; :class:`Ledger` turns those lines into the canonical Arrow tables.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa

from paridad.finance.tables import ACCOUNTS, TRANSACTIONS

EPOCH = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday morning


class Ledger:
    """Transactions appended one by one; ``hours`` are counted from :data:`EPOCH`."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.countries: dict[str, str] = {}

    def account(self, account_id: str, country: str) -> str:
        self.countries[account_id] = country
        return account_id

    def pay(
        self,
        src: str | None,
        dst: str | None,
        amount: float,
        hours: float,
        type: str = "transfer",
        currency: str = "USD",
        amount_usd: float | None = None,
        location: str | None = None,
        channel: str | None = None,
        tx_id: str | None = None,
    ) -> str:
        tx = tx_id or f"T{len(self.rows) + 1:06d}"
        when = EPOCH + timedelta(hours=hours)
        self.rows.append(
            {
                "tx_id": tx,
                "ts": int(when.timestamp()),
                "src": src,
                "dst": dst,
                "amount": float(amount),
                "currency": currency,
                "amount_usd": float(amount if amount_usd is None else amount_usd),
                "type": type,
                "channel": channel,
                "location": location,
                "src_country": self.countries.get(src or "", "us" if src else None),
                "dst_country": self.countries.get(dst or "", "us" if dst else None),
            }
        )
        return tx

    def transactions(self) -> pa.Table:
        return pa.Table.from_pylist(self.rows, schema=TRANSACTIONS)

    def accounts(self) -> pa.Table:
        ids = sorted(
            {str(r[k]) for r in self.rows for k in ("src", "dst") if r[k]} | set(self.countries)
        )
        return pa.Table.from_pylist(
            [
                {
                    "account_id": a,
                    "bank": None,
                    "country": self.countries.get(str(a), "us"),
                    "holder_id": None,
                    "holder_name": None,
                }
                for a in ids
            ],
            schema=ACCOUNTS,
        )
