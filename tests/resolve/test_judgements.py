"""The judgement ledger: append-only, one order per pair, analysts outrank models.

Runs on both store backends (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from paridad.resolve.judgements import (
    ANALYST,
    DIFFERENT,
    MSG_BAD_SOURCE,
    MSG_BAD_VERDICT,
    MSG_SELF,
    SAME,
    UNSURE,
    JudgementError,
    JudgementLedger,
    NewJudgement,
    effective,
)
from paridad.store.database import Database

MODEL = "splink:person@1"


@pytest.fixture
def ledger(store_url: str) -> Iterator[JudgementLedger]:
    db = Database(store_url)
    yield JudgementLedger(db)
    db.close()


def judge(
    ledger: JudgementLedger,
    a: str,
    b: str,
    verdict: str,
    source: str = ANALYST,
    score: float | None = None,
) -> None:
    with ledger.db.transaction() as tx:
        ledger.record(tx, [NewJudgement(a, b, verdict, source, "ana", "why", score)])


def test_judgements_are_appended_in_order_and_never_rewritten(ledger: JudgementLedger) -> None:
    judge(ledger, "p-2", "p-1", SAME, MODEL, 0.97)
    judge(ledger, "p-1", "p-2", DIFFERENT)
    judge(ledger, "p-1", "p-3", UNSURE, MODEL, 0.6)
    history = ledger.history("p-1")
    assert [j.seq for j in history] == [1, 2, 3]
    # "B and A" is stored as "A and B": one pair, whichever way it was named.
    assert [j.pair for j in history] == [("p-1", "p-2"), ("p-1", "p-2"), ("p-1", "p-3")]
    assert history[0].score == pytest.approx(0.97) and history[1].score is None
    assert all(j.created_at for j in history)
    assert ledger.pair_history("p-2", "p-1") == history[:2]
    assert ledger.count() == 3
    assert ledger.known("p-3") and not ledger.known("p-9")


def test_a_later_judgement_supersedes_but_history_stays(ledger: JudgementLedger) -> None:
    judge(ledger, "a", "b", SAME, MODEL, 0.95)
    judge(ledger, "a", "b", UNSURE, MODEL, 0.7)
    assert ledger.effective()[("a", "b")].verdict == UNSURE
    judge(ledger, "a", "b", DIFFERENT)
    judge(ledger, "a", "b", SAME)
    assert ledger.effective()[("a", "b")].verdict == SAME
    assert [j.verdict for j in ledger.pair_history("a", "b")] == [SAME, UNSURE, DIFFERENT, SAME]


def test_an_analyst_outranks_any_later_model_judgement(ledger: JudgementLedger) -> None:
    judge(ledger, "a", "b", DIFFERENT)
    judge(ledger, "a", "b", SAME, MODEL, 0.999)
    counted = ledger.effective()[("a", "b")]
    assert counted.by_analyst and counted.verdict == DIFFERENT
    # The latest of each kind is what the ledger reads; the rule picks between them.
    latest = ledger.latest()
    assert {(j.source, j.verdict) for j in latest} == {(ANALYST, DIFFERENT), (MODEL, SAME)}
    assert effective(latest)[("a", "b")] == counted


def test_bad_judgements_are_refused_with_a_reason() -> None:
    with pytest.raises(JudgementError) as self_pair:
        NewJudgement("a", "a", SAME, ANALYST, "ana", "why")
    assert self_pair.value.msgid == MSG_SELF and "(a)" in str(self_pair.value)
    with pytest.raises(JudgementError) as verdict:
        NewJudgement("a", "b", "maybe", ANALYST, "ana", "why")
    assert verdict.value.msgid == MSG_BAD_VERDICT and "maybe" in str(verdict.value)
    with pytest.raises(JudgementError) as source:
        NewJudgement("a", "b", SAME, "splink:", "ana", "why")
    assert source.value.msgid == MSG_BAD_SOURCE


def test_a_failed_transaction_records_nothing(ledger: JudgementLedger) -> None:
    judge(ledger, "a", "b", SAME)
    with pytest.raises(RuntimeError), ledger.db.transaction() as tx:
        ledger.record(tx, [NewJudgement("a", "c", SAME, ANALYST, "ana", "why")])
        raise RuntimeError("crash before commit")
    assert ledger.count() == 1
    judge(ledger, "a", "c", SAME)
    assert [j.seq for j in ledger.history("a")] == [1, 2]
