"""The money half of ``make demo``: each FIU scans its own payments where they are.

The UIF's node and FinCEN's node each read their own FtM payments and accounts, run every
typology detector on DuckDB, score the accounts and write the scores (one row per account,
reasons in Spanish and in English) and the alerts with their subgraphs. Nothing crosses the
border for this: the analytics run where the data is.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.finance.detectors import all_detectors
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import open_engine
from paridad.finance.inputs.ftm import read_store
from paridad.finance.scoring import score_accounts, write_scores_csv
from paridad.i18n import Lang, _, format_number, translate
from paridad.node import Node


@dataclass
class FinanceSummary:
    sides: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_finance(
    workdir: Path, mx: Node, us: Node, log: Callable[[str], None] = print
) -> FinanceSummary:
    summary = FinanceSummary()
    started = time.perf_counter()
    out = workdir / "finance"
    out.mkdir(parents=True, exist_ok=True)
    for key, node in (("mx", mx), ("us", us)):
        log(_("Scanning {node}'s payments for laundering typologies…", node=node.config.name))
        with node.open_store() as store:
            transactions, accounts = read_store(store)
        with open_engine("duckdb") as engine:
            engine.load("tx", transactions)
            engine.load("accounts", accounts)
            findings = scan(engine, all_detectors())
            scores = score_accounts(engine, findings)
        for lang in ("es", "en"):
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
    if s.files:
        lines.append(
            translate("Finance scores and alerts: {path}", lang, path=str(Path(s.files[0]).parent))
        )
    return lines
