"""Purchaser scores: each signal adds its documented weight and its reason."""

from __future__ import annotations

from datetime import date, timedelta

from paridad.firearms.indicators import purchasers as pur
from paridad.firearms.tables import load_rows
from tests.firearms.helpers import recovery, sale, trace

DAY = date(2024, 3, 4)


def test_a_straw_pattern_outranks_an_innocent_pair() -> None:
    straw = [sale(DAY, purchaser="S", dealer=d) for d in ("D1", "D1", "D2")]
    innocent = [sale(DAY, purchaser="I"), sale(DAY, purchaser="I")]
    rec = recovery(DAY + timedelta(days=90), possessor_id="someone-else")
    tables = load_rows([rec], straw + innocent, [trace(rec, straw[0])])
    result = pur.run(tables)
    top, second = result.rows[0], result.rows[1]
    assert top["purchaser_id"] == "S" and second["purchaser_id"] == "I"
    # short TTC 2 + other possessor 1 + one event 1.5 + same model x3 (2 repeats) 1 + 2 dealers 1
    assert top["score"] == 6.5 and top["flagged"]
    assert second["score"] == 2.0 and not second["flagged"]  # one event + one repeat
    msgids = {r.msgid for r in top["reasons"]}
    assert {pur.MSG_SHORT_TTC, pur.MSG_OTHER_POSSESSOR, pur.MSG_MULTIPLE, pur.MSG_DEALERS} <= msgids


def test_an_old_gun_found_in_mexico_scores_little() -> None:
    acq = sale(date(2010, 1, 5), purchaser="O")
    rec = recovery(date(2024, 1, 5), possessor_id="O")
    result = pur.run(load_rows([rec], [acq], [trace(rec, acq)]))
    assert result.rows[0]["score"] == pur.W_RECOVERED
    assert [r.msgid for r in result.rows[0]["reasons"]] == [pur.MSG_RECOVERED]


def test_dealers_in_window() -> None:
    rows = [sale(DAY + timedelta(days=d), dealer=f"D{d}") for d in (0, 10, 29, 70)]
    assert pur._dealers_in_window(rows) == 3
