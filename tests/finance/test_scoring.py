"""Account and entity scores: compounding parts, designated parties by hops, partner hits,
and holders ranked through the accounts they hold, with reasons in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from paridad.finance.detectors import all_detectors
from paridad.finance.detectors.runner import scan
from paridad.finance.engines import Engine
from paridad.finance.sample import Ledger
from paridad.finance.scoring import score_accounts, score_entities
from paridad.i18n import LANGS


def _book() -> Ledger:
    book = Ledger()
    for i in range(9):  # a fan-in to FRENTE
        book.pay(f"MULA{i}", "FRENTE", 2900 + 20 * i, hours=6 * i)
    book.pay("FRENTE", "LISTED", 500, hours=100)
    book.pay("LISTED", "FAR", 100, hours=120)
    book.pay("FAR", "FARTHER", 50, hours=130)
    return book


def test_parts_compound_and_designations_count_by_hops(duckdb_engine: Engine) -> None:
    duckdb_engine.load("tx", _book().transactions())
    findings = scan(duckdb_engine, all_detectors())
    scores = {
        s.account_id: s
        for s in score_accounts(
            duckdb_engine,
            findings,
            designated={"LISTED": "Los Altos (SDGT)"},
            partner_hits={"FRENTE": "hit-1"},
        )
    }
    assert scores["LISTED"].components["designated"] == pytest.approx(0.9)
    assert scores["FAR"].components["designated"] == pytest.approx(0.6)
    assert scores["FARTHER"].components["designated"] == pytest.approx(0.3)
    front = scores["FRENTE"]
    assert set(front.components) >= {"typologies", "designated", "partner_hit"}
    # 1 − Π(1 − part): more than the strongest part, never more than 100.
    assert max(front.components.values()) * 100 < front.score <= 100
    text = " ".join(front.reasons_text("en"))
    assert "hit hit-1" in text and "1 hop(s)" in text and "Los Altos (SDGT)" in text
    for s in scores.values():
        for lang in LANGS:
            assert all("{" not in r for r in s.reasons_text(lang))


def test_holders_are_ranked_through_their_accounts(duckdb_engine: Engine) -> None:
    duckdb_engine.load("tx", _book().transactions())
    scores = score_accounts(
        duckdb_engine, scan(duckdb_engine, all_detectors()), designated={"LISTED": "SDN"}
    )
    accounts: list[dict[str, Any]] = [
        {"account_id": "FRENTE", "holder_id": "p1", "holder_name": "Frente Uno"},
        {"account_id": "LISTED", "holder_id": "p1", "holder_name": "Frente Uno"},
        {"account_id": "FARTHER", "holder_id": None, "holder_name": "Ana Ruiz"},
        {"account_id": "NOBODY", "holder_id": None, "holder_name": None},
    ]
    ranked = score_entities(scores, accounts)
    assert [e.entity_id for e in ranked] == ["p1", "holder:Ana Ruiz"]
    by_account = {s.account_id: s.score for s in scores}
    assert ranked[0].score > max(by_account["FRENTE"], by_account["LISTED"])
    assert ranked[0].accounts[0] == max(("FRENTE", "LISTED"), key=by_account.__getitem__)
    assert ranked[1].score == pytest.approx(by_account["FARTHER"])
    assert ranked[0].reasons_text("es")[0].startswith("Tiene ")
