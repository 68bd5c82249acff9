"""The incident report: one Markdown page an analyst on either side can read and forward.

Markdown because it pastes into a case note, an e-mail or the workbench unchanged and diffs
well between two runs. Every label is an English msgid translated into the reader's language
(``lang`` is explicit: a node writes the same report in Spanish for one partner and English for
the other), and every number and date goes through :mod:`paridad.i18n`'s Babel-backed helpers.
Times are UTC, written once in the headers, because a report read on both sides must not
silently mean two different clocks; only the hour-of-day table uses local time, since
patterns are read in local time (see :mod:`paridad.drones.analytics.time_of_day`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from babel.dates import get_day_names

from paridad.drones.analytics.hotspots import Hotspot
from paridad.drones.analytics.hotspots import hotspots as find_hotspots
from paridad.drones.analytics.protocols import (
    CrossingLike,
    OperatorPositions,
    PathLike,
    Skipped,
    names,
    track_fixes,
    track_id,
    track_serial,
    valid_crossings,
)
from paridad.drones.analytics.sites import RepeatSite, launch_sites, repeat_sites
from paridad.drones.analytics.time_of_day import time_of_day
from paridad.i18n import LOCALES, N_, Lang, format_date, format_number, translate

TOP = 10

LABELS: dict[str, str] = {
    "title": N_("Drone activity report"),
    "summary": N_("Summary"),
    "period": N_("Period (UTC)"),
    "period_value": N_("{first} to {last}"),
    "tracks": N_("Drone tracks"),
    "detections": N_("Detections"),
    "crossed": N_("Tracks that crossed the border"),
    "crossings": N_("Border crossings"),
    "night_share": N_("Flights started at night (%)"),
    "skipped": N_("Malformed records left out"),
    "by_direction": N_("Crossings by direction"),
    "direction": N_("Direction"),
    "mx-to-us": N_("Mexico to United States"),
    "us-to-mx": N_("United States to Mexico"),
    "all": N_("All directions"),
    "by_sector": N_("Crossings by Border Patrol sector"),
    "sector": N_("Border Patrol sector"),
    "hotspots": N_("Top hotspots (H3 cells)"),
    "cell": N_("H3 cell"),
    "tracks_col": N_("Tracks"),
    "centre": N_("Centre (lat, lon)"),
    "first_seen": N_("First seen (UTC)"),
    "last_seen": N_("Last seen (UTC)"),
    "repeat_sites": N_("Repeat launch sites"),
    "first_flight": N_("First flight (UTC)"),
    "last_flight": N_("Last flight (UTC)"),
    "flights": N_("Flights"),
    "radius": N_("Radius (m)"),
    "night": N_("At night (%)"),
    "hours": N_("Flights by local hour"),
    "hour": N_("Local hour"),
    "zones": N_("Local time zones: {zones}"),
    "weekdays": N_("Flights by local weekday"),
    "weekday": N_("Weekday"),
    "track_line": N_(
        "{track} (serial {serial}): {crossings} crossing(s), the first on {time} UTC, "
        "{direction}, {sector}; sensors: {sensors}; countries: {countries}"
    ),
    "none": N_("None."),
    "unknown": N_("unknown"),
    "no_tracks": N_("No valid drone tracks."),
}


def _t(key: str, lang: Lang, **params: object) -> str:
    return translate(LABELS[key], lang, **params)


def _cell(text: object) -> str:
    """A value safe inside a Markdown table cell."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _when(time: float, lang: Lang) -> str:
    return format_date(datetime.fromtimestamp(time, tz=UTC), lang)


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _direction(value: str, lang: Lang) -> str:
    return _t(value, lang) if value in ("mx-to-us", "us-to-mx") else value


