"""The money half of ``make demo``: each FIU scans its own payments where they are.

The UIF's node and FinCEN's node each read their own FtM payments and accounts, screen the
accounts' holders against their own country's designations, run every typology detector on
DuckDB, score the accounts (proximity to listed parties included) and write the scores (one
row per account, reasons in Spanish and in English), the alerts with their subgraphs and the
screening hits; then they trace the money of the highest-risk account forward three hops and
draw it. Nothing crosses the border for this: the analytics run where the data is.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.finance.detectors import all_detectors
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import open_engine
from paridad.finance.inputs.ftm import node_holders, read_store
from paridad.finance.scoring import score_accounts, write_scores_csv
from paridad.finance.screening.designations import DesignationList
from paridad.finance.screening.matcher import Screener, designated_accounts
from paridad.finance.tracing.diagram import write_svg
from paridad.finance.tracing.tracer import trace
from paridad.i18n import LANGS, Lang, _, format_number, translate
from paridad.node import Node


@dataclass
class FinanceSummary:
    sides: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_finance(
    workdir: Path,
    mx: Node,
    us: Node,
    log: Callable[[str], None] = print,
    partner_hits: Mapping[str, Mapping[str, str]] | None = None,
) -> FinanceSummary:
    """Each side's scan; ``partner_hits`` are, per side, its accounts the other node also
    holds (hit/no-hit on CLABE and IBAN: account id → hit reference)."""
    summary = FinanceSummary()
    started = time.perf_counter()
    out = workdir / "finance"
    out.mkdir(parents=True, exist_ok=True)
    for key, node in (("mx", mx), ("us", us)):
        log(_("Scanning {node}'s payments for laundering typologies…", node=node.config.name))
        with node.open_store() as store:
            transactions, accounts = read_store(store)
            listing = DesignationList.from_store(store, node.config.name)
            holders = node_holders(store, accounts)
        hits = []
        if len(listing):
            with Screener(listing) as screener:
                hits = screener.screen(holders)
        designated = designated_accounts(hits, accounts.to_pylist())
        screening = out / f"{key}-screening.jsonl"
        with screening.open("w", encoding="utf-8") as fh:
            for hit in hits:
                fh.write(json.dumps(hit.as_record(), ensure_ascii=False) + "\n")
        summary.files.append(str(screening))
        with open_engine("duckdb") as engine:
            engine.load("tx", transactions)
            engine.load("accounts", accounts)
            findings = scan(engine, all_detectors())
            known = set(accounts.column("account_id").to_pylist())
            hits_here = {
                a: ref for a, ref in (partner_hits or {}).get(key, {}).items() if a in known
            }
            scores = score_accounts(engine, findings, designated=designated, partner_hits=hits_here)
            # The riskiest account that paid money on: where did its money go?
            payers = set(transactions.column("src").to_pylist())
            seed = next((x.account_id for x in scores if x.account_id in payers), None)
            traced = trace(engine, [seed], "forward", 3) if seed else None
        if traced is not None:
            for suffix, write in (("csv", traced.write_table), ("json", traced.write_graph)):
                path = out / f"{key}-trace.{suffix}"
                write(path)
                summary.files.append(str(path))
            for lang in LANGS:
                path = out / f"{key}-trace.{lang}.svg"
                write_svg(traced, path, lang)
                summary.files.append(str(path))
        for lang in LANGS:
            path = out / f"{key}-scores.{lang}.csv"
            write_scores_csv(scores, path, lang)
            summary.files.append(str(path))
        alerts = out / f"{key}-alerts.jsonl"
        with alerts.open("w", encoding="utf-8") as fh:
            for f in findings:
                fh.write(json.dumps(f.as_record(), ensure_ascii=False) + "\n")
        summary.files.append(str(alerts))
        top = scores[0] if scores else None
        summary.sides[key] = {
            "node": node.config.name,
            "transactions": transactions.num_rows,
            "alerts": dict(Counter(f.detector for f in findings)),
            "accounts_scored": len(scores),
            "partner_hits": len(hits_here),
            # Of the accounts in a laundering pattern, those the partner also holds.
            "cross_border_in_patterns": sum(
                1 for x in scores if x.account_id in hits_here and x.typologies
            ),
            "listed": len(listing),
            "screened": len(holders),
            "hits": len(hits),
            "designated_accounts": len(designated),
            "traced": None
            if traced is None
            else {
                "seed": traced.seeds[0],
                "transfers": len(traced.transfers),
                "accounts": len(traced.accounts),
                "dollars": round(traced.attributed_total, 2),
            },
            "top": None
            if top is None
            else {
                "account": top.account_id,
                "score": top.score,
                "reasons": {lang: top.reasons_text(lang) for lang in ("es", "en")},
            },
        }
    summary.seconds = round(time.perf_counter() - started, 1)
    return summary


def finance_lines(s: FinanceSummary, lang: Lang) -> list[str]:
    lines = []
    for side in s.sides.values():
        alerts = ", ".join(f"{k}: {v}" for k, v in sorted(side["alerts"].items())) or "-"
        lines.append(
            translate(
                "Money on {node}: {tx} payments scanned, alerts by typology: {alerts}; "
                "{accounts} accounts scored.",
                lang,
                node=side["node"],
                tx=format_number(side["transactions"], lang),
                alerts=alerts,
                accounts=format_number(side["accounts_scored"], lang),
            )
        )
        lines.append(
            translate(
                "  Screening: {screened} account holders against {listed} listed parties, "
                "{hits} hits, {accounts} accounts held by listed parties.",
                lang,
                screened=format_number(side["screened"], lang),
                listed=format_number(side["listed"], lang),
                hits=format_number(side["hits"], lang),
                accounts=format_number(side["designated_accounts"], lang),
            )
        )
        top = side.get("top")
        if top:
            lines.append(
                translate(
                    "  Highest risk: {account} ({score}) — {reason}",
                    lang,
                    account=top["account"],
                    score=format_number(top["score"], lang, digits=1),
                    reason=top["reasons"][lang][0] if top["reasons"][lang] else "-",
                )
            )
        if side["partner_hits"]:
            lines.append(
                translate(
                    "  Cross-border half: {hits} accounts are also held by the partner's node "
                    "(hit/no-hit on CLABE and IBAN), {patterns} of them in laundering patterns.",
                    lang,
                    hits=format_number(side["partner_hits"], lang),
                    patterns=format_number(side["cross_border_in_patterns"], lang),
                )
            )
        traced = side.get("traced")
        if traced:
            lines.append(
                translate(
                    "  Traced forward from {seed}: {transfers} transfers over {accounts} "
                    "accounts in three hops, US$ {dollars} followed.",
                    lang,
                    seed=traced["seed"],
                    transfers=format_number(traced["transfers"], lang),
                    accounts=format_number(traced["accounts"], lang),
                    dollars=format_number(traced["dollars"], lang, 2),
                )
            )
    if s.files:
        lines.append(
            translate("Finance scores and alerts: {path}", lang, path=str(Path(s.files[0]).parent))
        )
    return lines
