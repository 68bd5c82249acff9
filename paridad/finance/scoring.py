"""Risk scores of accounts, with the reasons behind each, in Spanish or English.

A score combines what is known about an account, each part a probability-like strength in
[0, 1] that compounds with the others (1 − Π(1 − part)) instead of adding up, so two weak
signals never outrank one strong one by sheer count:

- **typologies**: every finding the account anchors counts with the finding's strength
  (weight 1.0); being a member of someone else's pattern (a mule of a fan-in) counts less
  (``member_weight``, 0.5);
- **designated parties**: an account held by a designated party counts 0.9; one that paid or
  was paid by such an account directly, 0.6; two hops away, 0.3 (the hops are counted in SQL
  over the distinct counterparties, on either engine);
- **cross-border flows**: the share of the account's volume with accounts in another
  country, weighted 0.25 (the flows this cooperation follows cross the border, but so do
  remittances, so it only tips the balance);
- **hit/no-hit**: the partner's node holds this account too, 0.3 — the other half of the
  network is on the other side of the line.

Only accounts with at least one part above zero are listed; scores are 0–100.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.finance.detectors.base import Finding
from paridad.finance.engines import Engine
from paridad.finance.tables import holder_key
from paridad.i18n import N_, Lang, translate

MSG_ANCHOR = N_("{typology}: {explanation}")
MSG_MEMBER = N_("Part of a {typology} pattern centred on {anchor}.")
MSG_DESIGNATED_SELF = N_("Held by a designated party: {designation}.")
MSG_DESIGNATED_NEAR = N_(
    "{hops} hop(s) from an account held by a designated party ({designation})."
)
MSG_CROSS_BORDER = N_("{share} % of its volume crossed the border.")
MSG_PARTNER_HIT = N_("The partner's node holds this account too (hit {reference}).")


@dataclass(frozen=True)
class Weights:
    member_weight: float = 0.5
    designated_by_hops: tuple[float, ...] = (0.9, 0.6, 0.3)
    cross_border: float = 0.25
    partner_hit: float = 0.3


@dataclass
class AccountScore:
    account_id: str
    score: float
    typologies: tuple[str, ...]
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    components: dict[str, float] = field(default_factory=dict)

    def reasons_text(self, lang: Lang) -> list[str]:
        return [_render(msgid, params, lang) for msgid, params in self.reasons]


def _render(msgid: str, params: dict[str, Any], lang: Lang) -> str:
    shown = dict(params)
    if "finding" in shown:  # a finding's explanation and title, in the reader's language
        finding: Finding = shown.pop("finding")
        shown["explanation"] = finding.explain(lang)
    if "typology_title" in shown:
        shown["typology"] = translate(shown.pop("typology_title"), lang)
    return translate(msgid, lang, **shown)


def _compound(parts: Sequence[float]) -> float:
    remaining = 1.0
    for part in parts:
        remaining *= 1.0 - max(0.0, min(1.0, part))
    return 1.0 - remaining


def _hops(engine: Engine, designated: Mapping[str, str], max_hops: int) -> dict[str, int]:
    """Fewest hops from each account to an account held by a designated party."""
    if not designated:
        return {}
    values = ", ".join("('" + a.replace("'", "''") + "')" for a in sorted(designated))
    engine.create("_designated", f"SELECT * FROM (VALUES {values}) AS d(account)")
    engine.create(
        "_links",
        """SELECT DISTINCT src AS a, dst AS b FROM tx WHERE src IS NOT NULL AND dst IS NOT NULL
           UNION SELECT DISTINCT dst AS a, src AS b FROM tx
           WHERE src IS NOT NULL AND dst IS NOT NULL""",
    )
    engine.create("_reach_0", "SELECT account, 0 AS hops FROM _designated")
    for n in range(1, max_hops):
        engine.create(
            f"_reach_{n}",
            f"""SELECT DISTINCT l.b AS account, {n} AS hops
                FROM _reach_{n - 1} AS r JOIN _links AS l ON l.a = r.account""",
        )
    union = " UNION ALL ".join(f"SELECT account, hops FROM _reach_{n}" for n in range(max_hops))
    rows = engine.query(f"SELECT account, min(hops) AS hops FROM ({union}) GROUP BY account")
    return {str(r["account"]): int(r["hops"]) for r in rows.to_pylist()}


def _cross_border(engine: Engine) -> dict[str, float]:
    rows = engine.query(
        """
        WITH legs AS (
            SELECT src AS account, amount_usd,
                   CASE WHEN src_country <> dst_country THEN amount_usd ELSE 0 END AS foreign_usd
            FROM tx WHERE src IS NOT NULL
            UNION ALL
            SELECT dst AS account, amount_usd,
                   CASE WHEN src_country <> dst_country THEN amount_usd ELSE 0 END AS foreign_usd
            FROM tx WHERE dst IS NOT NULL
        )
        SELECT account, sum(foreign_usd) / sum(amount_usd) AS share
        FROM legs GROUP BY account HAVING sum(foreign_usd) > 0
        """
    ).to_pylist()
    return {str(r["account"]): float(r["share"]) for r in rows}


def score_accounts(
    engine: Engine,
    findings: Sequence[Finding],
    designated: Mapping[str, str] | None = None,
    partner_hits: Mapping[str, str] | None = None,
    weights: Weights | None = None,
) -> list[AccountScore]:
    """Ranked account scores, highest first (ties by account id)."""
    from paridad.finance.detectors import registry

    w = weights or Weights()
    designated = designated or {}
    partner_hits = partner_hits or {}
    titles = {name: cls.title for name, cls in registry().items()}
    parts: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    reasons: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    typologies: dict[str, set[str]] = defaultdict(set)
    for f in findings:
        title = titles.get(f.detector, f.detector)
        parts[f.anchor]["typologies"].append(f.score)
        typologies[f.anchor].add(f.detector)
        reasons[f.anchor].append((MSG_ANCHOR, {"typology_title": title, "finding": f}))
        for member in f.accounts:
            if member != f.anchor:
                parts[member]["typologies"].append(w.member_weight * f.score)
                typologies[member].add(f.detector)
                reasons[member].append((MSG_MEMBER, {"typology_title": title, "anchor": f.anchor}))
    for account, hops in _hops(engine, designated, len(w.designated_by_hops)).items():
        parts[account]["designated"].append(w.designated_by_hops[hops])
        # The designation named is the account's own, or the list's first for a neighbour.
        label = designated.get(account) or next(iter(sorted(designated.values())), "")
        if hops == 0:
            reasons[account].append((MSG_DESIGNATED_SELF, {"designation": label}))
        else:
            reasons[account].append((MSG_DESIGNATED_NEAR, {"hops": hops, "designation": label}))
    touched = set(parts)
    for account, share in _cross_border(engine).items():
        if account in touched:
            parts[account]["cross_border"].append(w.cross_border * share)
            reasons[account].append((MSG_CROSS_BORDER, {"share": round(100 * share, 1)}))
    for account, reference in partner_hits.items():
        parts[account]["partner_hit"].append(w.partner_hit)
        reasons[account].append((MSG_PARTNER_HIT, {"reference": reference}))
    scores = []
    for account, by_part in parts.items():
        components = {name: round(_compound(values), 4) for name, values in by_part.items()}
        total = _compound(list(components.values()))
        scores.append(
            AccountScore(
                account,
                round(100 * total, 1),
                tuple(sorted(typologies[account])),
                reasons[account],
                components,
            )
        )
    scores.sort(key=lambda s: (-s.score, s.account_id))
    return scores


def write_scores_csv(scores: Sequence[AccountScore], path: Path, lang: Lang) -> None:
    """``account_id, score, typologies, reasons``, one row per account, highest risk first."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["account_id", "score", "typologies", "reasons"])
        for s in scores:
            out.writerow(
                [
                    s.account_id,
                    f"{s.score:.1f}",
                    ";".join(s.typologies),
                    "; ".join(s.reasons_text(lang)),
                ]
            )