def incident_report(
    paths: Iterable[PathLike],
    crossings: Iterable[CrossingLike],
    *,
    lang: Lang,
    title: str | None = None,
    hotspots: Sequence[Hotspot] | None = None,
    sites: Sequence[RepeatSite] | None = None,
    operators: OperatorPositions | None = None,
) -> str:
    """The Markdown report of ``paths`` and their ``crossings`` in ``lang``.

    Hotspots and repeat launch sites are computed with the defaults when not given. Malformed
    tracks, fixes and crossings are left out and their number is reported.
    """
    skipped = Skipped()
    tracks = list(paths)
    valid = [(path, track_fixes(path, skipped)) for path in tracks]
    valid = [(path, fixes) for path, fixes in valid if fixes]
    good_tracks = [path for path, _ in valid]
    events = valid_crossings(crossings, skipped)
    if hotspots is None:
        hotspots = find_hotspots(good_tracks, crossings=events)
    if sites is None:
        sites = repeat_sites(launch_sites(good_tracks, operators=operators))
    hours = time_of_day(good_tracks)

    def n(value: float) -> str:
        return format_number(value, lang)

    def pct(share: float) -> str:
        return format_number(100 * share, lang, digits=1)

    out = [f"# {_cell(title) if title else _t('title', lang)}", ""]
    out += [f"## {_t('summary', lang)}", ""]
    times = [f.time for _, fixes in valid for f in fixes] + [float(e.time) for e in events]
    crossed = {str(e.track_id) for e in events}
    if times:
        period = _t(
            "period_value", lang, first=_when(min(times), lang), last=_when(max(times), lang)
        )
        out.append(f"- {_t('period', lang)}: {period}")
    out += [
        f"- {_t('tracks', lang)}: {n(len(valid))}",
        f"- {_t('detections', lang)}: {n(sum(len(fixes) for _, fixes in valid))}",
        f"- {_t('crossed', lang)}: {n(len(crossed))}",
        f"- {_t('crossings', lang)}: {n(len(events))}",
        f"- {_t('night_share', lang)}: {pct(hours.night_share)}",
        f"- {_t('skipped', lang)}: {n(skipped.total)}",
        "",
    ]
    if not valid:
        out += [_t("no_tracks", lang), ""]

    directions = Counter(str(e.direction) for e in events)
    out += [f"## {_t('by_direction', lang)}", ""]
    if directions:
        direction_rows = [(_direction(d, lang), n(c)) for d, c in directions.most_common()]
        out += _table([_t("direction", lang), _t("crossings", lang)], direction_rows)
    else:
        out.append(_t("none", lang))
    out.append("")

    sectors: dict[str, Counter[str]] = {}
    for event in events:
        sectors.setdefault(str(event.sector), Counter())[str(event.direction)] += 1
    out += [f"## {_t('by_sector', lang)}", ""]
    if sectors:
        ordered = sorted(sectors.items(), key=lambda item: (-item[1].total(), item[0]))
        header = [_t(k, lang) for k in ("sector", "mx-to-us", "us-to-mx", "all")]
        rows = [(name, n(c["mx-to-us"]), n(c["us-to-mx"]), n(c.total())) for name, c in ordered]
        out += _table(header, rows)
    else:
        out.append(_t("none", lang))
    out.append("")

    out += [f"## {_t('hotspots', lang)}", ""]
    if hotspots:
        header = [
            _t(k, lang)
            for k in (
                "cell",
                "tracks_col",
                "detections",
                "crossings",
                "centre",
                "first_seen",
                "last_seen",
            )
        ]
        hot_rows = [
            (
                h.cell,
                n(h.tracks),
                n(h.points),
                n(h.crossings),
                f"{format_number(h.lat, lang, 5)}, {format_number(h.lon, lang, 5)}",
                _when(h.first_time, lang),
                _when(h.last_time, lang),
            )
            for h in hotspots[:TOP]
        ]
        out += _table(header, hot_rows)
    else:
        out.append(_t("none", lang))
    out.append("")

    out += [f"## {_t('repeat_sites', lang)}", ""]
    if sites:
        header = [
            _t(k, lang)
            for k in ("centre", "flights", "radius", "night", "first_flight", "last_flight")
        ]
        site_rows = [
            (
                f"{format_number(s.lat, lang, 5)}, {format_number(s.lon, lang, 5)}",
                n(s.count),
                n(s.radius_m),
                pct(s.night_share),
                _when(s.first_time, lang),
                _when(s.last_time, lang),
            )
            for s in sites[:TOP]
        ]
        out += _table(header, site_rows)
    else:
        out.append(_t("none", lang))
    out.append("")

    out += [f"## {_t('hours', lang)}", ""]
    if hours.zones:
        out += [_t("zones", lang, zones=", ".join(hours.zones)), ""]
    out += _table(
        [_t("hour", lang), _t("flights", lang)],
        [(f"{hour:02d}:00", n(count)) for hour, count in enumerate(hours.by_hour)],
    )
    out += ["", f"## {_t('weekdays', lang)}", ""]
    day_names = get_day_names("wide", locale=LOCALES[lang])
    out += _table(
        [_t("weekday", lang), _t("flights", lang)],
        [(day_names[day], n(count)) for day, count in enumerate(hours.by_weekday)],
    )
    out.append("")

    out += [f"## {_t('crossed', lang)}", ""]
    by_track: dict[str, list[CrossingLike]] = {}
    for event in events:
        by_track.setdefault(str(event.track_id), []).append(event)
    known = {track_id(path): path for path in good_tracks}
    unknown = _t("unknown", lang)
    for ident, own in by_track.items():
        first = own[0]
        path = known.get(ident)
        sensors = ", ".join(names(getattr(path, "sensors", None))) or unknown
        countries = ", ".join(names(getattr(path, "countries", None))) or unknown
        line = _t(
            "track_line",
            lang,
            track=f"`{ident}`",
            serial=(track_serial(path) if path is not None else None) or unknown,
            crossings=n(len(own)),
            time=_when(float(first.time), lang),
            direction=_direction(str(first.direction), lang),
            sector=first.sector,
            sensors=sensors,
            countries=countries,
        )
        out.append(f"- {line}")
    if not by_track:
        out.append(_t("none", lang))
    out.append("")
    return "\n".join(out)
