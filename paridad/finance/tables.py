"""The two tables every finance input becomes and every detector reads.

Whatever the source (a bank's CSV export, ISO 20022 XML, the node's FtM payments), it is
loaded once into these Arrow tables, so the detectors are written once, in SQL, against one
layout, and run unchanged on DuckDB and on Spark. Times are whole seconds since the Unix
epoch (UTC) and amounts are also carried in US dollars, so that windows, thresholds and
ratios need no dialect-specific date or currency functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pyarrow as pa

# Kinds of transaction the detectors tell apart; inputs map their own codes onto these.
TX_TYPES: Final = (
    "transfer",  # account to account inside one country (SPEI, ACH, book transfer)
    "wire",  # international or high-value wire (SWIFT, Fedwire)
    "cash_deposit",  # cash paid into an account (src is empty)
    "cash_withdrawal",  # cash taken out of an account (dst is empty)
    "card",
    "check",
    "other",
)

TRANSACTIONS: Final = pa.schema(
    [
        pa.field("tx_id", pa.string(), nullable=False),
        pa.field("ts", pa.int64(), nullable=False),  # seconds since the epoch, UTC
        pa.field("src", pa.string()),  # paying account; empty for a cash deposit
        pa.field("dst", pa.string()),  # receiving account; empty for a cash withdrawal
        pa.field("amount", pa.float64(), nullable=False),  # in ``currency``
        pa.field("currency", pa.string(), nullable=False),  # ISO 4217
        pa.field("amount_usd", pa.float64(), nullable=False),  # converted at load time
        pa.field("type", pa.string(), nullable=False),  # one of TX_TYPES
        pa.field("channel", pa.string()),  # branch, ATM, online, armoured car, MSB...
        pa.field("location", pa.string()),  # where cash changed hands (branch city)
        pa.field("src_country", pa.string()),  # ISO 3166-1 alpha-2, lower case
        pa.field("dst_country", pa.string()),
    ]
)

ACCOUNTS: Final = pa.schema(
    [
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("bank", pa.string()),
        pa.field("country", pa.string()),  # ISO 3166-1 alpha-2, lower case
        pa.field("holder_id", pa.string()),  # the FtM entity that holds it, when known
        pa.field("holder_name", pa.string()),
        # Checked and canonical: the Mexican 18-digit CLABE, an IBAN, or a US bank's ABA
        # routing number. CLABE and IBAN are the kinds hit/no-hit matches across the border.
        pa.field("clabe", pa.string()),
        pa.field("iban", pa.string()),
        pa.field("aba", pa.string()),
    ]
)


def holder_key(account: Mapping[str, Any]) -> str | None:
    """Who holds an account row: its ``holder_id``, else ``holder:NAME`` for a holder known
    only by name (a bank's accounts file), else None. Screening, designated accounts and
    entity scores all key holders this way."""
    if account.get("holder_id"):
        return str(account["holder_id"])
    name = (account.get("holder_name") or "").strip()
    return f"holder:{name}" if name else None


def empty_transactions() -> pa.Table:
    return TRANSACTIONS.empty_table()


def empty_accounts() -> pa.Table:
    return ACCOUNTS.empty_table()


def with_home_country(transactions: pa.Table, country: str) -> pa.Table:
    """Accounts whose country is unknown are taken to be in ``country`` (the FIU's own).

    A bank's export often has no accounts file; its accounts are the FIU's country's, and
    the thresholds that apply to them (structuring) depend on it.
    """
    import pyarrow.compute as pc

    out = transactions
    for side, end in (("src", "src_country"), ("dst", "dst_country")):
        known = pc.is_valid(out[side])
        filled = pc.if_else(
            pc.and_(known, pc.is_null(out[end])), pa.scalar(country.lower()), out[end]
        )
        out = out.set_column(out.schema.get_field_index(end), end, filled)
    return out