MSG_HOLDS = N_("Holds {account} (score {score}): {reason}")


@dataclass
class EntityScore:
    """A person or company scored through the accounts they hold."""

    entity_id: str
    name: str
    score: float
    accounts: tuple[str, ...]
    reasons: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def reasons_text(self, lang: Lang) -> list[str]:
        out = []
        for msgid, params in self.reasons:
            shown = dict(params)
            if "account_score" in shown:  # the held account's first reason, in this language
                held: AccountScore = shown.pop("account_score")
                texts = held.reasons_text(lang)
                shown["reason"] = texts[0] if texts else "-"
            out.append(translate(msgid, lang, **shown))
        return out


def score_entities(
    scores: Sequence[AccountScore], accounts: Sequence[Mapping[str, Any]]
) -> list[EntityScore]:
    """Holders ranked by what their accounts show: their accounts' scores compound
    (1 − Π(1 − score)), so a person with three middling accounts outranks one with one,
    and each held account that scored is a reason. Accounts with no known holder are left
    to the account scores."""
    by_account = {s.account_id: s for s in scores}
    held: dict[str, list[AccountScore]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in accounts:
        holder = holder_key(row)
        scored = by_account.get(str(row.get("account_id")))
        if holder is None or scored is None:
            continue
        held[holder].append(scored)
        names.setdefault(holder, (row.get("holder_name") or "").strip())
    out = []
    for holder, account_scores in held.items():
        account_scores.sort(key=lambda s: (-s.score, s.account_id))
        total = _compound([s.score / 100 for s in account_scores])
        out.append(
            EntityScore(
                holder,
                names[holder],
                round(100 * total, 1),
                tuple(s.account_id for s in account_scores),
                [
                    (
                        MSG_HOLDS,
                        {"account": s.account_id, "score": f"{s.score:.1f}", "account_score": s},
                    )
                    for s in account_scores
                ],
            )
        )
    out.sort(key=lambda e: (-e.score, e.entity_id))
    return out


def write_entity_scores_csv(scores: Sequence[EntityScore], path: Path, lang: Lang) -> None:
    """``entity_id, name, score, accounts, reasons``, one row per holder, highest first."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["entity_id", "name", "score", "accounts", "reasons"])
        for s in scores:
            out.writerow(
                [
                    s.entity_id,
                    s.name,
                    f"{s.score:.1f}",
                    ";".join(s.accounts),
                    "; ".join(s.reasons_text(lang)),
                ]
            )
