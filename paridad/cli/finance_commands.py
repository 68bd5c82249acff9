"""``paridad finance scan|detectors``: laundering typologies found, scored and explained.

The scan reads a FIU's exports (CSV with a column mapping) or the node's own FtM payments,
runs every detector on DuckDB (or Spark), scores the accounts and writes them highest risk
first, each with its reasons in the chosen language.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from paridad.i18n import _, format_number, get_lang


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
    @click.option(
        "--transactions",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help=_("Transactions CSV (tx_id, timestamp, from_account, to_account, amount, currency)."),
    )
    @click.option(
        "--accounts",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help=_("Accounts CSV (account_id, bank, country)."),
    )
    @click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="COLUMN=FIELD",
        help=_("Read the file's COLUMN as FIELD; repeat for each column to rename."),
    )
    @click.option(
        "--node",
        "node_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Scan this node's own payments instead of CSV files."),
    )
    @click.option(
        "--country",
        type=click.Choice(["mx", "us"], case_sensitive=False),
        help=_(
            "Country of the accounts whose country the files do not give (the FIU's own); "
            "it decides which reporting thresholds apply."
        ),
    )
    @click.option(
        "--engine",
        type=click.Choice(["duckdb", "spark"]),
        default="duckdb",
        show_default=True,
        help=_("Where the analytics run."),
    )
    @click.option(
        "--rates",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        help=_("Currency rates to US dollars (YAML) for the period under study."),
    )
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
        "--errors",
        "errors_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Write the rejected rows here (CSV) instead of listing them."),
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
        errors_path: Path | None,
    ) -> None:
        from paridad.finance.detectors import all_detectors
        from paridad.finance.detectors.runner import scan
        from paridad.finance.engines import open_engine
        from paridad.finance.inputs.errors import MSG_BAD_MAP, InvalidFinanceInput
        from paridad.finance.inputs.rates import load_rates
        from paridad.finance.scoring import score_accounts, write_scores_csv
        from paridad.finance.tables import empty_accounts, with_home_country

        if (transactions is None) == (node_dir is None):
            raise click.UsageError(_("Give either --transactions or --node."))
        lang = get_lang()
        chosen_rates = load_rates(rates)
        errors = []
        if node_dir is not None:
            from paridad.finance.inputs.ftm import read_store
            from paridad.node import Node

            with Node.open(node_dir).open_store() as store:
                tx_table, acct_table = read_store(store, chosen_rates)
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
            loaded = read_transactions(transactions, tx_fields, chosen_rates, acct_table)
            tx_table, rows_read = loaded.table, loaded.rows_read
            errors += loaded.errors
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
        with open_engine(engine) as running:
            running.load("tx", tx_table)
            running.load("accounts", acct_table)
            findings = scan(running, all_detectors(), progress)
            scores = score_accounts(running, findings)
        write_scores_csv(scores, out, lang)
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

    return finance
