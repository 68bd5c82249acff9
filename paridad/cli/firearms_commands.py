"""``paridad indicators`` and ``paridad report etrace``: the firearms analytics, from CSV
files in the documented layouts or from a node's entities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, cast

import click

from paridad.cli.output import echo_json
from paridad.errors import ParidadError
from paridad.i18n import N_, _, format_number, get_lang

MSG_NEED_INPUT = N_("Give --recoveries and --acquisitions (and --traces), or --node DIR.")
JSON_ROWS = 20


def _inputs(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--recoveries",
            type=click.Path(path_type=Path, dir_okay=False),
            help=_(
                "Recoveries CSV (recovery_id, serial, make, model, caliber, type, "
                "recovered_on, state, municipality)."
            ),
        ),
        click.option(
            "--acquisitions",
            type=click.Path(path_type=Path, dir_okay=False),
            help=_(
                "Acquisitions CSV (acquisition_id, serial, make, model, caliber, type, "
                "sold_on, dealer_id, dealer_state, purchaser_id)."
            ),
        ),
        click.option(
            "--traces",
            type=click.Path(path_type=Path, dir_okay=False),
            help=_("Traces CSV (recovery_id, acquisition_id, score, ttc_days)."),
        ),
        click.option(
            "--node",
            "node_dir",
            type=click.Path(path_type=Path, file_okay=False),
            help=_("Read the firearms entities of this node instead of CSV files."),
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _tables(
    recoveries: Path | None, acquisitions: Path | None, traces: Path | None, node_dir: Path | None
) -> Any:
    from paridad.firearms.tables import load_csv, load_store

    if node_dir is not None:
        from paridad.node import Node

        with Node.open(node_dir).open_store() as store:
            return load_store(store)
    if recoveries is None or acquisitions is None:
        raise ParidadError(MSG_NEED_INPUT)
    return load_csv(recoveries, acquisitions, traces)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{format_number(100 * value, digits=1)} %"


def _summary_lines(results: dict[str, Any]) -> list[str]:
    ttc = results["time_to_crime"].summary
    ms = results["multiple_sales"].summary
    pur = results["purchasers"]
    dea = results["dealers"].summary
    net = results["network"].summary
    median = ttc["median_days"]
    lines = [
        _(
            "Time-to-crime: {n} traces, median {median} days, {under1} under 1 year, "
            "{under3} under 3 years",
            n=format_number(ttc["n"]),
            median="—" if median is None else format_number(median),
            under1=_pct(ttc["share_under_1y"]),
            under3=_pct(ttc["share_under_3y"]),
        ),
        _(
            "Multiple-sale events: {events} (Form 3310.4: {handguns}, Form 3310.12: {rifles}), "
            "{reports} reports of which {linked} linked",
            events=format_number(ms["events"]),
            handguns=format_number(ms["events_3310_4"]),
            rifles=format_number(ms["events_3310_12"]),
            reports=format_number(ms["reports"]),
            linked=format_number(ms["linked_reports"]),
        ),
        _(
            "Purchasers flagged: {flagged} of {total}",
            flagged=format_number(pur.summary["flagged"]),
            total=format_number(pur.summary["purchasers"]),
        ),
    ]
    for row in pur.rows[:5]:
        reasons = "; ".join(r.render() for r in row["reasons"])
        lines.append(
            f"  {row['rank']}. {row['purchaser_name'] or row['purchaser_id']} "
            f"({format_number(row['score'], digits=1)}): {reasons}"
        )
    lines.append(
        _(
            "Dealers flagged: {flagged} of {total} (overall trace rate {rate})",
            flagged=format_number(dea["flagged"]),
            total=format_number(dea["dealers"]),
            rate=_pct(dea["overall_rate"]),
        )
    )
    for row in results["corridors"].summary["by_state"][:3]:
        lines.append(
            _(
                "Corridor {source} → {destination}: {count} traces",
                source=row["source_state"] or "?",
                destination=row["recovery_state"] or "?",
                count=format_number(row["traces"]),
            )
        )
    lines.append(
        _(
            "Network: {nodes} nodes, {components} components, the largest with {largest} nodes",
            nodes=format_number(net["nodes"]),
            components=format_number(net["components"]),
            largest=format_number(net["largest"]),
        )
    )
    return lines


def add_firearms_commands(cli: click.Group) -> None:
    @cli.command(
        "indicators",
        help=_(
            "Firearms-trafficking indicators (time-to-crime, multiple sales, purchasers, "
            "dealers, corridors, network) from CSV files or a node."
        ),
    )
    @_inputs
    @click.option(
        "--business-days",
        type=click.Choice(["observed", "mon-fri"]),
        default="observed",
        show_default=True,
        help=_(
            "observed: Monday to Friday plus the weekdays each dealer is seen selling; "
            "mon-fri: Monday to Friday only. Federal holidays are closed in both."
        ),
    )
    @click.option(
        "--out",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Directory for one CSV per indicator."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print the results as JSON."))
    def indicators(
        recoveries: Path | None,
        acquisitions: Path | None,
        traces: Path | None,
        node_dir: Path | None,
        business_days: str,
        out: Path | None,
        as_json: bool,
    ) -> None:
        from paridad.firearms.indicators import multiple_sales, run_all

        tables = _tables(recoveries, acquisitions, traces, node_dir)
        calendar = cast(multiple_sales.Calendar, business_days)
        results = run_all(tables, calendar)
        written: list[Path] = []
        if out is not None:
            for result in results.values():
                written += result.write_csv(out, get_lang())
        if as_json:
            echo_json(
                {
                    "source": tables.source,
                    "indicators": {
                        k: r.to_json(get_lang(), limit=JSON_ROWS) for k, r in results.items()
                    },
                    "files": [str(p) for p in written],
                }
            )
            return
        for line in _summary_lines(results):
            click.echo(line)
        for path in written:
            click.echo(_("Written: {path}", path=path))

    existing = cli.commands.get("report")
    if isinstance(existing, click.Group):
        report = existing
    else:

        @cli.group("report", help=_("Reports for people, in Spanish or English."))
        def report() -> None:
            pass

    @report.command(
        "etrace",
        help=_(
            "eTrace-style statistical report of traced firearms (HTML with charts, and "
            "the same figures as JSON beside it)."
        ),
    )
    @_inputs
    @click.option(
        "--out",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Where to write the HTML report; the JSON goes beside it."),
    )
    @click.option(
        "--lang",
        "report_lang",
        type=click.Choice(["es", "en"]),
        default=None,
        help=_("Language of the report (default: the command's language)."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print the figures as JSON."))
    def etrace(
        recoveries: Path | None,
        acquisitions: Path | None,
        traces: Path | None,
        node_dir: Path | None,
        out: Path,
        report_lang: str | None,
        as_json: bool,
    ) -> None:
        import json

        from paridad.firearms.report import write_report
        from paridad.i18n import Lang

        tables = _tables(recoveries, acquisitions, traces, node_dir)
        lang = cast(Lang, report_lang or get_lang())
        html, data = write_report(tables, out, lang, date.today())
        if as_json:
            echo_json(json.loads(data.read_text(encoding="utf-8")))
            return
        click.echo(_("Written: {path}", path=html))
        click.echo(_("Written: {path}", path=data))
