"""Multiple-sale events: the sales a dealer must report on ATF Forms 3310.4 and 3310.12.

* Form 3310.4 (18 U.S.C. 923(g)(3)): two or more pistols or revolvers to the same unlicensed
  person at once or within five consecutive business days, in every state.
* Form 3310.12 (the "Demand Letter" under 923(g)(5), since 14 Aug 2011): two or more
  semi-automatic rifles of caliber greater than .22 (.223/5.56 included) able to accept a
  detachable magazine, same person, same window, by dealers in AZ, CA, NM and TX.

Each dealer reports its own sales, so sales are grouped by purchaser, dealer and form.

Business days are the days a dealer is open: by default Monday to Friday without US federal
holidays (from the ``holidays`` package), plus any weekday on which the dealer's own records
show a sale (a shop that sells on Saturdays is open on Saturdays), plus any day with a sale.
ATF's worked examples hold: Monday and the following Friday fall in one window; Monday and the
next Monday do not; for a shop open Monday to Saturday, Monday and Saturday do not.
``calendar="mon-fri"`` drops the weekday inference.

A chain of sales where each is within the window of the one before is one *event*. ATF asks
for a further report, linked to the first, when a later sale falls outside the first
report's window but within five business days of an earlier sale (worked example 2c), so an
event carries one or more reports.

Rifles qualify by the ``action`` and ``detachable_magazine`` columns when the source has
them; otherwise every rifle (or carbine) of caliber greater than .22 is taken to be a
semi-automatic with a detachable magazine. That inference over-counts bolt-action, lever and
fixed-magazine rifles; the summary says which rule was used.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any, Literal

from paridad.firearms.indicators.base import IndicatorResult, Reason
from paridad.firearms.tables import Tables
from paridad.i18n import N_

NAME = "multiple_sales"
VERSION = "1"
TITLE = N_("Multiple-sale events")

FORM_HANDGUNS = "3310.4"
FORM_RIFLES = "3310.12"
WINDOW_BUSINESS_DAYS = 5
DEMAND_LETTER_STATES = frozenset({"AZ", "CA", "NM", "TX"})
DEMAND_LETTER_START = date(2011, 8, 14)
CALIBER_22 = 0.22
# Metric bores from 5.45 mm (5.45x39, 5.56x45) are the .223-class rounds ATF counts as > .22.
METRIC_GT_22_MM = 5.45

MSG_HANDGUNS = N_(
    "{count} pistols or revolvers sold to one purchaser within 5 business days (Form 3310.4)"
)
MSG_RIFLES = N_(
    "{count} semi-automatic rifles above .22 caliber sold to one purchaser within 5 business "
    "days in {state} (Form 3310.12)"
)
MSG_LINKED = N_("Later sales extended the window: {count} linked reports")
MSG_INFERRED = N_("Rifles taken as semi-automatic with detachable magazines from type and caliber")
MSG_NOT_FILED = N_("{count} of these sales carry no multiple-sale report number")

Calendar = Literal["observed", "mon-fri"]
HANDGUN_TYPES = frozenset({"pistol", "revolver", "handgun", "pistola", "arma corta"})
RIFLE_TYPES = frozenset({"rifle", "carbine", "fusil", "carabina"})
_YES = frozenset({"true", "yes", "y", "1", "si", "s", "x"})

COLUMNS = [
    "event_id",
    "form",
    "purchaser_id",
    "purchaser_name",
    "dealer_id",
    "dealer_name",
    "dealer_state",
    "first_sold_on",
    "last_sold_on",
    "firearms",
    "reports",
    "acquisitions",
]


def _fold(text: str | None) -> str:
    norm = unicodedata.normalize("NFKD", (text or "").strip().lower())
    return "".join(c for c in norm if not unicodedata.combining(c))


@cache
def federal_holidays(year: int) -> frozenset[date]:
    """US federal holidays of a year, with the weekday on which each is observed."""
    import holidays

    return frozenset(holidays.country_holidays("US", years=year, observed=True))


@dataclass(frozen=True)
class BusinessCalendar:
    """The days one dealer is open for business."""

    open_weekdays: frozenset[int] = frozenset(range(5))
    open_dates: frozenset[date] = frozenset()
    holidays: bool = True

    def is_open(self, day: date) -> bool:
        if day in self.open_dates:
            return True
        if self.holidays and day in federal_holidays(day.year):
            return False
        return day.weekday() in self.open_weekdays

    def within_window(self, first: date, later: date, days: int = WINDOW_BUSINESS_DAYS) -> bool:
        """Whether ``later`` falls within the ``days`` consecutive business days that start
        on ``first`` (both ends are sale days, so both are open)."""
        if later < first:
            first, later = later, first
        count = 0
        day = first
        while day < later:
            day += timedelta(days=1)
            if self.is_open(day):
                count += 1
                if count >= days:
                    return False
        return True


def dealer_calendars(
    sales: Iterable[tuple[str, date]], calendar: Calendar = "observed"
) -> dict[str, BusinessCalendar]:
    """A calendar per dealer from the (dealer, day) of its sales."""
    weekdays: dict[str, set[int]] = defaultdict(lambda: set(range(5)))
    dates: dict[str, set[date]] = defaultdict(set)
    for dealer, day in sales:
        dates[dealer].add(day)
        if calendar == "observed":
            weekdays[dealer].add(day.weekday())
    return {d: BusinessCalendar(frozenset(weekdays[d]), frozenset(dates[d])) for d in dates}


_NUMBER = re.compile(r"(\d*\.\d+|\d+)")


def _bore(text: str | None) -> tuple[str, float] | None:
    """("mm", millimetres) or ("in", inches) of a caliber as written; ``None`` for gauges
    and text with no number."""
    t = _fold(text).replace(",", ".")
    if not t or "gauge" in t or re.search(r"\d\s*ga\b", t):
        return None
    m = _NUMBER.search(t)
    if not m:
        return None
    raw = m.group(1)
    value = float(raw)
    after = t[m.end() : m.end() + 3]
    if "mm" in t or "x" in after or (not raw.startswith(".") and "." in raw and value >= 1):
        return ("mm", value) if value < 30 else None
    if raw.startswith("."):
        return ("in", value)
    digits = raw.split(".")[0]
    if len(digits) in (2, 3):
        return ("in", value / 10 ** len(digits))
    return None


def caliber_inches(text: str | None) -> float | None:
    """The nominal bore in inches of a caliber as written (".223", "5.56x45mm", "22 LR",
    "7.62X39", ".50 BMG", "30-06")."""
    bore = _bore(text)
    if bore is None:
        return None
    unit, value = bore
    return value / 25.4 if unit == "mm" else value


def caliber_above_22(text: str | None) -> bool | None:
    """Whether a caliber counts as greater than .22 for Form 3310.12 (``None``: unreadable).
    Metric bores from 5.45 mm count, so 5.56 mm does as ATF says, though it is 0.219 in."""
    bore = _bore(text)
    if bore is None:
        return None
    unit, value = bore
    return value >= METRIC_GT_22_MM if unit == "mm" else round(value, 3) > CALIBER_22


def _flag(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    return _fold(str(value)) in _YES


def _semi(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    return _fold(str(value)).startswith("semi")


def sale_form(row: dict[str, Any], use_columns: bool) -> str | None:
    """The multiple-sale form a sale counts towards, if any."""
    kind = _fold(row.get("type"))
    if kind in HANDGUN_TYPES:
        return FORM_HANDGUNS
    if kind not in RIFLE_TYPES:
        return None
    state = (row.get("dealer_state") or "").strip().upper()
    day = row.get("sold_on")
    if state not in DEMAND_LETTER_STATES or day is None or day < DEMAND_LETTER_START:
        return None
    if use_columns:
        semi, detachable = _semi(row.get("action")), _flag(row.get("detachable_magazine"))
        if semi is False or detachable is False:
            return None
    return FORM_RIFLES if caliber_above_22(row.get("caliber")) else None


@dataclass
class Event:
    """Sales of one form by one dealer to one purchaser, chained within the window."""

    form: str
    purchaser_id: str
    dealer_id: str
    sales: list[dict[str, Any]]
    reports: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def acquisitions(self) -> list[str]:
        return [s["acquisition_id"] for s in self.sales]


def _chains(sales: list[dict[str, Any]], cal: BusinessCalendar) -> list[list[dict[str, Any]]]:
    chains: list[list[dict[str, Any]]] = []
    for sale in sales:
        if chains and cal.within_window(chains[-1][-1]["sold_on"], sale["sold_on"]):
            chains[-1].append(sale)
        else:
            chains.append([sale])
    return chains


def _reports(chain: list[dict[str, Any]], cal: BusinessCalendar) -> list[list[dict[str, Any]]]:
    """The first report covers the window from the first sale; each sale outside every
    earlier window opens a linked report with the sales within five business days of it."""
    reports: list[list[dict[str, Any]]] = []
    covered: set[int] = set()
    for i, anchor in enumerate(chain):
        if i in covered:
            continue
        day = anchor["sold_on"]
        members = [
            j
            for j, s in enumerate(chain)
            if (j < i and cal.within_window(s["sold_on"], day))
            or (j >= i and cal.within_window(day, s["sold_on"]))
        ]
        covered.update(j for j in members if j >= i)
        reports.append([chain[j] for j in members])
    return reports


def detect(tables: Tables, calendar: Calendar = "observed") -> tuple[list[Event], dict[str, Any]]:
    """Every multiple-sale event in the acquisitions, and how they were found."""
    use_columns = tables.has("acquisitions", "action") or tables.has(
        "acquisitions", "detachable_magazine"
    )
    sales = tables.rows(
        "SELECT acquisition_id, type, caliber, sold_on, dealer_id, dealer_state, purchaser_id,"
        " action, detachable_magazine, multiple_sale_report FROM acquisitions"
        " WHERE sold_on IS NOT NULL AND purchaser_id IS NOT NULL AND dealer_id IS NOT NULL"
        " ORDER BY sold_on, acquisition_id"
    )
    cals = dealer_calendars(((s["dealer_id"], s["sold_on"]) for s in sales), calendar)
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for sale in sales:
        form = sale_form(sale, use_columns)
        if form:
            groups[(sale["purchaser_id"], sale["dealer_id"], form)].append(sale)
    events: list[Event] = []
    for (purchaser, dealer, form), group in sorted(groups.items()):
        cal = cals[dealer]
        for chain in _chains(group, cal):
            if len(chain) >= 2:
                events.append(Event(form, purchaser, dealer, chain, _reports(chain, cal)))
    events.sort(key=lambda e: (e.sales[0]["sold_on"], e.purchaser_id, e.dealer_id, e.form))
    how = {"calendar": calendar, "rifle_rule": "columns" if use_columns else "inferred"}
    return events, how


def run(tables: Tables, calendar: Calendar = "observed") -> IndicatorResult:
    events, how = detect(tables, calendar)
    names = {
        r["id"]: r["name"]
        for r in tables.rows(
            "SELECT purchaser_id AS id, max(purchaser_name) AS name FROM acquisitions"
            " GROUP BY 1 UNION ALL SELECT dealer_id, max(dealer_name) FROM acquisitions"
            " GROUP BY 1"
        )
    }
    filed_known = tables.has("acquisitions", "multiple_sale_report")
    rows: list[dict[str, Any]] = []
    report_rows: list[dict[str, Any]] = []
    for n, event in enumerate(events, start=1):
        event_id = f"MS-{n:05d}"
        state = (event.sales[0].get("dealer_state") or "").upper()
        reasons = [
            Reason(MSG_HANDGUNS, {"count": len(event.sales)})
            if event.form == FORM_HANDGUNS
            else Reason(MSG_RIFLES, {"count": len(event.sales), "state": state})
        ]
        if len(event.reports) > 1:
            reasons.append(Reason(MSG_LINKED, {"count": len(event.reports) - 1}))
        if event.form == FORM_RIFLES and how["rifle_rule"] == "inferred":
            reasons.append(Reason(MSG_INFERRED))
        unfiled = sum(not s.get("multiple_sale_report") for s in event.sales)
        if filed_known and unfiled:
            reasons.append(Reason(MSG_NOT_FILED, {"count": unfiled}))
        rows.append(
            {
                "event_id": event_id,
                "form": event.form,
                "purchaser_id": event.purchaser_id,
                "purchaser_name": names.get(event.purchaser_id),
                "dealer_id": event.dealer_id,
                "dealer_name": names.get(event.dealer_id),
                "dealer_state": state,
                "first_sold_on": event.sales[0]["sold_on"],
                "last_sold_on": event.sales[-1]["sold_on"],
                "firearms": len(event.sales),
                "reports": len(event.reports),
                "acquisitions": event.acquisitions,
                "reasons": reasons,
            }
        )
        for k, report in enumerate(event.reports, start=1):
            report_rows.append(
                {
                    "report_id": f"{event_id}-{k}",
                    "event_id": event_id,
                    "form": event.form,
                    "linked_to": f"{event_id}-1" if k > 1 else "",
                    "acquisitions": ";".join(s["acquisition_id"] for s in report),
                }
            )
    summary: dict[str, Any] = {
        **how,
        "events": len(rows),
        "events_3310_4": sum(r["form"] == FORM_HANDGUNS for r in rows),
        "events_3310_12": sum(r["form"] == FORM_RIFLES for r in rows),
        "reports": len(report_rows),
        "linked_reports": len(report_rows) - len(rows),
        "firearms": sum(r["firearms"] for r in rows),
        "purchasers": len({r["purchaser_id"] for r in rows}),
    }
    return IndicatorResult(
        NAME, VERSION, TITLE, COLUMNS, rows, summary, extra={"reports": report_rows}
    )
