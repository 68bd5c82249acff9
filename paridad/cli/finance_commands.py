"""``paridad finance scan|detectors``: laundering typologies found, scored and explained.

The scan reads a FIU's exports (CSV with a column mapping) or the node's own FtM payments,
runs every detector on DuckDB (or Spark), scores the accounts and writes them highest risk
first, each with its reasons in the chosen language.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from paridad.errors import ParidadError
from paridad.finance.screening import DEFAULT_THRESHOLD
from paridad.i18n import Lang, _, format_number, get_lang

if TYPE_CHECKING:
    import pyarrow as pa

    from paridad.finance.inputs.errors import RowError
    from paridad.finance.screening.designations import DesignationList
    from paridad.finance.screening.matcher import ScreeningHit


def _count(value: float) -> str:
    return format_number(value, get_lang())


def make_finance_group() -> click.Group:
    @click.group(
        "finance",
        help=_(
            "Follow the money: laundering typologies, risk scores with reasons, on this "
            "node's data or a FIU's exports."
        ),
    )
    def finance() -> None:
        pass

    @finance.command("detectors", help=_("List the typology detectors, their versions and rules."))
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def detectors(as_json: bool) -> None:
        from paridad.finance.detectors import registry
        from paridad.i18n import translate

        lang = get_lang()
        rows = [
            {
                "name": name,
                "version": cls.version,
                "title": translate(cls.title, lang),
                "rule": translate(cls.rule, lang),
            }
            for name, cls in registry().items()
        ]
        if as_json:
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            click.echo(f"{row['name']} v{row['version']} — {row['title']}")
            click.echo(f"    {row['rule']}")

    @finance.command(
        "scan",
        help=_(
            "Scan transactions for laundering typologies and write one row per account, "
            "highest risk first: account_id, score, typologies, reasons."
        ),
    )
    @_input_options
    @click.option(
        "--out",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Where to write the scores (CSV)."),
    )
    @click.option(
        "--alerts",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Also write every alert with its subgraph and explanation (JSON Lines)."),
    )
    @click.option(
        "--entity-scores",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_(
            "Also write the account holders' scores (CSV: entity_id, name, score, accounts, "
            "reasons), highest first."
        ),
    )
    @click.option(
        "--designations",
        multiple=True,
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help=_(
            "A designation list as FtM JSON lines (OpenSanctions' format); account holders "
            "are screened against it and proximity to listed parties counts in the scores. "
            "Repeat for several lists."
        ),
    )
    @click.option(
        "--customers",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help=_(
            "The account holders as FtM JSON lines (names, birth dates, identifiers), for a "
            "sharper screening than the accounts file's holder names."
        ),
    )
    def scan_command(
        transactions: Path | None,
        accounts: Path | None,
        mapping: tuple[str, ...],
        node_dir: Path | None,
        country: str | None,
        engine: str,
        rates: Path | None,
        out: Path,
        alerts: Path | None,
        entity_scores: Path | None,
        designations: tuple[Path, ...],
        customers: Path | None,
        errors_path: Path | None,
        cash_reports: Path | None,
    ) -> None:
        from paridad.finance.detectors import all_detectors
        from paridad.finance.detectors.runner import scan
        from paridad.finance.engines import open_engine
        from paridad.finance.scoring import score_accounts, write_scores_csv

        lang = get_lang()
        listings = [_read_designations(path, lang) for path in designations]
        tx_table, acct_table, holders = _load_inputs(
            transactions,
            accounts,
            mapping,
            node_dir,
            country,
            rates,
            errors_path,
            cash_reports,
            want_holders=bool(listings),
        )

        def progress(step: str, found: int, seconds: float) -> None:
            click.echo(
                _(
                    "  {step}: {found} alerts in {seconds} s",
                    step=step,
                    found=_count(found),
                    seconds=_count(round(seconds, 1)),
                ),
                err=True,
            )

        started = time.perf_counter()
        designated: dict[str, str] = {}
        if listings:
            from paridad.finance.screening.matcher import designated_accounts, holders_as_entities

            account_rows = acct_table.to_pylist()
            if customers is not None:
                holders = _read_entities(customers)
            elif not holders:
                holders = holders_as_entities(account_rows)
            hits = _screen(listings, holders)
            designated = designated_accounts(hits, account_rows)
            click.echo(
                _(
                    "Screened {holders} account holders: {hits} hits, {accounts} accounts held "
                    "by listed parties.",
                    holders=_count(len(holders)),
                    hits=_count(len(hits)),
                    accounts=_count(len(designated)),
                ),
                err=True,
            )
        with open_engine(engine) as running:
            running.load("tx", tx_table)
            running.load("accounts", acct_table)
            findings = scan(running, all_detectors(), progress)
            scores = score_accounts(running, findings, designated=designated)
        write_scores_csv(scores, out, lang)
        if entity_scores is not None:
            from paridad.finance.scoring import score_entities, write_entity_scores_csv

            write_entity_scores_csv(
                score_entities(scores, acct_table.to_pylist()), entity_scores, lang
            )
        if alerts is not None:
            with alerts.open("w", encoding="utf-8") as fh:
                for f in findings:
                    fh.write(json.dumps(f.as_record(), ensure_ascii=False) + "\n")
        click.echo(
            _(
                "{alerts} alerts, {accounts} accounts scored in {seconds} s; scores in {path}.",
                alerts=_count(len(findings)),
                accounts=_count(len(scores)),
                seconds=_count(round(time.perf_counter() - started, 1)),
                path=str(out),
            )
        )

    @finance.command(
        "screen",
        help=_(
            "Screen persons and companies against designation lists and explain each hit "
            "(nomenklatura's logic-v2 matcher)."
        ),
    )
    @click.option(
        "--designations",
        multiple=True,
        required=True,
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help=_("A designation list as FtM JSON lines (OpenSanctions' format); repeatable."),
    )
    @click.option(
        "--entities",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help=_("The persons and companies to screen, as FtM JSON lines."),
    )
    @click.option(
        "--node",
        "node_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Screen the holders of this node's bank accounts."),
    )
    @click.option("--name", "names", multiple=True, help=_("A name to screen; repeatable."))
    @click.option(
        "--threshold",
        type=click.FloatRange(0.0, 1.0),
        default=DEFAULT_THRESHOLD,
        show_default=True,
        help=_("The lowest score reported as a hit."),
    )
    @click.option(
        "--out",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Write the hits here (CSV) as well as listing them."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print the hits as JSON lines."))
    def screen_command(
        designations: tuple[Path, ...],
        entities: Path | None,
        node_dir: Path | None,
        names: tuple[str, ...],
        threshold: float,
        out: Path | None,
        as_json: bool,
    ) -> None:
        lang = get_lang()
        if sum(x is not None and x != () for x in (entities, node_dir, names)) != 1:
            raise click.UsageError(_("Give one of --entities, --node or --name."))
        listings = [_read_designations(path, lang) for path in designations]
        if entities is not None:
            queries = _read_entities(entities)
        elif node_dir is not None:
            from paridad.finance.inputs.ftm import node_holders, read_store
            from paridad.node import Node

            with Node.open(node_dir).open_store() as store:
                _tx, acct_table = read_store(store)
                queries = node_holders(store, acct_table)
        else:
            queries = [
                {"id": f"name:{i}", "schema": "LegalEntity", "properties": {"name": [n]}}
                for i, n in enumerate(names, start=1)
            ]
        hits = _screen(listings, queries, threshold)
        if as_json:
            for hit in hits:
                click.echo(json.dumps(hit.as_record(), ensure_ascii=False))
        else:
            for hit in hits:
                click.echo(hit.explain(lang))
        if out is not None:
            _write_hits_csv(hits, out, lang)
        click.echo(
            _(
                "{screened} screened against {listed} listed parties: {hits} hits.",
                screened=_count(len(queries)),
                listed=_count(sum(len(x) for x in listings)),
                hits=_count(len(hits)),
            ),
            err=True,
        )

    @finance.command(
        "trace",
        help=_(
            "Trace the money from a seed account or holder forward (where it went) or "
            "backward (where it came from), hop by hop, with amounts attributed first in, "
            "first out or in proportion."
        ),
    )
    @_input_options
    @click.option(
        "--seed",
        "seeds",
        multiple=True,
        required=True,
        help=_("An account id, or a holder's id (all their accounts); repeatable."),
    )
    @click.option(
        "--direction",
        type=click.Choice(["forward", "backward"]),
        default="forward",
        show_default=True,
        help=_("forward: where the seed's money went; backward: where its money came from."),
    )
    @click.option(
        "--hops", type=click.IntRange(1, 10), default=3, show_default=True, help=_("How many hops.")
    )
    @click.option(
        "--since",
        type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
        help=_("Only transfers from this date (UTC)."),
    )
    @click.option(
        "--until",
        type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
        help=_("Only transfers up to this date (UTC, the whole day)."),
    )
    @click.option(
        "--method",
        type=click.Choice(["fifo", "proportional"]),
        default="fifo",
        show_default=True,
        help=_(
            "How an account's outgoing transfers are matched to the money it received: "
            "first in, first out, or in proportion to what it held."
        ),
    )
    @click.option(
        "--out",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Where to write the traced transfers (CSV)."),
    )
    @click.option(
        "--graph",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Also write the graph (accounts and transfers) as JSON."),
    )
    @click.option(
        "--svg",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Also draw the money-flow diagram (SVG)."),
    )
    @click.option(
        "--max-edges",
        type=click.IntRange(1),
        default=50_000,
        show_default=True,
        help=_("Stop the walk before a hop would pass this many transfers."),
    )
    def trace_command(
        transactions: Path | None,
        accounts: Path | None,
        mapping: tuple[str, ...],
        node_dir: Path | None,
        country: str | None,
        engine: str,
        rates: Path | None,
        errors_path: Path | None,
        cash_reports: Path | None,
        seeds: tuple[str, ...],
        direction: str,
        hops: int,
        since: datetime | None,
        until: datetime | None,
        method: str,
        out: Path,
        graph: Path | None,
        svg: Path | None,
        max_edges: int,
    ) -> None:
        from paridad.finance.engines import open_engine
        from paridad.finance.tracing.diagram import write_svg
        from paridad.finance.tracing.tracer import MSG_NO_SEED, OPEN_END, OPEN_START, trace

        lang = get_lang()
        tx_table, acct_table, _holders = _load_inputs(
            transactions, accounts, mapping, node_dir, country, rates, errors_path, cash_reports
        )
        start = int(since.replace(tzinfo=UTC).timestamp()) if since else OPEN_START
        end = int(until.replace(tzinfo=UTC).timestamp()) + 86_399 if until else OPEN_END
        if until and until.hour + until.minute + until.second:
            end = int(until.replace(tzinfo=UTC).timestamp())
        known = {a for c in ("src", "dst") for a in tx_table.column(c).to_pylist() if a}
        held: dict[str, list[str]] = {}
        for row in acct_table.to_pylist():
            if row.get("holder_id"):
                held.setdefault(str(row["holder_id"]), []).append(str(row["account_id"]))
        chosen: list[str] = []
        for seed in seeds:
            if seed in known:
                chosen.append(seed)
            elif seed in held:
                chosen += [a for a in held[seed] if a in known]
            else:
                raise ParidadError(MSG_NO_SEED, seed=seed)
        started = time.perf_counter()
        with open_engine(engine) as running:
            running.load("tx", tx_table)
            result = trace(
                running,
                sorted(set(chosen)),
                direction,  # type: ignore[arg-type]
                hops,
                start,
                end,
                method,  # type: ignore[arg-type]
                max_edges,
            )
        result.write_table(out)
        if graph is not None:
            result.write_graph(graph)
        if svg is not None:
            write_svg(result, svg, lang)
        if result.cut_at_hop is not None:
            click.echo(
                _(
                    "Stopped before hop {hop}: it would pass {limit} transfers (--max-edges).",
                    hop=result.cut_at_hop,
                    limit=_count(max_edges),
                ),
                err=True,
            )
        for origin, dollars in sorted(result.origins.items(), key=lambda kv: -kv[1])[:10]:
            click.echo(
                _(
                    "  origin {origin}: US$ {dollars}",
                    origin=origin or "?",
                    dollars=format_number(dollars, lang, 2),
                )
            )
        click.echo(
            _(
                "{transfers} transfers over {accounts} accounts traced in {seconds} s; "
                "US$ {dollars} attributed at the first hop; table in {path}.",
                transfers=_count(len(result.transfers)),
                accounts=_count(len(result.accounts)),
                seconds=_count(round(time.perf_counter() - started, 1)),
                dollars=format_number(result.attributed_total, lang, 2),
                path=str(out),
            )
        )

    return finance


def _input_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that say where the transactions come from, shared by scan and trace."""
    options = [
        click.option(
            "--transactions",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help=_(
                "Transactions: CSV (tx_id, timestamp, from_account, to_account, amount, "
                "currency) or ISO 20022 XML (pacs.008, pain.001, camt.053)."
            ),
        ),
        click.option(
            "--accounts",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help=_("Accounts CSV (account_id, bank, country)."),
        ),
        click.option(
            "--map",
            "mapping",
            multiple=True,
            metavar="COLUMN=FIELD",
            help=_("Read the file's COLUMN as FIELD; repeat for each column to rename."),
        ),
        click.option(
            "--node",
            "node_dir",
            type=click.Path(path_type=Path, file_okay=False),
            help=_("Scan this node's own payments instead of CSV files."),
        ),
        click.option(
            "--country",
            type=click.Choice(["mx", "us"], case_sensitive=False),
            help=_(
                "Country of the accounts whose country the files do not give (the FIU's own); "
                "it decides which reporting thresholds apply."
            ),
        ),
        click.option(
            "--engine",
            type=click.Choice(["duckdb", "spark"]),
            default="duckdb",
            show_default=True,
            help=_("Where the analytics run."),
        ),
        click.option(
            "--rates",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help=_("Currency rates to US dollars (YAML) for the period under study."),
        ),
        click.option(
            "--cash-reports",
            type=click.Path(path_type=Path, exists=True, dir_okay=False),
            help=_(
                "Cash transaction reports (CSV: report_id, date, account, amount, currency, "
                "direction), added as cash deposits and withdrawals unless already held."
            ),
        ),
        click.option(
            "--errors",
            "errors_path",
            type=click.Path(path_type=Path, dir_okay=False),
            help=_("Write the rejected rows here (CSV) instead of listing them."),
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _load_inputs(
    transactions: Path | None,
    accounts: Path | None,
    mapping: tuple[str, ...],
    node_dir: Path | None,
    country: str | None,
    rates: Path | None,
    errors_path: Path | None,
    cash_reports: Path | None = None,
    want_holders: bool = False,
) -> tuple[pa.Table, pa.Table, list[dict[str, Any]]]:
    """The transactions and accounts tables from CSV files or the node, the rejected rows
    reported (or written to ``errors_path``), and the accounts' holders when asked for."""
    from paridad.finance.inputs.errors import MSG_BAD_MAP, InvalidFinanceInput, RowError
    from paridad.finance.inputs.rates import load_rates
    from paridad.finance.tables import empty_accounts, with_home_country

    if (transactions is None) == (node_dir is None):
        raise click.UsageError(_("Give either --transactions or --node."))
    lang = get_lang()
    chosen_rates = load_rates(rates)
    errors: list[RowError] = []
    holders: list[dict[str, Any]] = []
    if node_dir is not None:
        from paridad.finance.inputs.ftm import node_holders, read_store
        from paridad.node import Node

        with Node.open(node_dir).open_store() as store:
            tx_table, acct_table = read_store(store, chosen_rates)
            if want_holders:
                holders = node_holders(store, acct_table)
        rows_read = tx_table.num_rows
    else:
        from paridad.finance.inputs.csv_tables import (
            parse_mapping,
            read_accounts,
            read_transactions,
        )

        fields = parse_mapping(mapping)
        acct_fields = {
            k: v
            for k, v in fields.items()
            if v in ("account_id", "bank", "country", "holder_id", "holder_name")
        }
        tx_fields = {k: v for k, v in fields.items() if k not in acct_fields}
        if accounts is not None:
            loaded_accounts = read_accounts(accounts, acct_fields)
            acct_table = loaded_accounts.table
            errors += loaded_accounts.errors
        else:
            acct_table = empty_accounts()
        assert transactions is not None
        if not fields and mapping:
            raise InvalidFinanceInput(MSG_BAD_MAP, text=" ".join(mapping))
        if transactions.suffix.lower() == ".xml":
            from paridad.finance.inputs.iso20022 import read_iso20022

            loaded, parties = read_iso20022(transactions, chosen_rates)
            if accounts is None:
                acct_table = parties
        else:
            loaded = read_transactions(transactions, tx_fields, chosen_rates, acct_table)
        tx_table, rows_read = loaded.table, loaded.rows_read
        errors += loaded.errors
    if cash_reports is not None:
        from paridad.finance.inputs.cash_reports import merge_cash_reports, read_cash_reports

        reports = read_cash_reports(cash_reports, chosen_rates)
        # Their lines are the reports file's: say so beside the field.
        errors += [
            RowError(e.line, f"{cash_reports.name} {e.field}", e.msgid, e.params)
            for e in reports.errors
        ]
        tx_table, linked = merge_cash_reports(tx_table, reports.table)
        click.echo(
            _(
                "Read {reports} cash reports ({rejected} rejected, {linked} already among the "
                "transactions).",
                reports=_count(reports.rows_read),
                rejected=_count(len(reports.errors)),
                linked=_count(linked),
            ),
            err=True,
        )
    if country:
        tx_table = with_home_country(tx_table, country)
    click.echo(
        _(
            "Read {rows} transactions ({rejected} rejected) and {accounts} accounts.",
            rows=_count(rows_read),
            rejected=_count(len(errors)),
            accounts=_count(acct_table.num_rows),
        ),
        err=True,
    )
    if errors and errors_path is not None:
        import csv

        with errors_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["line", "field", "error"])
            for e in errors:
                writer.writerow([e.line, e.field, e.message(lang)])
    else:
        for e in errors[:20]:
            click.echo(f"  {e.line}: {e.field}: {e.message(lang)}", err=True)
        if len(errors) > 20:
            click.echo(
                _(
                    "  … and {more} more (--errors FILE lists them all).",
                    more=_count(len(errors) - 20),
                ),
                err=True,
            )

    return tx_table, acct_table, holders


def _read_designations(path: Path, lang: Lang) -> DesignationList:
    from paridad.finance.screening.designations import DesignationList

    listing = DesignationList.read(path)
    for e in listing.errors[:20]:
        click.echo(f"  {path.name}:{e.line}: {e.message(lang)}", err=True)
    if len(listing.errors) > 20:
        click.echo(_("  … and {more} more.", more=_count(len(listing.errors) - 20)), err=True)
    return listing


def _read_entities(path: Path) -> list[dict[str, Any]]:
    """FtM entities to screen; lines that are not entities are skipped by the screener."""
    from paridad.finance.screening.designations import read_entity_lines

    rows, errors = read_entity_lines(path)
    lang = get_lang()
    for e in errors[:20]:
        click.echo(f"  {path.name}:{e.line}: {e.message(lang)}", err=True)
    return rows


def _screen(
    listings: list[DesignationList], queries: list[dict[str, Any]], threshold: float | None = None
) -> list[ScreeningHit]:
    from paridad.finance.screening.matcher import Screener

    hits: list[ScreeningHit] = []
    for listing in listings:
        with Screener(listing) as screener:
            hits += screener.screen(queries, DEFAULT_THRESHOLD if threshold is None else threshold)
    hits.sort(key=lambda h: (-h.score, h.query_id))
    return hits


def _write_hits_csv(hits: list[ScreeningHit], path: Path, lang: Lang) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "query_id",
                "query_name",
                "designated_id",
                "designated_name",
                "programs",
                "score",
                "explanation",
            ]
        )
        for h in hits:
            d = h.designation
            writer.writerow(
                [
                    h.query_id,
                    h.query_name,
                    d.entity_id,
                    d.name,
                    "; ".join(d.programs),
                    f"{h.score:.4f}",
                    h.explain(lang),
                ]
            )
