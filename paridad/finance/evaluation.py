"""How well the detectors find planted typologies: precision, recall and F1, per typology and
for laundering accounts overall.

- An **instance** (one planted typology) is found when a finding of the detector with the same
  name holds at least half of the instance's accounts seen by one node (a node sees only its
  side of a cross-border network; the instance counts as found when either side finds it).
- A **finding** is correct when it shares an account with a planted instance of the same kind,
  or of a kind that contains it by definition (:data:`CONTAINS`): a funnel account's deposits
  are structured (FIN-2014-A005), so a structuring finding on a funnel is correct; a cycle's
  and a scatter-gather's relays are layering chains.
- **Laundering accounts**: the real accounts of every finding against the real accounts of
  every planted instance. Each node keeps its own record of an account it sees (its own, or
  a foreign counterparty's); ``same_account`` maps the records of one real account to one key
  (the truth's ``account_pairs``), so a Mexican account found by the Mexican node counts once,
  and its record on the US side — where it is only the far end of a wire — is not a miss.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paridad.finance.detectors.base import Finding

CONTAINS: Mapping[str, tuple[str, ...]] = {
    "structuring": ("funnel",),
    "stack": ("cycle", "scatter-gather", "gather-scatter", "rapid-pass-through"),
    "fan-in": ("gather-scatter", "funnel"),
    "fan-out": ("gather-scatter",),
}


@dataclass(frozen=True)
class Planted:
    id: str
    kind: str
    accounts: frozenset[str]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float
    predicted: int
    actual: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "predicted": self.predicted,
            "actual": self.actual,
        }


def _score(tp_pred: int, predicted: int, tp_actual: int, actual: int) -> Score:
    p = tp_pred / predicted if predicted else (1.0 if not actual else 0.0)
    r = tp_actual / actual if actual else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Score(p, r, f1, predicted, actual)


def planted_from_truth(records: Iterable[Mapping[str, Any]]) -> list[Planted]:
    """One entry per instance and side that sees it (``accounts_by_side``), else one."""
    out = []
    for r in records:
        sides = [v for v in (r.get("accounts_by_side") or {}).values() if v]
        for accounts in sides or [r["accounts"]]:
            out.append(Planted(str(r["id"]), str(r["kind"]), frozenset(map(str, accounts))))
    return out


def same_account_from_truth(pairs: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Record id → real account key, from the truth's ``account_pairs``."""
    out: dict[str, str] = {}
    for pair in pairs:
        for side in ("mx", "us"):
            if pair.get(side):
                out[str(pair[side])] = str(pair["key"])
    return out


def evaluate(
    findings: Sequence[Finding],
    planted: Sequence[Planted],
    same_account: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Per typology (every kind planted or detected) and overall, as plain dicts."""
    real = same_account or {}
    by_account: dict[str, list[Planted]] = defaultdict(list)
    for inst in planted:
        for account in inst.accounts:
            by_account[account].append(inst)
    found: set[str] = set()
    for f in findings:
        touched = {inst.id: inst for a in f.accounts for inst in by_account.get(a, [])}
        for inst in touched.values():
            if inst.kind == f.detector and 2 * len(inst.accounts & set(f.accounts)) >= len(
                inst.accounts
            ):
                found.add(inst.id)
    kinds = sorted({p.kind for p in planted} | {f.detector for f in findings})
    per_kind: dict[str, Any] = {}
    for kind in kinds:
        mine = [f for f in findings if f.detector == kind]
        ok_kinds = {kind, *CONTAINS.get(kind, ())}
        correct = sum(
            1
            for f in mine
            if any(inst.kind in ok_kinds for a in f.accounts for inst in by_account.get(a, []))
        )
        instances = {p.id for p in planted if p.kind == kind}
        hit = len(instances & found)
        per_kind[kind] = _score(correct, len(mine), hit, len(instances)).as_dict()
    predicted = {real.get(a, a) for f in findings for a in f.accounts}
    actual = {real.get(a, a) for a in by_account}
    overall = _score(len(predicted & actual), len(predicted), len(predicted & actual), len(actual))
    return {"typologies": per_kind, "accounts": overall.as_dict()}
