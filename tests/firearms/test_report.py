"""The eTrace-style report: one self-contained HTML file and the same figures as JSON."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from paridad.firearms import report
from paridad.firearms.tables import load_csv
from tests.firearms.conftest import Scenario


def test_report_in_both_languages(scenario: Scenario, tmp_path: Path) -> None:
    tables = load_csv(scenario.recoveries, scenario.acquisitions, scenario.traces)
    traced = [t for t in scenario.truth["traces"] if t["acquisition"]]
    for lang in ("es", "en"):
        html, data = report.write_report(
            tables, tmp_path / f"r-{lang}.html", lang, date(2026, 1, 15)
        )
        text = html.read_text(encoding="utf-8")
        figures = json.loads(data.read_text(encoding="utf-8"))
        assert figures["traces"] == len(traced)
        assert sum(m["traces"] for m in figures["traces_by_month"]) == len(traced)
        assert sum(b["traces"] for b in figures["time_to_crime"]["bins"]) == len(traced)
        assert figures["source_states"][0]["name"] == "TX"
        assert text.count("<svg") == 5 and "http" not in text.replace(
            "http://www.w3.org/2000/svg", ""
        )
        assert f'lang="{lang}"' in text
    es = (tmp_path / "r-es.html").read_text(encoding="utf-8")
    en = (tmp_path / "r-en.html").read_text(encoding="utf-8")
    assert "15 de enero de 2026" in es and "January 15, 2026" in en


def test_empty_tables_still_render(tmp_path: Path) -> None:
    from paridad.firearms.tables import load_rows

    html, data = report.write_report(load_rows([], []), tmp_path / "r.html", "en")
    assert json.loads(data.read_text())["traces"] == 0
    assert "No traces." in html.read_text()
