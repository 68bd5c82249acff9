"""The node's own financial entities (FtM Payment, BankAccount, Ownership) as the canonical
tables.

A FIU's node already holds its payments as FollowTheMoney entities, ingested with their
markings; the analytics read them from the store (or from an export of FtM JSON lines) rather
than asking for a second copy. Accounts are the BankAccount entities (their ids are the
account ids the detectors report, so a finding leads straight back to the entity page); the
holder comes from Ownership. A payment's kind is read from its purpose: cash deposits and
armoured-car deliveries say so in Spanish or English; a payment between accounts of two
countries is a wire; anything else is a transfer. The branch of a cash deposit is in its
description ("sucursal X", "branch X").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from paridad.finance.inputs.csv_tables import check_bank_numbers
from paridad.finance.inputs.rates import Rates, load_rates
from paridad.finance.tables import ACCOUNTS, TRANSACTIONS
from paridad.model.normalize import plain
from paridad.store.base import Store

SCHEMATA = ("Payment", "BankAccount", "Ownership", "Person", "Company", "Organization")
_CASH_IN = ("cash deposit", "deposito en efectivo", "armored car", "armoured car", "efectivo")
_CASH_OUT = ("cash withdrawal", "retiro en efectivo", "retiro")
_BRANCH = re.compile(r"(?:sucursal|branch)\s+(.+)$", re.IGNORECASE)


def _first(props: Mapping[str, Any], name: str) -> str | None:
    values = props.get(name) or []
    return str(values[0]) if values else None


def payment_type(
    purpose: str, description: str, src_country: str | None, dst_country: str | None
) -> str:
    text = plain(f"{purpose} {description}")
    if any(k in text for k in _CASH_OUT):
        return "cash_withdrawal"
    if any(k in text for k in _CASH_IN):
        return "cash_deposit"
    if src_country and dst_country and src_country != dst_country:
        return "wire"
    return "transfer"


def _epoch(text: str) -> int | None:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp())


def tables_from_entities(
    entities: Iterable[Mapping[str, Any]], rates: Rates | None = None
) -> tuple[pa.Table, pa.Table]:
    """(transactions, accounts) from FtM entity dicts (``id``, ``schema``, ``properties``)."""
    rates = rates or load_rates()
    accounts: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}
    owners: dict[str, str] = {}
    payments: list[tuple[str, Mapping[str, Any]]] = []
    for entity in entities:
        schema, eid = entity.get("schema"), str(entity.get("id"))
        props = entity.get("properties") or {}
        if schema == "Payment":
            payments.append((eid, props))
        elif schema == "BankAccount":
            accounts[eid] = {
                "account_id": eid,
                "bank": _first(props, "bankName"),
                "country": (_first(props, "country") or "").lower() or None,
                "holder_id": None,
                "holder_name": None,
                "clabe": _first(props, "accountNumber"),
                "iban": _first(props, "iban"),
                "aba": None,
            }
            if accounts[eid]["country"] != "mx":
                accounts[eid]["clabe"] = None
            # Checked at ingest already; a number that fails here is left out, not reported.
            check_bank_numbers(accounts[eid])
        elif schema == "Ownership":
            owner, asset = _first(props, "owner"), _first(props, "asset")
            if owner and asset:
                owners[asset] = owner
        elif schema in ("Person", "Company", "Organization", "LegalEntity"):
            name = _first(props, "name")
            if name:
                names[eid] = name
    for account_id, row in accounts.items():
        holder = owners.get(account_id)
        row["holder_id"] = holder
        row["holder_name"] = names.get(holder) if holder else None
    rows = []
    for eid, props in payments:
        src, dst = _first(props, "payerAccount"), _first(props, "beneficiaryAccount")
        amount_text, when_text = _first(props, "amount"), _first(props, "date")
        currency = (_first(props, "currency") or "USD").upper()
        ts = _epoch(when_text) if when_text else None
        try:
            amount = float(amount_text or "")
        except ValueError:
            continue
        usd = rates.to_usd(amount, currency)
        if ts is None or usd is None or amount <= 0 or not (src or dst):
            continue
        src_country = accounts.get(src, {}).get("country") if src else None
        dst_country = accounts.get(dst, {}).get("country") if dst else None
        description = _first(props, "description") or ""
        kind = payment_type(_first(props, "purpose") or "", description, src_country, dst_country)
        branch = _BRANCH.search(description.split(";")[-1])
        rows.append(
            {
                "tx_id": eid,
                "ts": ts,
                "src": src,
                "dst": dst,
                "amount": amount,
                "currency": currency,
                "amount_usd": usd,
                "type": kind,
                "channel": None,
                "location": branch.group(1).strip() if branch else None,
                "src_country": src_country,
                "dst_country": dst_country,
            }
        )
    return (
        pa.Table.from_pylist(rows, schema=TRANSACTIONS),
        pa.Table.from_pylist(list(accounts.values()), schema=ACCOUNTS),
    )


def node_holders(store: Store, accounts: pa.Table) -> list[dict[str, Any]]:
    """The node's own entities that hold the accounts in ``accounts``, for screening."""
    holders: list[dict[str, Any]] = []
    for holder_id in sorted({h for h in accounts.column("holder_id").to_pylist() if h}):
        record = store.get(holder_id)
        if record is not None:
            holders.append(record.to_proxy().to_dict())
    return holders


def read_store(store: Store, rates: Rates | None = None) -> tuple[pa.Table, pa.Table]:
    """The node's payments and accounts as the canonical tables."""

    def entities() -> Iterable[Mapping[str, Any]]:
        for schema in SCHEMATA:
            for record in store.iter_entities(schema):
                yield record.to_proxy().to_dict()

    return tables_from_entities(entities(), rates)
