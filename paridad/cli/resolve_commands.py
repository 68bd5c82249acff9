"""``paridad resolve``: find duplicates inside a node, merge and split them, show the history.

Each command opens the node, calls :class:`paridad.resolve.Resolver` and prints what it did;
see docs/resolve.md for how the model decides and how judgements are kept.
"""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from paridad import settings
from paridad.cli.output import echo_json
from paridad.errors import NodeError
from paridad.i18n import N_, _, format_number, translate
from paridad.node import Node

MSG_NO_NODE = N_("Say which node to use: --node DIR or PARIDAD_NODE.")
VERDICT_LABELS = {"same": N_("same"), "different": N_("different"), "unsure": N_("unsure")}
SCHEMATA = ("Person", "Organization")


class _InOrder(click.Group):
    """Lists subcommands in the order of a session (run, list, merge, split, history)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def _open_node(path: Path | None) -> Node:
    default = settings.default_node()
    chosen = path or (Path(default) if default else None)
    if chosen is None:
        raise NodeError(MSG_NO_NODE)
    return Node.open(chosen)


def _actor() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "analyst"


def _verdict(code: str) -> str:
    return translate(VERDICT_LABELS.get(code, code))


def _members(ids: Sequence[str], found: dict[str, tuple[str, str]]) -> str:
    return ", ".join(f"{i} ({found[i][1]})" if i in found else i for i in ids)


def make_resolve_group() -> click.Group:
    from paridad.resolve.engines import ENGINES
    from paridad.resolve.resolver import DEFAULT_REVIEW, DEFAULT_THRESHOLD
    from paridad.resolve.splink_model import TRAININGS

    node_option = click.option(
        "--node",
        "node_dir",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("Node directory (default: PARIDAD_NODE)."),
    )
    actor_option = click.option(
        "--actor", default=_actor, help=_("Who records this (default: the system user).")
    )
    reason_option = click.option(
        "--reason", required=True, help=_("Why: kept with the judgement, shown in its history.")
    )
    json_option = click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))

    @click.group(
        cls=_InOrder,
        help=_(
            "Entity resolution inside the node: find records of one person or organisation, "
            "merge and split them; judgements are kept apart from the data and reversible."
        ),
    )
    def resolve() -> None:
        pass

    @resolve.command(
        "run",
        help=_(
            "Score possible duplicates with the Splink model and record its judgements; "
            "an analyst's judgements are never changed."
        ),
    )
    @node_option
    @click.option(
        "--schema",
        type=click.Choice(SCHEMATA),
        help=_("Only persons or only organisations (default: both)."),
    )
    @click.option(
        "--threshold",
        default=DEFAULT_THRESHOLD,
        show_default=True,
        type=click.FloatRange(0.0, 1.0, min_open=True),
        help=_("Match probability from which two records are judged the same."),
    )
    @click.option(
        "--review",
        default=DEFAULT_REVIEW,
        show_default=True,
        type=click.FloatRange(0.0, 1.0, min_open=True),
        help=_("Match probability from which a pair is kept as unsure, for an analyst."),
    )
    @click.option(
        "--engine",
        default="duckdb",
        show_default=True,
        type=click.Choice(ENGINES),
        help=_("Where Splink runs: duckdb (in-process) or spark (needs paridad[scale])."),
    )
    @click.option(
        "--training",
        default="auto",
        show_default=True,
        type=click.Choice(TRAININGS),
        help=_("How the model learns: em, fixed priors, or auto (em on larger nodes)."),
    )
    @actor_option
    @json_option
    def run(
        node_dir: Path | None,
        schema: str | None,
        threshold: float,
        review: float,
        engine: str,
        training: str,
        actor: str,
        as_json: bool,
    ) -> None:
        from paridad.resolve import Resolver
        from paridad.resolve.engines import open_engine

        def step(name: str) -> None:
            click.echo(f"  {translate(name)}…", err=True)

        summaries = []
        with Resolver(_open_node(node_dir)) as resolver, open_engine(engine) as api:
            for chosen in [schema] if schema else list(SCHEMATA):
                click.echo(_("Resolving {schema}…", schema=chosen), err=True)
                summary = resolver.run(
                    chosen,
                    threshold=threshold,
                    review=review,
                    engine=engine,
                    training=training,
                    actor=actor,
                    api=api,
                    progress=step,
                )
                summaries.append(summary)
                if not as_json:
                    click.echo(_summary_text(summary))
        if as_json:
            echo_json([s.to_dict() for s in summaries])

    @resolve.command(
        "list", help=_("List the clusters of records judged one entity, or the pairs to review.")
    )
    @node_option
    @click.option("--pending", is_flag=True, help=_("List the pairs waiting for an analyst."))
    @click.option(
        "--schema", type=click.Choice(SCHEMATA), help=_("Only persons or only organisations.")
    )
    @click.option(
        "--limit",
        default=50,
        show_default=True,
        type=click.IntRange(1, 100_000),
        help=_("How many results."),
    )
    @json_option
    def list_(
        node_dir: Path | None, pending: bool, schema: str | None, limit: int, as_json: bool
    ) -> None:
        from paridad.resolve import Resolver
        from paridad.resolve.resolver import model_for

        allowed = set(model_for(schema).schemata) if schema else None
        with Resolver(_open_node(node_dir)) as resolver:
            if pending:
                pairs = resolver.pending()
                found = resolver.schemata([i for j in pairs for i in j.pair])
                pairs = [j for j in pairs if allowed is None or found[j.left_id][0] in allowed][
                    :limit
                ]
                if as_json:
                    echo_json([j.to_dict() for j in pairs])
                    return
                if not pairs:
                    click.echo(_("No pairs are waiting for review."))
                for j in pairs:
                    click.echo(
                        f"{j.score or 0:.3f}\t{_members([j.left_id], found)}\t"
                        f"{_members([j.right_id], found)}\t{j.reason}"
                    )
                return
            groups = resolver.clustering().clusters()
            found = resolver.schemata([i for g in groups for i in g])
            groups = [g for g in groups if allowed is None or found[g[0]][0] in allowed][:limit]
        if as_json:
            echo_json([{"canonical_id": g[0], "members": list(g)} for g in groups])
            return
        if not groups:
            click.echo(_("No records are judged to be one entity yet."))
        for g in groups:
            click.echo(
                _(
                    "{canonical} ({count} records): {members}",
                    canonical=g[0],
                    count=len(g),
                    members=_members(g, found),
                )
            )

    def add_judgement_command(name: str, help_text: str) -> None:
        """``merge`` and ``split``: the same command recording opposite judgements."""

        @resolve.command(name, help=help_text)
        @click.argument("a")
        @click.argument("b")
        @node_option
        @reason_option
        @actor_option
        @json_option
        def judge(
            node_dir: Path | None, a: str, b: str, reason: str, actor: str, as_json: bool
        ) -> None:
            from paridad.resolve import Resolver

            with Resolver(_open_node(node_dir)) as resolver:
                record = resolver.merge if name == "merge" else resolver.split
                outcome = record(a, b, reason, actor)
                found = resolver.schemata([*outcome.left_cluster, *outcome.right_cluster])
            _outcome(outcome, found, as_json)

    add_judgement_command("merge", _("Record that records A and B are one entity."))
    add_judgement_command(
        "split", _("Record that records A and B are not one entity (reversed by a later merge).")
    )

    @resolve.command(
        "history",
        help=_("Show every judgement about an entity, oldest first, and its cluster today."),
    )
    @click.argument("entity")
    @node_option
    @json_option
    def history(node_dir: Path | None, entity: str, as_json: bool) -> None:
        from paridad.resolve import Resolver

        with Resolver(_open_node(node_dir)) as resolver:
            record = resolver.history(entity)
            found = resolver.schemata(
                [*record.cluster, *(j.other(entity) for j in record.judgements)]
            )
        if as_json:
            echo_json(
                {
                    "entity_id": record.entity_id,
                    "canonical_id": record.canonical_id,
                    "cluster": list(record.cluster),
                    "judgements": [
                        {**j.to_dict(), "effective": j.seq in record.effective}
                        for j in record.judgements
                    ],
                }
            )
            return
        click.echo(
            _(
                "{entity}: canonical id {canonical}; cluster: {members}",
                entity=entity,
                canonical=record.canonical_id,
                members=_members(record.cluster, found),
            )
        )
        if not record.judgements:
            click.echo(_("No judgements about this entity yet."))
        for j in record.judgements:
            state = _("in force") if j.seq in record.effective else _("superseded")
            score = "" if j.score is None else f"{j.score:.3f}"
            click.echo(
                f"{j.seq}\t{j.created_at}\t{_verdict(j.verdict)}\t"
                f"{_members([j.other(entity)], found)}\t{j.source}\t{j.actor}\t{score}\t"
                f"{state}\t{j.reason}"
            )

    return resolve


def _summary_text(summary: Any) -> str:
    lines = [
        _(
            "{model} on {engine} ({training}): {entities} records, {candidates} candidate "
            "pairs; recorded {same} same, {unsure} unsure, {retracted} withdrawn; {unchanged} "
            "unchanged; {kept} left as analysts judged them.",
            model=summary.model,
            engine=summary.engine,
            training=summary.training,
            entities=format_number(summary.entities),
            candidates=format_number(summary.candidates),
            same=format_number(summary.same),
            unsure=format_number(summary.unsure),
            retracted=format_number(summary.retracted),
            unchanged=format_number(summary.unchanged),
            kept=format_number(summary.kept_analyst),
        ),
        _(
            "{clusters} clusters hold {clustered} records ({seconds} s).",
            clusters=format_number(summary.clusters),
            clustered=format_number(summary.clustered),
            seconds=format_number(summary.seconds, digits=1),
        ),
    ]
    lines.extend(f"  {note}" for note in summary.notes)
    return "\n".join(lines)


def _outcome(outcome: Any, found: dict[str, tuple[str, str]], as_json: bool) -> None:
    j = outcome.judgement
    if as_json:
        echo_json(
            {
                "judgement": j.to_dict(),
                "left_cluster": list(outcome.left_cluster),
                "right_cluster": list(outcome.right_cluster),
                "overridden": [o.to_dict() for o in outcome.overridden],
            }
        )
        return
    click.echo(
        _(
            "Recorded judgement {seq}: {left} and {right} — {verdict} ({actor}).",
            seq=j.seq,
            left=j.left_id,
            right=j.right_id,
            verdict=_verdict(j.verdict),
            actor=j.actor,
        )
    )
    if outcome.together:
        click.echo(_("One cluster: {members}", members=_members(outcome.left_cluster, found)))
    else:
        click.echo(
            _(
                "Two clusters: {left} | {right}",
                left=_members(outcome.left_cluster, found),
                right=_members(outcome.right_cluster, found),
            )
        )
    for o in outcome.overridden:
        click.echo(
            _(
                "Judgement {seq} ({left} and {right} are the same, by {actor}) no longer holds: "
                "it conflicts with a judgement that keeps them apart.",
                seq=o.seq,
                left=o.left_id,
                right=o.right_id,
                actor=o.actor,
            ),
            err=True,
        )
