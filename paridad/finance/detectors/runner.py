"""Run detectors on an engine: shared tables once, then each detector's two queries.

The transactions must already be loaded on the engine as ``tx`` (and the accounts as
``accounts``). Findings come back sorted by detector, then strongest first, then alert id, so
two engines — or two runs — can be compared finding by finding.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from paridad.finance.detectors.base import ALERT_COLUMNS, Detector, Fact, Finding
from paridad.finance.detectors.shared import SHARED
from paridad.finance.engines import Engine

# Called as each step ends: (detector name or shared table, alerts found, seconds taken).
Progress = Callable[[str, int, float], None]


def scan(
    engine: Engine,
    detectors: Sequence[Detector],
    progress: Progress | None = None,
) -> list[Finding]:
    """Every finding of ``detectors`` on the engine's ``tx`` table."""
    prepared: set[str] = set()
    findings: list[Finding] = []
    for detector in detectors:
        for shared in detector.requires:
            if shared not in prepared:
                started = time.perf_counter()
                engine.create(shared, SHARED[shared]())
                prepared.add(shared)
                if progress:
                    progress(shared, 0, time.perf_counter() - started)
        started = time.perf_counter()
        found = _run_one(engine, detector)
        findings.extend(found)
        if progress:
            progress(detector.name, len(found), time.perf_counter() - started)
    return findings


def _run_one(engine: Engine, detector: Detector) -> list[Finding]:
    for name, sql in detector.stages():
        engine.create(name, sql)
    table = f"alerts_{detector.name.replace('-', '_')}"
    engine.create(table, detector.alerts_sql())
    alerts = engine.query(f"SELECT * FROM {table}").to_pylist()
    if not alerts:
        return []
    members = engine.query(
        f"""
        SELECT m.alert_id, m.tx_id, t.src, t.dst
        FROM ({detector.members_sql()}) AS m
        JOIN {table} AS a ON a.alert_id = m.alert_id
        JOIN tx AS t ON t.tx_id = m.tx_id
        """
    ).to_pylist()
    txs: dict[str, set[str]] = defaultdict(set)
    accounts: dict[str, set[str]] = defaultdict(set)
    for row in members:
        txs[row["alert_id"]].add(row["tx_id"])
        for end in (row["src"], row["dst"]):
            if end:
                accounts[row["alert_id"]].add(end)
    out: list[Finding] = []
    for row in alerts:
        alert_id = str(row["alert_id"])
        facts: dict[str, Fact] = {
            k: _fact(v)
            for k, v in row.items()
            if k not in ALERT_COLUMNS and not k.startswith("_") and v is not None
        }
        anchor = str(row["anchor"])
        out.append(
            Finding(
                detector=detector.name,
                version=detector.version,
                alert_id=alert_id,
                anchor=anchor,
                score=round(float(row["score"]), 4),  # engines differ in the last bits
                facts=facts,
                accounts=tuple(sorted(accounts[alert_id] | {anchor})),
                transactions=tuple(sorted(txs[alert_id])),
                rule=detector.rule,
            )
        )
    out.sort(key=lambda f: (-f.score, f.alert_id))
    return out


def _fact(value: object) -> Fact:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value, 4)
    try:
        number = float(str(value))
    except ValueError:
        return str(value)
    return int(number) if number.is_integer() else round(number, 4)
