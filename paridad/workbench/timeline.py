"""Timelines of an entity or a case: its dated events and those of the entities around it.

An analyst reconstructing a case wants the order of things — when a firearm was bought, when
and where it was recovered, when the joint case opened — without opening every record. This
module gathers those dates from the node's store and the page draws them as a list grouped
by year and month and as a small server-drawn SVG axis (no JavaScript library).

What counts as an event is decided by the model, not by a list kept here: every value of a
property whose FtM type is ``date`` (``date``, ``startDate``, ``endDate`` of FtM's intervals,
and Paridad's own dated properties such as a case's opening date), so a schema that gains a
dated property shows on timelines without a change here. The entities are the one the user
opened and those linked to it one step either way (the links its entity page shows, read
with :func:`paridad.workbench.views.entity_page`); for a case — a ``JointCase``, or an entity
pointing to one or carrying a case number — also every entity of that case. Need-to-know is
checked on every entity (:func:`paridad.workbench.views.visible`) before any of its dates is
read, and the work is bounded: at most :data:`MEMBERS` case members and :data:`EVENTS` events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from babel.dates import format_date as _babel_format_date
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from followthemoney.types import registry

from paridad.exchange.context import Exchange
from paridad.i18n import LOCALES, Lang, format_date
from paridad.model import model
from paridad.model.labels import property_label
from paridad.store.base import EntityRecord, Store
from paridad.store.database import Database
from paridad.workbench.accounts import User
from paridad.workbench.entity_access import Opened, Render, open_entity, record_view
from paridad.workbench.views import _chunks, entity_page, schema_name_label, visible

EVENTS = 500  # events shown on one timeline; the earliest are kept
MEMBERS = 300  # entities of a case read besides the opened entity's own links
CASE_SCHEMA = "JointCase"
CASE_NUMBER = "caseNumber"
AXIS_WIDTH = 900  # the SVG's user units; the stylesheet scales it to the page
AXIS_HEIGHT = 70
AXIS_PAD = 20

# FtM dates run from a year to seconds: 2024, 2024-03, 2024-03-05, 2024-03-05T10:20:30.
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2}))?)?)?)?)?")


@cache
def date_props() -> tuple[str, ...]:
    """Names of every date-typed property in the model: the only values read as events."""
    return tuple(
        sorted(
            {
                prop.name
                for schema in model.schemata.values()
                for prop in schema.properties.values()
                if prop.type == registry.date
            }
        )
    )


@cache
def case_props() -> tuple[str, ...]:
    """Names of the entity properties that point to a joint case (a recovery's ``case``…)."""
    return tuple(
        sorted(
            {
                prop.name
                for schema in model.schemata.values()
                for prop in schema.properties.values()
                if prop.type == registry.entity
                and prop.range is not None
                and prop.range.is_a(CASE_SCHEMA)
            }
        )
    )


@dataclass(frozen=True)
class Event:
    """One dated value of one entity, with what the page prints of it."""

    value: str  # the FtM date as stored, which also sorts chronologically
    year: int
    month: int  # 0 when the value names only a year
    label: str  # the date in the reader's language
    entity_id: str
    caption: str
    schema_label: str
    prop_label: str


@dataclass(frozen=True)
class Month:
    month: int
    label: str
    events: list[Event]


@dataclass(frozen=True)
class Year:
    year: int
    months: list[Month]


@dataclass(frozen=True)
class Mark:
    """One event on the SVG axis: where it sits and where it links."""

    x: float
    y: float
    entity_id: str
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class Timeline:
    record: EntityRecord
    schema_label: str
    case: bool = False
    events: list[Event] = field(default_factory=list)
    years: list[Year] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    truncated: bool = False
    withheld: int = 0
    partner: bool = False


def _parse(value: str) -> tuple[int, int, date | datetime | None] | None:
    """Year, month (0 if absent) and a full date or time when the value has a day."""
    found = _DATE.match(value)
    if found is None:
        return None
    year, month, day, hour, minute, second = found.groups()
    try:
        if day is None:
            return int(year), int(month or 0), None
        if hour is None:
            return int(year), int(month or 0), date(int(year), int(month), int(day))
        stamp = datetime(
            int(year), int(month), int(day), int(hour), int(minute or 0), int(second or 0)
        )
        return int(year), int(month), stamp
    except ValueError:  # a month 13 or a 30 February: not a date
        return None


def _month_name(month: int, lang: Lang) -> str:
    return str(_babel_format_date(date(2000, month, 1), format="LLLL", locale=LOCALES[lang]))


def _label(year: int, month: int, full: date | datetime | None, lang: Lang) -> str:
    if full is not None:
        return format_date(full, lang)
    if month:
        return f"{_month_name(month, lang)} {year}"
    return str(year)


def _case_scope(db: Database, record: EntityRecord) -> tuple[bool, list[str], set[str]]:
    """Whether ``record`` is or belongs to a case, the ids of that case's entities, and those
    of them that are also ``record``'s own links (so a hidden one is counted once).

    A case is a ``JointCase`` and everything pointing to it through a case property, plus
    whatever carries the same case number; the reads are bounded by :data:`MEMBERS`."""
    schema = model.get(record.schema)
    cases: set[str] = set()
    numbers: set[str] = set()
    if schema is not None and schema.is_a(CASE_SCHEMA):
        cases.add(record.id)
    for prop, value in record.prop_values():
        if prop in case_props():
            cases.add(value)
        elif prop == CASE_NUMBER:
            numbers.add(value)
    if not cases and not numbers:
        return False, [], set()
    direct = cases - {record.id}  # the cases it points to are its outgoing links
    members: list[str] = list(cases)
    if cases:  # the joint cases' own numbers gather records filed under them
        marks = ",".join("?" * len(cases))
        rows = db.query(
            f"SELECT value FROM statements WHERE prop = ? AND entity_id IN ({marks}) LIMIT ?",
            [CASE_NUMBER, *sorted(cases), MEMBERS],
        )
        numbers.update(r[0] for r in rows)
    if cases:
        marks = ",".join("?" * len(cases))
        props = ",".join("?" * len(case_props()))
        rows = db.query(
            f"SELECT DISTINCT entity_id, value FROM statements WHERE prop IN ({props})"
            f" AND value IN ({marks}) LIMIT ?",
            [*case_props(), *sorted(cases), MEMBERS],
        )
        members.extend(r[0] for r in rows)
        direct.update(r[0] for r in rows if r[1] == record.id)  # its incoming links
    if numbers:
        marks = ",".join("?" * len(numbers))
        rows = db.query(
            f"SELECT DISTINCT entity_id FROM statements WHERE prop = ? AND value IN ({marks})"
            " LIMIT ?",
            [CASE_NUMBER, *sorted(numbers), MEMBERS],
        )
        members.extend(r[0] for r in rows)
    return True, list(dict.fromkeys(m for m in members if m != record.id))[:MEMBERS], direct


def _dated_rows(db: Database, ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """(entity, property, value) of the date-typed statements of ``ids``, earliest first;
    each chunk reads at most :data:`EVENTS` + 1 rows, enough to know the page is cut."""
    names = date_props()
    props = ",".join("?" * len(names))
    found: set[tuple[str, str, str]] = set()
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        rows = db.query(
            f"SELECT entity_id, prop, value FROM statements WHERE entity_id IN ({marks})"
            f" AND prop IN ({props}) ORDER BY value LIMIT ?",
            [*chunk, *names, EVENTS + 1],
        )
        found.update((r[0], r[1], r[2]) for r in rows)  # one event for a value many datasets hold
    return sorted(found, key=lambda r: (r[2], r[0], r[1]))


def timeline_events(
    db: Database, user: User, record: EntityRecord, lang: Lang, home_country: str
) -> Timeline:
    """The dated events around ``record`` that ``user`` may see, in date order.

    The caller has already checked that the user may see ``record`` itself; every other
    entity passes need-to-know here, and those hidden are only counted."""
    view = entity_page(record, db, user, lang, home_country=home_country)
    is_case, members, direct = _case_scope(db, record)
    linked = [link.id for link in view.outgoing + view.incoming]
    allowed = visible(db, user, [record.id, *linked, *members])
    allowed.pop(record.id, None)
    hidden_members = len({m for m in members if m not in allowed and m not in direct})
    timeline = Timeline(
        record=record,
        schema_label=view.schema_label,
        case=is_case,
        withheld=view.withheld + hidden_members,
        partner=view.partner,
    )
    captions = {i: (m.caption, m.schema) for i, m in allowed.items()}
    captions[record.id] = (record.caption, record.schema)
    rows = _dated_rows(db, list(captions))
    for entity_id, prop_name, value in rows:
        caption, schema_name = captions[entity_id]
        schema = model.get(schema_name)
        prop = schema.properties.get(prop_name) if schema is not None else None
        if prop is None or prop.type != registry.date:
            continue  # a name that is a date elsewhere in the model but not in this schema
        parsed = _parse(value)
        if parsed is None:
            continue
        year, month, full = parsed
        timeline.events.append(
            Event(
                value=value,
                year=year,
                month=month,
                label=_label(year, month, full, lang),
                entity_id=entity_id,
                caption=caption,
                schema_label=schema_name_label(schema_name, lang),
                prop_label=property_label(prop, lang),
            )
        )
    timeline.truncated = len(timeline.events) > EVENTS
    timeline.events = timeline.events[:EVENTS]
    timeline.years = _group(timeline.events, lang)
    timeline.marks, timeline.ticks = _axis(timeline.events)
    return timeline


def _group(events: list[Event], lang: Lang) -> list[Year]:
    years: list[Year] = []
    for event in events:
        if not years or years[-1].year != event.year:
            years.append(Year(event.year, []))
        months = years[-1].months
        if not months or months[-1].month != event.month:
            label = _month_name(event.month, lang) if event.month else ""
            months.append(Month(event.month, label, []))
        months[-1].events.append(event)
    return years


def _day(event: Event) -> int:
    """A day number for the axis; a value naming only a year or a month sits at its start."""
    parsed = _parse(event.value)
    full = parsed[2] if parsed is not None else None
    if full is not None:
        return (full.date() if isinstance(full, datetime) else full).toordinal()
    return date(event.year, event.month or 1, 1).toordinal()


def _axis(events: list[Event]) -> tuple[list[Mark], list[Tick]]:
    """One mark per event on a line from the first date to the last, and a tick per year
    (every few years when the span is long); marks on the same day stack upwards."""
    if not events:
        return [], []
    days = [_day(e) for e in events]
    first, last = min(days), max(days)
    span = max(last - first, 1)
    usable = AXIS_WIDTH - 2 * AXIS_PAD

    def x(day: int) -> float:
        return (
            round(AXIS_PAD + (day - first) * usable / span, 1) if last > first else AXIS_WIDTH / 2
        )

    marks: list[Mark] = []
    stacked: dict[int, int] = {}
    for event, day in zip(events, days, strict=True):
        level = stacked.get(day, 0)
        stacked[day] = level + 1
        marks.append(
            Mark(
                x=x(day),
                y=AXIS_HEIGHT - 30 - (level % 4) * 8,
                entity_id=event.entity_id,
                title=f"{event.label} · {event.caption} · {event.prop_label}",
            )
        )
    start, end = events[0].year, events[-1].year
    step = max(1, (end - start) // 10 + 1)
    ticks = [
        Tick(x(date(year, 1, 1).toordinal()), str(year))
        for year in range(start + 1, end + 1, step)
        if date(year, 1, 1).toordinal() <= last
    ]
    ticks.insert(0, Tick(x(first), str(start)))  # the first year at the first event
    return marks, ticks


Handler = Callable[[Request, User, Lang], Response]


def register_timeline_routes(
    app: FastAPI,
    *,
    render: Render,
    page: Callable[[Handler], Callable[[Request], Response]],
    store: Callable[[], Store],
    ex: Exchange,
    home: str,
) -> None:
    """Add ``GET /entity/{id}/timeline`` to the workbench, with the app's own page renderer
    and session check so the timeline behaves like every other page: no session, back to
    sign-in; an unknown entity 404; one outside need-to-know 403; partner data audited."""

    @app.get("/entity/{entity_id}/timeline", response_class=HTMLResponse)
    def timeline(entity_id: str, request: Request) -> Response:
        def show(request: Request, user: User, lang: Lang) -> Response:
            opened = open_entity(render, store, ex, request, user, lang, entity_id)
            if not isinstance(opened, Opened):
                return opened
            view = timeline_events(ex.db, user, opened.record, lang, home_country=home)
            if view.partner:
                record_view(ex, user, opened)
            return render(
                request,
                "timeline.html",
                lang,
                user=user,
                view=view,
                limit=EVENTS,
                axis_width=AXIS_WIDTH,
                axis_height=AXIS_HEIGHT,
                axis_pad=AXIS_PAD,
            )

        return page(show)(request)
