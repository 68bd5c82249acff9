"""The incident report in both languages: every label translated, numbers and dates formatted
for the reader's locale, one line per crossing track, malformed input counted."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

import pytest

from paridad.drones.analytics import geo
from paridad.drones.analytics.hotspots import hotspots
from paridad.drones.analytics.report import LABELS, incident_report
from paridad.drones.analytics.sites import launch_sites, repeat_sites
from paridad.i18n import LANGS, Lang, format_date, format_number, translate
from tests.drones.analytics.fakes import FakeCrossing, FakeTrack, flight, posix

SITE = (32.53, -116.93)  # launch site south of the line near Otay Mesa
LAREDO = (27.49, -99.51)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _scenario() -> tuple[list[FakeTrack], list[FakeCrossing]]:
    tracks = []
    crossings = []
    for i in range(3):  # three night flights from one site, north across the line
        start = posix(2024, 3, 6 + i, 2, zone="America/Tijuana")
        points = flight(*SITE, start=start, seconds=420, speed=8.0, climb=2.5, alt0=0.0, max_alt=90)
        seen = [p for p in points if p[3] is not None and p[3] >= 40]
        tracks.append(
            FakeTrack(
                id=f"otay-{i}",
                points=seen,
                serial=f"SN-{i}",
                sensors=["rf-mx-2", "rid-us-1"],
                countries=["MX", "US"],
            )
        )
        lat, lon = geo.from_local(*SITE, 0.0, 1500.0)
        crossings.append(FakeCrossing(f"otay-{i}", start + 190, lat, lon, "mx-to-us", "San Diego"))
    day = posix(2024, 3, 9, 14, zone="America/Chicago")
    points = flight(*LAREDO, start=day, seconds=300, heading_deg=180, speed=10.0, alt0=None)
    tracks.append(FakeTrack(id="laredo-1", points=points, countries=["US"], sensors=["radar-us-7"]))
    crossings.append(FakeCrossing("laredo-1", day + 30, *LAREDO, "us-to-mx", "Laredo"))
    crossings.append(FakeCrossing("ghost", day, math.nan, math.nan))  # malformed
    tracks.append(FakeTrack(id="empty", points=[]))  # malformed
    return tracks, crossings


def _fragments(msgid: str) -> list[str]:
    """The literal words of a label, placeholders and punctuation aside."""
    parts = (p.strip(" .,:;()%") for p in PLACEHOLDER.split(msgid))
    return [p for p in parts if len(re.sub(r"[^A-Za-z]", "", p)) >= 4]


@pytest.mark.parametrize("lang", LANGS)
def test_report_renders_the_figures(lang: Lang) -> None:
    tracks, crossings = _scenario()
    text = incident_report(tracks, crossings, lang=lang)
    detections = sum(len(t.points) for t in tracks)
    assert detections > 1000  # so the thousands separator is exercised
    assert f"{translate(LABELS['detections'], lang)}: {format_number(detections, lang)}" in text
    assert f"{translate(LABELS['tracks'], lang)}: {format_number(4, lang)}" in text
    assert f"{translate(LABELS['crossings'], lang)}: {format_number(4, lang)}" in text
    assert f"{translate(LABELS['skipped'], lang)}: {format_number(2, lang)}" in text
    first = min(p[0] for t in tracks for p in t.points)
    assert format_date(datetime.fromtimestamp(first, tz=UTC), lang) in text
    night = format_number(75.0, lang, digits=1)  # three of four flights started at night
    assert f"{translate(LABELS['night_share'], lang)}: {night}" in text
    # crossings by direction and by sector
    assert f"| {translate(LABELS['mx-to-us'], lang)} | {format_number(3, lang)} |" in text
    assert f"| {translate(LABELS['us-to-mx'], lang)} | {format_number(1, lang)} |" in text
    assert "| San Diego | 3 | 0 | 3 |" in text and "| Laredo | 0 | 1 | 1 |" in text
    # one line per track that crossed, none for the malformed crossing
    lines = [line for line in text.splitlines() if line.startswith("- `")]
    assert [line.split("`")[1] for line in lines] == ["otay-0", "otay-1", "otay-2", "laredo-1"]
    assert "SN-0" in lines[0] and "rf-mx-2, rid-us-1" in lines[0]
    # the repeat launch site: three flights, all at night
    assert f"| {format_number(3, lang)} |" in text.split(translate(LABELS["repeat_sites"], lang))[1]


def test_the_hour_table_uses_local_time() -> None:
    tracks, crossings = _scenario()
    text = incident_report(tracks, crossings, lang="en")
    assert "| 02:00 | 3 |" in text and "| 14:00 | 1 |" in text
    assert "America/Chicago" in text and "America/Los_Angeles" in text


def test_spanish_report_has_every_label_translated() -> None:
    tracks, crossings = _scenario()
    spanish = incident_report(tracks, crossings, lang="es")
    english = incident_report(tracks, crossings, lang="en")
    assert "miércoles" in spanish and "Wednesday" in english
    for key, msgid in LABELS.items():
        translated = translate(msgid, "es")
        assert translated != msgid, f"{key}: no Spanish for {msgid!r}"
        for fragment in _fragments(msgid):
            if fragment not in translated:
                assert fragment not in spanish, (
                    f"English {fragment!r} ({key}) in the Spanish report"
                )
    assert spanish != english


def test_given_hotspots_and_sites_are_used_and_empty_input_renders() -> None:
    tracks, crossings = _scenario()
    spots = hotspots(tracks, min_tracks=1)[:1]
    sites = repeat_sites(launch_sites(tracks))
    text = incident_report(
        tracks, crossings, lang="en", hotspots=spots, sites=sites, title="Otay | night"
    )
    assert text.startswith("# Otay \\| night\n")
    section = text.split(LABELS["hotspots"])[1].split("##")[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert len(rows) == 3 and spots[0].cell in rows[2]  # header, rule, the one hotspot
    for lang in LANGS:
        empty = incident_report([], [], lang=lang)
        assert translate(LABELS["no_tracks"], lang) in empty
        assert translate(LABELS["none"], lang) in empty


def test_table_cells_are_escaped() -> None:
    tracks, _ = _scenario()
    odd = FakeCrossing("otay-0", tracks[0].points[5][0], *SITE, "mx-to-us", "Sector | 9\nB")
    text = incident_report(tracks[:1], [odd], lang="en")
    assert "| Sector \\| 9 B | 1 | 0 | 1 |" in text
