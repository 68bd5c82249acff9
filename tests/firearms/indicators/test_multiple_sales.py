"""Form 3310.4 and 3310.12 events, with ATF's worked examples for business days."""

from __future__ import annotations

from datetime import date

import pytest

from paridad.firearms.indicators import multiple_sales as ms
from paridad.firearms.tables import load_rows
from tests.firearms.helpers import AR15, PISTOL, RIMFIRE, sale

MON = date(2024, 3, 4)  # a Monday with no federal holiday near it
FRI = date(2024, 3, 8)
SAT = date(2024, 3, 9)
NEXT_MON = date(2024, 3, 11)


def test_atf_worked_examples_for_business_days() -> None:
    weekdays = ms.BusinessCalendar()
    assert weekdays.within_window(MON, FRI)
    assert not weekdays.within_window(MON, NEXT_MON)
    saturdays = ms.BusinessCalendar(frozenset(range(6)))
    assert saturdays.within_window(MON, FRI)
    assert not saturdays.within_window(MON, SAT)
    assert weekdays.within_window(date(2024, 3, 5), NEXT_MON)  # Tue..Mon is 5 days


def test_federal_holidays_are_not_business_days() -> None:
    # Thanksgiving 2024 is Thursday 28 Nov: Tuesday to the next Tuesday spans 5 open days.
    assert ms.BusinessCalendar().within_window(date(2024, 11, 26), date(2024, 12, 2))
    assert not ms.BusinessCalendar(holidays=False).within_window(
        date(2024, 11, 26), date(2024, 12, 3)
    )


def _events(*sales: dict[str, object], calendar: ms.Calendar = "observed") -> list[ms.Event]:
    return ms.detect(load_rows([], list(sales)), calendar)[0]


def test_two_pistols_within_five_business_days_make_a_3310_4() -> None:
    events = _events(sale(MON), sale(FRI), sale(MON, purchaser="other"))
    assert [(e.form, len(e.sales)) for e in events] == [(ms.FORM_HANDGUNS, 2)]


def test_monday_and_next_monday_do_not() -> None:
    assert _events(sale(MON), sale(NEXT_MON)) == []


def test_each_dealer_reports_its_own_sales() -> None:
    assert _events(sale(MON, dealer="D1"), sale(MON, dealer="D2")) == []


def test_a_shop_seen_open_on_saturdays_counts_them() -> None:
    other = sale(date(2024, 2, 3), purchaser="someone")  # a Saturday sale at D1
    tue = date(2024, 3, 5)
    assert _events(other, sale(MON), sale(SAT)) == []
    assert _events(other, sale(tue), sale(NEXT_MON)) == []  # Wed..Sat and Mon: 5 days
    assert len(_events(other, sale(tue), sale(NEXT_MON), calendar="mon-fri")) == 1


def test_a_later_sale_opens_a_linked_report() -> None:
    (event,) = _events(sale(MON), sale(FRI), sale(NEXT_MON))
    assert len(event.sales) == 3
    assert [len(r) for r in event.reports] == [2, 2]
    assert event.reports[1][0]["sold_on"] == FRI


def test_rifles_only_in_the_four_states_and_since_2011() -> None:
    assert [e.form for e in _events(sale(MON, gun=AR15), sale(FRI, gun=AR15))] == [ms.FORM_RIFLES]
    assert _events(sale(MON, gun=AR15, state="NV"), sale(FRI, gun=AR15, state="NV")) == []
    old = date(2010, 3, 1)
    assert _events(sale(old, gun=AR15), sale(old, gun=AR15)) == []
    assert _events(sale(MON, gun=RIMFIRE), sale(MON, gun=RIMFIRE)) == []
    assert _events(sale(MON, gun=AR15), sale(MON, gun=PISTOL)) == []


def test_action_and_magazine_columns_override_the_inference() -> None:
    bolt = {**AR15, "action": "bolt", "detachable_magazine": "true"}
    semi = {**AR15, "action": "semi-automatic", "detachable_magazine": "yes"}
    assert _events(sale(MON, gun=bolt), sale(MON, gun=bolt)) == []
    events = _events(sale(MON, gun=semi), sale(MON, gun=semi))
    assert len(events) == 1
    result = ms.run(load_rows([], [sale(MON, gun=semi), sale(MON, gun=semi)]))
    assert result.summary["rifle_rule"] == "columns"


@pytest.mark.parametrize(
    ("caliber", "above"),
    [
        (".223", True),
        ("5.56x45mm", True),
        ("5.56", True),
        ("7.62X39", True),
        (".50 BMG", True),
        ("30-06", True),
        (".22 LR", False),
        ("22 WMR", False),
        (".17 HMR", False),
        ("12 gauge", None),
        ("", None),
    ],
)
def test_caliber_above_22(caliber: str, above: bool | None) -> None:
    assert ms.caliber_above_22(caliber) is above


def test_run_explains_each_event() -> None:
    result = ms.run(load_rows([], [sale(MON), sale(FRI), sale(NEXT_MON)]))
    (row,) = result.rows
    assert row["firearms"] == 3 and row["reports"] == 2
    assert [r.msgid for r in row["reasons"]] == [ms.MSG_HANDGUNS, ms.MSG_LINKED]
    assert result.summary["linked_reports"] == 1
    assert len(result.extra["reports"]) == 2
