"""The command tree. Each command parses its options and calls one function of the core."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from paridad import __version__, settings
from paridad.cli.output import echo_json, progress_bar
from paridad.errors import NodeError
from paridad.i18n import N_, _, format_number, translate
from paridad.node import Node

MSG_NO_NODE = N_("Say which node to use: --node DIR or PARIDAD_NODE.")


DEMO_USER = "analista"


class _Group(click.Group):
    """Lists commands in the order they are added (setup first), not alphabetically."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def _node(path: Path | None) -> Node:
    default = settings.default_node()
    chosen = path or (Path(default) if default else None)
    if chosen is None:
        raise NodeError(MSG_NO_NODE)
    return Node.open(chosen)


def _progress(enabled: bool | None) -> Callable[[int, int], Callable[[int], None]] | None:
    if enabled is False:
        return None

    def start(total: int, done: int) -> Callable[[int], None]:
        return progress_bar(total, _("Loading"), enabled, initial=done, unit=_("records"))

    return start


def make_cli() -> click.Group:
    node_option = click.option(
        "--node",
        "node_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Node directory (default: PARIDAD_NODE)."),
    )

    @click.group(
        cls=_Group,
        help=_(
            "Paridad: sovereign binational cooperation between Mexico and the United States. "
            "Each agency runs its own node; this command manages one."
        ),
    )
    @click.option(
        "--lang",
        type=click.Choice(["es", "en"]),
        help=_("Language of messages: es (español) or en (English)."),
    )
    @click.version_option(__version__, prog_name="paridad")
    def cli(lang: str | None) -> None:
        pass

    @cli.group(cls=_Group, help=_("Create and inspect nodes."))
    def node() -> None:
        pass

    @node.command("init", help=_("Create a node in DIRECTORY for one agency of one country."))
    @click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
    @click.option(
        "--country",
        required=True,
        type=click.Choice(["MX", "US"], case_sensitive=False),
        help=_("Country the node belongs to."),
    )
    @click.option("--agency", required=True, help=_("Agency that runs the node, e.g. FGR or ATF."))
    @click.option("--name", help=_("Node name (default: country and agency)."))
    def node_init(directory: Path, country: str, agency: str, name: str | None) -> None:
        created = Node.init(directory, country, agency, name)
        click.echo(
            _(
                "Node '{name}' ({country}, {agency}) created in {path}; store: {store}",
                name=created.config.name,
                country=created.config.country,
                agency=created.config.agency,
                path=directory,
                store=(created.config.database_url and "PostgreSQL") or "SQLite",
            )
        )

    @node.command("info", help=_("Show a node's identity and what its store holds."))
    @node_option
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def node_info(node_dir: Path | None, as_json: bool) -> None:
        from paridad.cli.render import node_summary_text
        from paridad.node.summary import summarise

        summary = summarise(_node(node_dir))
        if as_json:
            echo_json(summary)
        else:
            click.echo(node_summary_text(summary))

    @cli.command(help=_("Load CSV, JSON Lines or FtM entity files into a node."))
    @click.argument(
        "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
    )
    @node_option
    @click.option(
        "--mapping",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Mapping file (YAML) that says what the columns of a CSV mean."),
    )
    @click.option(
        "--dataset",
        help=_("Source name recorded as provenance (default: from the mapping or the file name)."),
    )
    @click.option(
        "--markings",
        "markings_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("YAML file with default markings for entities that carry none."),
    )
    @click.option("--force", is_flag=True, help=_("Load again even if this content was loaded."))
    @click.option(
        "--progress/--no-progress",
        default=None,
        help=_("Show a progress bar (default: when on a terminal)."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print the reports as JSON."))
    def ingest(
        files: tuple[Path, ...],
        node_dir: Path | None,
        mapping: Path | None,
        dataset: str | None,
        markings_file: Path | None,
        force: bool,
        progress: bool | None,
        as_json: bool,
    ) -> None:
        from paridad.audit.ingests import record_ingest
        from paridad.cli.render import report_text
        from paridad.ingest import TabularMapping, ingest_file
        from paridad.ingest.markings_file import load_markings

        target = _node(node_dir)
        parsed = TabularMapping.load(mapping) if mapping else None
        defaults = load_markings(markings_file) if markings_file else None
        reports = []
        with target.open_store() as store:
            for path in files:
                report = ingest_file(
                    store,
                    path,
                    dataset=dataset,
                    mapping=parsed,
                    default_markings=defaults,
                    force=force,
                    progress=_progress(progress),
                )
                record_ingest(target.store_url, report)
                reports.append(report)
                if not as_json:
                    click.echo(report_text(report))
        if as_json:
            echo_json([r.__dict__ for r in reports])

    @cli.command(help=_("List the records that could not be loaded, with the reason."))
    @node_option
    @click.option("--dataset", help=_("Only this source."))
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def quarantine(node_dir: Path | None, dataset: str | None, as_json: bool) -> None:
        from paridad.cli.render import quarantine_text
        from paridad.errors import render_message

        with _node(node_dir).open_store() as store:
            records = store.quarantined(dataset)
        if as_json:
            echo_json(
                [{**q.__dict__, "reason": render_message(q.msgid, q.params)} for q in records]
            )
        else:
            click.echo(quarantine_text(records))

    @cli.command(help=_("Search a node's entities by name or identifier."))
    @click.argument("query")
    @node_option
    @click.option("--schema", help=_("Only entities of this schema, e.g. Person or Firearm."))
    @click.option(
        "--limit",
        default=20,
        show_default=True,
        type=click.IntRange(1, 1000),
        help=_("How many results."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def search(
        query: str, node_dir: Path | None, schema: str | None, limit: int, as_json: bool
    ) -> None:
        from paridad.cli.render import hits_text

        with _node(node_dir).open_store() as store:
            hits = store.search(query, schema=schema, limit=limit)
        if as_json:
            echo_json([h.__dict__ for h in hits])
        else:
            click.echo(hits_text(hits))

    @cli.command(help=_("Show one entity with its markings and the provenance of every value."))
    @click.argument("entity_id")
    @node_option
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def show(entity_id: str, node_dir: Path | None, as_json: bool) -> None:
        from paridad.cli.render import entity_text

        with _node(node_dir).open_store() as store:
            record = store.get(entity_id)
        if record is None:
            raise click.ClickException(_("No entity with id '{id}'.", id=entity_id))
        if as_json:
            data = record.to_dict()
            data["statements"] = [s.to_dict() for s in record.statements]
            echo_json(data)
        else:
            click.echo(entity_text(record))

    @cli.command(help=_("Generate the synthetic binational scenario (Mexico, US, ground truth)."))
    @click.option("--seed", default=1, show_default=True, type=int, help=_("Random seed."))
    @click.option(
        "--scale",
        default="small",
        show_default=True,
        type=click.Choice(["small", "medium", "large"]),
        help=_("Size of the world."),
    )
    @click.option(
        "--out",
        required=True,
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Output directory."),
    )
    def synth(seed: int, scale: str, out: Path) -> None:
        from paridad.synth import generate

        def step(name: str, count: int) -> None:
            click.echo(f"  {translate(name)}: {format_number(count)}", err=True)

        manifest = generate(out, seed=seed, scale=scale, progress=step)  # type: ignore[arg-type]
        total = sum(int(v) for v in manifest.get("counts", {}).values())
        click.echo(
            _(
                "Scenario written to {out}: {total} entities (seed {seed}, scale {scale}).",
                out=out,
                total=total,
                seed=seed,
                scale=scale,
            )
        )

    @cli.command(help=_("Run the demonstration: scenario, a Mexican and a US node, summary."))
    @click.option(
        "--workdir",
        default=Path("demo"),
        show_default=True,
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Where the scenario and the two nodes are created."),
    )
    @click.option("--seed", default=1, show_default=True, type=int, help=_("Random seed."))
    @click.option(
        "--scale",
        default="small",
        show_default=True,
        type=click.Choice(["small", "medium", "large"]),
        help=_("Size of the world."),
    )
    @click.option(
        "--serve/--no-serve",
        default=False,
        help=_(
            "Then serve both nodes' web workbenches (until Ctrl-C); the demo account's "
            "passwords are printed either way."
        ),
    )
    @click.option(
        "--exchange/--no-exchange",
        default=True,
        help=_("Run both nodes over mutual TLS and show the exchange workflows."),
    )
    def demo(workdir: Path, seed: int, scale: str, serve: bool, exchange: bool) -> None:
        from paridad.demo import demo_summary_text, run_demo

        summary = run_demo(
            workdir, seed=seed, scale=scale, log=lambda line: click.echo(line, err=True)
        )
        click.echo(demo_summary_text(summary))
        if exchange:
            from paridad.demo_exchange import exchange_summary_text, run_exchange

            click.echo("")
            done = run_exchange(workdir, log=lambda line: click.echo(line, err=True))
            click.echo(exchange_summary_text(done))
        from paridad.store.database import Database
        from paridad.workbench.accounts import reset_demo_account
        from paridad.workbench.serving import plan
        from paridad.workbench.serving import serve as serve_workbenches

        nodes = [workdir / "nodes" / "mx", workdir / "nodes" / "us"]
        served = plan(nodes, "127.0.0.1", 8080)
        click.echo("")
        click.echo(_("Workbenches (user {user}, a fresh password for each node):", user=DEMO_USER))
        for s in served:
            with Database(Node.open(s.node).store_url) as db:
                password = reset_demo_account(db, DEMO_USER)
            click.echo(
                _(
                    "  {name}: {url}  user {user}  password {password}",
                    name=Node.open(s.node).config.name,
                    url=s.url,
                    user=DEMO_USER,
                    password=password,
                )
            )
        if not serve:
            click.echo(
                _(
                    "Start them with: paridad web --node {mx} --node {us} --port 8080 "
                    "(or make workbench); Ctrl-C stops them.",
                    mx=nodes[0],
                    us=nodes[1],
                )
            )
            return
        click.echo(_("Serving both workbenches; Ctrl-C stops them."))
        serve_workbenches(served)

    from paridad.cli.audit_commands import make_audit_group
    from paridad.cli.exchange_commands import add_exchange_commands

    add_exchange_commands(cli, node, node_option, _node, _Group)
    from paridad.cli.match_commands import add_match_commands

    add_match_commands(cli, node_option, _node, _Group)
    cli.add_command(make_audit_group())
    from paridad.cli.link_command import add_link_command

    add_link_command(cli)
    from paridad.cli.trace_commands import make_trace_group

    cli.add_command(make_trace_group())

    from paridad.cli.drone_commands import drones_group
    from paridad.cli.drone_watch_commands import add_watch_commands

    drones = drones_group()
    add_watch_commands(drones)
    cli.add_command(drones)
    from paridad.cli.finance_commands import make_finance_group

    cli.add_command(make_finance_group())
    from paridad.cli.firearms_commands import add_firearms_commands

    add_firearms_commands(cli)
    from paridad.cli.prosecution_commands import add_prosecution_commands

    add_prosecution_commands(cli)
    from paridad.cli.resolve_commands import make_resolve_group

    cli.add_command(make_resolve_group())
    from paridad.cli.web_commands import make_web_command

    cli.add_command(make_web_command())
    from paridad.cli.user_commands import make_user_group

    cli.add_command(make_user_group())

    from paridad.bench import BENCHMARKS

    @cli.command(help=_("Run a benchmark and print one JSON object per system measured."))
    @click.argument("name", type=click.Choice(list(BENCHMARKS)))
    @click.option(
        "--entities",
        default=20_000,
        show_default=True,
        type=click.IntRange(1),
        help=_("How many synthetic entities to load."),
    )
    @click.option(
        "--records",
        default=20_000,
        show_default=True,
        type=click.IntRange(1),
        help=_("How many records to share between the two nodes (exchange)."),
    )
    @click.option(
        "--size",
        default=None,
        type=click.IntRange(1),
        help=_(
            "How many items on each side (psi, link), dealer sales (trace) or flights "
            "(drones); each benchmark has its default."
        ),
    )
    @click.option(
        "--dataset",
        default=None,
        help=_(
            "Which data set: febrl4 or synthetic (link), small or medium (resolve), small, "
            "medium or large (trace)."
        ),
    )
    @click.option(
        "--backend",
        "backends",
        multiple=True,
        type=click.Choice(["sqlite", "postgres"]),
        help=_(
            "Backends to measure (default: both; PostgreSQL from "
            "PARIDAD_DATABASE_URL or the local server)."
        ),
    )
    @click.option(
        "--bus",
        "buses",
        multiple=True,
        type=click.Choice(["memory", "nats"]),
        help=_("Buses to measure the drone alerts' latency on (drones; default: both)."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON lines only."))
    def bench(
        name: str,
        entities: int,
        records: int,
        size: int | None,
        dataset: str | None,
        backends: tuple[str, ...],
        buses: tuple[str, ...],
        as_json: bool,
    ) -> None:
        from paridad.bench import run_benchmark

        options: dict[str, Any] = {
            "entities": entities,
            "records": records,
            "backends": list(backends),
            "buses": list(buses),
        }
        if size is not None:
            options["size"] = size
        if dataset is not None:
            options["dataset"] = dataset
        for result in run_benchmark(name, **options):
            if as_json:
                click.echo(json.dumps(result, sort_keys=True))
            elif name == "exchange":
                click.echo(
                    _(
                        "{system}: {per_second} records/s ({seconds} s for {records})",
                        **result,
                    )
                )
            elif name == "ingest":
                click.echo(
                    _(
                        "{system} on {backend}: {per_second} entities/s ({seconds} s for {n})",
                        **result,
                    )
                )
            else:
                click.echo(", ".join(f"{key}={value}" for key, value in sorted(result.items())))

    return cli
