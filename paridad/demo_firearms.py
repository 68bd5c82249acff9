"""The Misión Cortafuegos analytics of ``make demo``: indicators, report, prosecution package.

After the exchange, the demo does what the two sides' analysts do with firearms data: it traces
every recovery of the scenario's Mexican file against the US acquisitions file
(:func:`paridad.trace.trace_csv`), computes the trafficking indicators and writes the
eTrace-style report in Spanish and in English, and builds the prosecution package of the case
of the recovery traced through hit/no-hit on the Mexican node, then verifies it from the
folder alone with the key the US node pinned for its partner, as a court's expert would.

Everything it writes stays in the demo's directory; running the demo again rewrites it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from paridad.exchange.context import Exchange
from paridad.i18n import LANGS, Lang, format_number, translate

REPORT = "report.{lang}.html"
INDICATORS = "indicators"
PACKAGE = "package"


def render_reports(workdir: Path) -> dict[str, Any]:
    """Trace the scenario's CSV files, write the indicators and the report in both languages
    under ``workdir``, and return the headline figures and the paths."""
    from paridad.firearms.indicators import run_all
    from paridad.firearms.report import figures, write_report
    from paridad.firearms.tables import load_csv
    from paridad.trace import trace_csv

    scenario = workdir / "scenario"
    recoveries = scenario / "mx" / "recoveries.csv"
    acquisitions = scenario / "us" / "acquisitions.csv"
    traces = workdir / INDICATORS / "traces.csv"
    trace_csv(recoveries, acquisitions, traces)
    tables = load_csv(recoveries, acquisitions, traces)
    try:
        results = run_all(tables)
        data = figures(tables)
        reports: dict[str, str] = {}
        indicators: dict[str, str] = {}
        for lang in LANGS:
            html, _json = write_report(tables, workdir / REPORT.format(lang=lang), lang)
            reports[lang] = str(html)
            folder = workdir / INDICATORS / lang
            for result in results.values():
                result.write_csv(folder, lang)
            indicators[lang] = str(folder)
    finally:
        tables.con.close()
    states = data["source_states"]
    purchasers = results["purchasers"].summary
    return {
        "recoveries": data["recoveries"],
        "traced": data["traces"],
        "median_ttc_days": data["time_to_crime"].get("median_days"),
        "top_state": states[0]["name"] if states else None,
        "top_state_share": states[0]["share"] if states else None,
        "purchasers_flagged": purchasers["flagged"],
        "purchasers": purchasers["purchasers"],
        "traces_csv": str(traces),
        "reports": reports,
        "indicators": indicators,
    }


def build_and_verify_package(
    ex: Exchange, case: str, workdir: Path, fingerprint: str | None
) -> dict[str, Any]:
    """Build the prosecution package of ``case`` on ``ex``'s node into ``workdir/package``
    (replacing the one an earlier run left) and verify it against ``fingerprint``."""
    from paridad.prosecution import export_package
    from paridad.prosecution.verify import verify_package

    out = workdir / PACKAGE
    if out.is_dir():
        shutil.rmtree(out)
    package, _files = export_package(ex, case, out, actor="prosecutor")
    report = verify_package(out, fingerprint)
    return {
        "case": case,
        "path": str(out),
        "package": package["id"],
        "items": len(package["items"]),
        "withheld": len(package["withheld"]),
        "proofs": report.proofs,
        "verified": report.ok,
        "problems": {lang: [p.localized(lang) for p in report.problems] for lang in LANGS},
    }


def _share(value: float | None, lang: Lang) -> str:
    return "-" if value is None else f"{format_number(100 * value, lang, digits=1)} %"


def firearms_lines(report: dict[str, Any], package: dict[str, Any], lang: Lang) -> list[str]:
    """The demo's lines on the report and the package, in ``lang``."""
    lines: list[str] = []
    if report:
        median = report.get("median_ttc_days")
        lines += [
            translate(
                "eTrace-style report: {traced} of {recoveries} recoveries traced to a US sale; "
                "median time-to-crime {median} days; top source state {state} ({share}); "
                "{flagged} of {purchasers} purchasers flagged.",
                lang,
                traced=format_number(report["traced"], lang),
                recoveries=format_number(report["recoveries"], lang),
                median="-" if median is None else format_number(median, lang),
                state=report.get("top_state") or "-",
                share=_share(report.get("top_state_share"), lang),
                flagged=format_number(report["purchasers_flagged"], lang),
                purchasers=format_number(report["purchasers"], lang),
            ),
            translate(
                "Report: {path}; indicators (CSV): {indicators}",
                lang,
                path=report["reports"][lang],
                indicators=report["indicators"][lang],
            ),
        ]
    if package:
        verdict = (
            translate("verified", lang)
            if package["verified"]
            else translate(
                "NOT verified: {problems}", lang, problems="; ".join(package["problems"][lang])
            )
        )
        lines.append(
            translate(
                "Prosecution package of case {case}: {items} items, {withheld} withheld, "
                "{proofs} audit-log proofs, in {path}: {verdict}.",
                lang,
                case=package["case"],
                items=format_number(package["items"], lang),
                withheld=format_number(package["withheld"], lang),
                proofs=format_number(package["proofs"], lang),
                path=package["path"],
                verdict=verdict,
            )
        )
    return lines
