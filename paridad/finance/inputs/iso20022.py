"""Payments and statements as banks exchange them: ISO 20022 XML.

Three messages cover what a FIU receives: ``pacs.008`` (an FI-to-FI customer credit transfer,
what SPEI, Fedwire and SWIFT carry since their ISO 20022 migrations), ``pain.001`` (a
customer's payment initiation to its bank) and ``camt.053`` (an account statement). Each is
read namespace-agnostically (any ``.001.NN`` version) into the same transactions table as a
CSV export, and the parties into the accounts table, with their names for screening.

The parser never resolves entities or fetches anything (a message is untrusted input). A file
that is not XML, or not one of the three messages, is refused whole; a transaction without an
amount, a currency with no rate or an unreadable date is rejected with its line in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from lxml import etree

from paridad.finance.inputs.csv_tables import Loaded, check_bank_numbers
from paridad.finance.inputs.errors import (
    MSG_BAD_AMOUNT,
    MSG_BAD_TIMESTAMP,
    MSG_EMPTY_ID,
    MSG_NO_ACCOUNT,
    MSG_UNKNOWN_CURRENCY,
    MSG_UNREADABLE,
    InvalidFinanceInput,
    RowError,
)
from paridad.finance.inputs.rates import Rates, load_rates
from paridad.finance.tables import ACCOUNTS, TRANSACTIONS
from paridad.i18n import N_

MSG_NOT_ISO20022 = N_(
    "The file {path} is not an ISO 20022 customer credit transfer (pacs.008, pain.001) or "
    "statement (camt.053): its root is {root}."
)

# Bank transaction codes (ISO 20022 external code list, family/sub-family) for cash.
_CASH_DEPOSIT = {"CDPT", "CCDP"}
_CASH_WITHDRAWAL = {"CWDL", "CCWD"}


@dataclass
class _Party:
    account: str | None = None
    iban: str | None = None
    name: str | None = None
    country: str | None = None
    bank: str | None = None


def _text(node: Any, path: str) -> str | None:
    found = node.find(path) if node is not None else None
    if found is None or found.text is None:
        return None
    return str(found.text).strip() or None


def _party(tx: Any, role: str) -> _Party:
    """``role`` is Dbtr or Cdtr: the party, its account and its bank (the agent)."""
    acct = tx.find(f"{{*}}{role}Acct/{{*}}Id")
    iban = _text(acct, "{*}IBAN")
    other = _text(acct, "{*}Othr/{*}Id")
    agent = tx.find(f"{{*}}{role}Agt/{{*}}FinInstnId")
    bic = _text(agent, "{*}BICFI") or _text(agent, "{*}BIC")
    country = (
        (iban[:2] if iban else None)
        or _text(agent, "{*}PstlAdr/{*}Ctry")
        or (bic[4:6] if bic and len(bic) >= 6 else None)
        or _text(tx, f"{{*}}{role}/{{*}}PstlAdr/{{*}}Ctry")
    )
    return _Party(
        account=(iban or other),
        iban=iban,
        name=_text(tx, f"{{*}}{role}/{{*}}Nm") or _text(tx, f"{{*}}{role}/{{*}}Pty/{{*}}Nm"),
        country=country.lower() if country else None,
        bank=_text(agent, "{*}Nm") or bic,
    )


def _when(text: str | None) -> int | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            return int(
                datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC).timestamp()
            )
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def read_iso20022(path: Path, rates: Rates | None = None) -> tuple[Loaded, pa.Table]:
    """(transactions loaded, accounts seen) from a pacs.008, pain.001 or camt.053 file."""
    rates = rates or load_rates()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise InvalidFinanceInput(MSG_UNREADABLE, path=str(path), reason=str(exc)) from None
    kind = etree.QName(root[0]).localname if len(root) else etree.QName(root).localname
    reader = {
        "FIToFICstmrCdtTrf": _credit_transfers,
        "CstmrCdtTrfInitn": _initiations,
        "BkToCstmrStmt": _statement,
    }.get(kind)
    if reader is None:
        raise InvalidFinanceInput(MSG_NOT_ISO20022, path=str(path), root=kind)
    rows: list[dict[str, Any]] = []
    parties: dict[str, _Party] = {}
    errors: list[RowError] = []
    read = 0
    for line, raw in reader(root[0]):
        read += 1
        row = _finish(line, raw, rates, errors)
        if row is not None:
            rows.append(row)
            for end in ("src", "dst"):
                party: _Party = raw[f"{end}_party"]
                if party.account and party.account not in parties:
                    parties[party.account] = party
    accounts = []
    for party in parties.values():
        account = {
            "account_id": party.account,
            "bank": party.bank,
            "country": party.country,
            "holder_id": None,
            "holder_name": party.name,
            "clabe": party.account if party.country == "mx" else None,
            "iban": party.iban,
            "aba": None,
        }
        check_bank_numbers(account)  # a number that fails its check is left out
        accounts.append(account)
    return (
        Loaded(pa.Table.from_pylist(rows, schema=TRANSACTIONS), errors, read),
        pa.Table.from_pylist(accounts, schema=ACCOUNTS),
    )


def _finish(
    line: int, raw: dict[str, Any], rates: Rates, errors: list[RowError]
) -> dict[str, Any] | None:
    if not raw["tx_id"]:
        errors.append(RowError(line, "tx_id", MSG_EMPTY_ID, {"field": "tx_id"}))
        return None
    ts = _when(raw["when"])
    if ts is None:
        errors.append(RowError(line, "timestamp", MSG_BAD_TIMESTAMP, {"value": raw["when"] or ""}))
        return None
    try:
        amount = float(raw["amount"] or "")
    except ValueError:
        amount = -1.0
    if amount <= 0:
        errors.append(RowError(line, "amount", MSG_BAD_AMOUNT, {"value": raw["amount"] or ""}))
        return None
    currency = (raw["currency"] or "").upper()
    usd = rates.to_usd(amount, currency)
    if usd is None:
        errors.append(RowError(line, "currency", MSG_UNKNOWN_CURRENCY, {"value": currency}))
        return None
    src: _Party = raw["src_party"]
    dst: _Party = raw["dst_party"]
    kind = raw.get("type")
    if kind is None:
        cross = src.country and dst.country and src.country != dst.country
        kind = "wire" if cross else "transfer"
    if kind == "cash_deposit":
        src = raw["src_party"] = _Party()
    if kind == "cash_withdrawal":
        dst = raw["dst_party"] = _Party()
    if not src.account and not dst.account:
        errors.append(RowError(line, "from_account", MSG_NO_ACCOUNT, {}))
        return None
    return {
        "tx_id": raw["tx_id"],
        "ts": ts,
        "src": src.account,
        "dst": dst.account,
        "amount": amount,
        "currency": currency,
        "amount_usd": usd,
        "type": kind,
        "channel": raw.get("channel"),
        "location": None,
        "src_country": src.country,
        "dst_country": dst.country,
    }


def _credit_transfers(doc: Any) -> Any:
    created = _text(doc, "{*}GrpHdr/{*}CreDtTm")
    settled = _text(doc, "{*}GrpHdr/{*}IntrBkSttlmDt")
    for tx in doc.iterfind("{*}CdtTrfTxInf"):
        amt = tx.find("{*}IntrBkSttlmAmt")
        yield (
            tx.sourceline,
            {
                "tx_id": _text(tx, "{*}PmtId/{*}UETR")
                or _text(tx, "{*}PmtId/{*}TxId")
                or _text(tx, "{*}PmtId/{*}EndToEndId"),
                "when": _text(tx, "{*}IntrBkSttlmDt") or settled or created,
                "amount": amt.text if amt is not None else None,
                "currency": amt.get("Ccy") if amt is not None else None,
                "src_party": _party(tx, "Dbtr"),
                "dst_party": _party(tx, "Cdtr"),
                "channel": "pacs.008",
            },
        )


def _initiations(doc: Any) -> Any:
    for info in doc.iterfind("{*}PmtInf"):
        debtor = _party(info, "Dbtr")
        when = (
            _text(info, "{*}ReqdExctnDt/{*}Dt")
            or _text(info, "{*}ReqdExctnDt")
            or _text(info, "{*}ReqdExctnDt/{*}DtTm")
        )
        for tx in info.iterfind("{*}CdtTrfTxInf"):
            amt = tx.find("{*}Amt/{*}InstdAmt")
            yield (
                tx.sourceline,
                {
                    "tx_id": _text(tx, "{*}PmtId/{*}EndToEndId")
                    or _text(tx, "{*}PmtId/{*}InstrId"),
                    "when": when,
                    "amount": amt.text if amt is not None else None,
                    "currency": amt.get("Ccy") if amt is not None else None,
                    "src_party": debtor,
                    "dst_party": _party(tx, "Cdtr"),
                    "channel": "pain.001",
                },
            )


def _statement(doc: Any) -> Any:
    for stmt in doc.iterfind("{*}Stmt"):
        own = _Party(
            account=_text(stmt, "{*}Acct/{*}Id/{*}IBAN")
            or _text(stmt, "{*}Acct/{*}Id/{*}Othr/{*}Id"),
            iban=_text(stmt, "{*}Acct/{*}Id/{*}IBAN"),
            name=_text(stmt, "{*}Acct/{*}Ownr/{*}Nm"),
            bank=_text(stmt, "{*}Acct/{*}Svcr/{*}FinInstnId/{*}BICFI")
            or _text(stmt, "{*}Acct/{*}Svcr/{*}FinInstnId/{*}Nm"),
        )
        ctry = (
            own.iban[:2]
            if own.iban
            else _text(stmt, "{*}Acct/{*}Svcr/{*}FinInstnId/{*}PstlAdr/{*}Ctry")
        )
        own.country = ctry.lower() if ctry else None
        for entry in stmt.iterfind("{*}Ntry"):
            amt = entry.find("{*}Amt")
            credit = _text(entry, "{*}CdtDbtInd") == "CRDT"
            details = entry.find("{*}NtryDtls/{*}TxDtls")
            family = {
                _text(entry, "{*}BkTxCd/{*}Domn/{*}Fmly/{*}SubFmlyCd"),
                _text(entry, "{*}BkTxCd/{*}Prtry/{*}Cd"),
            }
            kind = None
            if family & _CASH_DEPOSIT:
                kind = "cash_deposit"
            elif family & _CASH_WITHDRAWAL:
                kind = "cash_withdrawal"
            parties = details.find("{*}RltdPties") if details is not None else None
            other = (
                _party(parties, "Dbtr" if credit else "Cdtr") if parties is not None else _Party()
            )
            refs = details.find("{*}Refs") if details is not None else None
            yield (
                entry.sourceline,
                {
                    "tx_id": _text(refs, "{*}UETR")
                    or _text(refs, "{*}EndToEndId")
                    or _text(refs, "{*}AcctSvcrRef")
                    or _text(entry, "{*}AcctSvcrRef")
                    or _text(entry, "{*}NtryRef"),
                    "when": _text(entry, "{*}BookgDt/{*}DtTm")
                    or _text(entry, "{*}BookgDt/{*}Dt")
                    or _text(entry, "{*}ValDt/{*}Dt"),
                    "amount": amt.text if amt is not None else None,
                    "currency": amt.get("Ccy") if amt is not None else None,
                    "src_party": other if credit else own,
                    "dst_party": own if credit else other,
                    "type": kind,
                    "channel": "camt.053",
                },
            )
