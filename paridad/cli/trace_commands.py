"""``paridad trace``: recovered firearms matched to the first retail sale each came from.

Called with files (``--recoveries``, ``--acquisitions``, ``--out``) it traces two CSV files in
the documented layouts; its subcommands (``run``, ``request``, ``requests``, ``answer``, ``disclosed``) trace
inside a node and exchange trace requests with a partner.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paridad.cli.output import echo_json
from paridad.errors import ParidadError
from paridad.i18n import N_, _, format_number

MSG_FILES = N_("Give --recoveries, --acquisitions and --out, or a subcommand.")
STAGES = {
    "load": N_("Reading the files"),
    "fold": N_("Folding the dealers' serials"),
    "candidates": N_("Finding sales within one edit"),
    "second-pass": N_("Trying partial serials"),
}


class TraceUsageError(ParidadError):
    """``paridad trace`` called with neither its files nor a subcommand."""


class _TraceGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def make_trace_group() -> click.Group:
    @click.group(
        "trace",
        cls=_TraceGroup,
        invoke_without_command=True,
        help=_(
            "Trace recovered firearms to the first retail sale: two CSV files with "
            "--recoveries/--acquisitions/--out, or a subcommand for a node."
        ),
    )
    @click.option(
        "--recoveries",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_(
            "Recoveries CSV: recovery_id, serial, make, model, caliber, type, recovered_on, "
            "state, municipality."
        ),
    )
    @click.option(
        "--acquisitions",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_(
            "Acquisitions CSV: acquisition_id, serial, make, model, caliber, type, sold_on, "
            "dealer_id, dealer_state, purchaser_id."
        ),
    )
    @click.option(
        "--out",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Where to write recovery_id, acquisition_id, score, ttc_days (CSV)."),
    )
    @click.option(
        "--explain",
        is_flag=True,
        help=_("Also write how the serial matched and which fields agreed."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print the summary as JSON."))
    @click.option(
        "--progress/--no-progress",
        default=None,
        help=_("Show each stage as it starts (default: when on a terminal)."),
    )
    @click.pass_context
    def trace(
        ctx: click.Context,
        recoveries: Path | None,
        acquisitions: Path | None,
        out: Path | None,
        explain: bool,
        as_json: bool,
        progress: bool | None,
    ) -> None:
        if ctx.invoked_subcommand is not None:
            return
        if recoveries is None or acquisitions is None or out is None:
            raise TraceUsageError(MSG_FILES)
        from paridad.trace.tracer import trace_csv

        show = progress if progress is not None else sys.stderr.isatty()

        def stage(name: str) -> None:
            if show:
                click.echo(_(STAGES[name]) + "…", err=True)

        summary = trace_csv(recoveries, acquisitions, out, explain=explain, progress=stage)
        if as_json:
            echo_json({**summary.to_dict(), "out": str(out)})
            return
        click.echo(
            _(
                "{traced} of {recoveries} recoveries traced against {acquisitions} sales "
                "in {seconds} s; written to {out}.",
                traced=format_number(summary.traced),
                recoveries=format_number(summary.recoveries),
                acquisitions=format_number(summary.acquisitions),
                seconds=format_number(summary.seconds, digits=1),
                out=out,
            )
        )
        click.echo(
            _(
                "Not traced: {untraced} ({ambiguous} with two sales that fit equally well, "
                "{unreadable} with no readable serial).",
                untraced=format_number(summary.untraced),
                ambiguous=format_number(summary.ambiguous),
                unreadable=format_number(summary.unreadable),
            )
        )
        from paridad.model.vocabularies import vocabulary

        terms = {t.code: t for t in vocabulary("serial_match").terms}
        for kind, count in sorted(summary.by_serial_match.items()):
            click.echo(f"  {terms[kind].label()}: {format_number(count)}")

    from paridad.cli.trace_request_commands import add_trace_subcommands

    add_trace_subcommands(trace)
    return trace
