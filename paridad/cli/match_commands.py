"""``paridad match``: hit/no-hit against a partner, the hits, their judgement and step two."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from paridad.cli.output import echo_json
from paridad.i18n import _
from paridad.model.vocabularies import vocabulary
from paridad.node import Node

NodeOption = Callable[[Callable[..., Any]], Callable[..., Any]]


def add_match_commands(
    cli: click.Group,
    node_option: NodeOption,
    open_node: Callable[[Path | None], Node],
    group_cls: type[click.Group],
) -> None:
    from paridad.exchange.context import Exchange
    from paridad.match.identifiers import kind_names

    def exchange(node_dir: Path | None) -> Exchange:
        return Exchange(open_node(node_dir))

    purpose_choice = click.Choice(list(vocabulary("purpose").codes))

    @cli.group(
        cls=group_cls,
        help=_("Hit/no-hit against a partner: which records match, without disclosing any."),
    )
    def match() -> None:
        pass

    @match.command("run", help=_("Ask a partner which of this node's identifiers it also holds."))
    @node_option
    @click.option("--with", "partner_name", required=True, help=_("Partner node."))
    @click.option("--purpose", required=True, type=purpose_choice, help=_("Purpose."))
    @click.option("--case", required=True, help=_("Case reference."))
    @click.option(
        "--entity",
        "entities",
        multiple=True,
        help=_("Entity to match (repeatable; default: every entity of the node)."),
    )
    @click.option(
        "--kind",
        "kinds",
        multiple=True,
        type=click.Choice(list(kind_names())),
        help=_("Identifier kind to match (repeatable; default: all the agreement allows)."),
    )
    @click.option(
        "--names/--no-names",
        default=True,
        show_default=True,
        help=_("Also match persons and organizations by privacy-preserving name linkage."),
    )
    def match_run(
        node_dir: Path | None,
        partner_name: str,
        purpose: str,
        case: str,
        entities: tuple[str, ...],
        kinds: tuple[str, ...],
        names: bool,
    ) -> None:
        from paridad.exchange.workflows.matching import get_run, start_match

        with exchange(node_dir) as ex:
            run_id = start_match(
                ex,
                partner_name,
                purpose,
                case,
                list(entities) or None,
                kinds=list(kinds) or None,
                names=names,
            )
            counts = get_run(ex, run_id).counts
        click.echo(run_id)
        click.echo(
            _(
                "{items} blinded identifiers and encoded names sent ({kinds}); hits arrive when "
                "the partner answers.",
                items=sum(counts.values()),
                kinds=", ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
            ),
            err=True,
        )

    @match.command(
        "process",
        help=_(
            "Answer partners' runs and complete this node's answered runs now "
            "('paridad serve' does it on its own)."
        ),
    )
    @node_option
    def match_process(node_dir: Path | None) -> None:
        from paridad.exchange.workflows.matching import process_matches

        with exchange(node_dir) as ex:
            done = process_matches(ex)
        click.echo(_("{count} runs processed.", count=done))

    @match.command("runs", help=_("List hit/no-hit runs, both directions."))
    @node_option
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def match_runs(node_dir: Path | None, as_json: bool) -> None:
        from paridad.exchange.workflows.matching import list_runs

        with exchange(node_dir) as ex:
            runs = list_runs(ex)
        if as_json:
            echo_json([r.to_dict() for r in runs])
            return
        for r in runs:
            reason = r.reason or ""
            if reason in vocabulary("refusal"):
                reason = vocabulary("refusal").term(reason).label()
            click.echo(
                f"{r.id}\t{r.direction}\t{r.partner}\t{r.state}\t{r.case}\t{r.hits}\t{reason}"
            )

    @match.command("hits", help=_("List the hits of a run (or of every run)."))
    @node_option
    @click.argument("run_id", metavar="RUN", required=False)
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON."))
    def match_hits(node_dir: Path | None, run_id: str | None, as_json: bool) -> None:
        from paridad.exchange.workflows.matching import list_hits

        with exchange(node_dir) as ex:
            hits = list_hits(ex, run_id)
        if as_json:
            echo_json([h.to_dict() for h in hits])
            return
        for h in hits:
            click.echo(
                f"{h.id}\t{h.entity_id}\t{h.kind}\t{h.score:.3f}\t{h.judgement or '-'}"
                f"\t{h.disclosure or '-'}"
            )

    @match.command("judge", help=_("Confirm or reject a hit, with the reason."))
    @node_option
    @click.argument("hit_id", metavar="HIT")
    @click.argument("judgement", type=click.Choice(["confirmed", "rejected"]))
    @click.option("--reason", required=True, help=_("Why."))
    def match_judge(node_dir: Path | None, hit_id: str, judgement: str, reason: str) -> None:
        from paridad.exchange.workflows.matching import judge_hit

        with exchange(node_dir) as ex:
            hit = judge_hit(ex, hit_id, judgement, reason)
        click.echo(f"{hit.id}\t{hit.judgement}")

    @match.command(
        "disclose", help=_("Step two: ask the partner for the record behind a hit (an RFI).")
    )
    @node_option
    @click.argument("hit_id", metavar="HIT")
    @click.option("--question", required=True, help=_("What is asked."))
    @click.option("--legal-basis", help=_("Legal basis (default: the agreement's)."))
    @click.option("--case", help=_("Case reference (default: the run's)."))
    def match_disclose(
        node_dir: Path | None,
        hit_id: str,
        question: str,
        legal_basis: str | None,
        case: str | None,
    ) -> None:
        from paridad.exchange.workflows.matching import request_disclosure

        with exchange(node_dir) as ex:
            rfi_id = request_disclosure(ex, hit_id, question, legal_basis=legal_basis, case=case)
        click.echo(rfi_id)

    @match.command(
        "approve",
        help=_(
            "Approve a partner's disclosure request: the records behind its hit cross "
            "through the release gate. Refuse one with 'paridad rfi refuse'."
        ),
    )
    @node_option
    @click.argument("rfi_id", metavar="RFI")
    @click.option("--note", help=_("Note for the requester."))
    def match_approve(node_dir: Path | None, rfi_id: str, note: str | None) -> None:
        from paridad.exchange.workflows.matching import answer_disclosure

        with exchange(node_dir) as ex:
            result = answer_disclosure(ex, rfi_id, note=note)
        click.echo(
            _(
                "{released} released; {refused} held back by the release gate.",
                released=result.released,
                refused=sum(result.refused.values()),
            )
        )
