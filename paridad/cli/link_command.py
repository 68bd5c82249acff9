"""``paridad link``: privacy-preserving linkage of two CSV files of people or organisations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from paridad.cli.output import progress_bar
from paridad.i18n import _, format_number
from paridad.match.features import FIELDS, KINDS


def _bars(enabled: bool | None) -> Callable[[str, int], Callable[[int], None]] | None:
    """tqdm bars, one per stage, shown on a terminal (as ``paridad ingest`` does)."""
    if enabled is False:
        return None
    labels = {"encode": _("Encoding"), "compare": _("Comparing")}

    def start(stage: str, total: int) -> Callable[[int], None]:
        return progress_bar(total, labels.get(stage, stage), enabled)

    return start


def add_link_command(cli: click.Group) -> None:
    @cli.command(
        help=_(
            "Find the records of two CSV files that are the same person or organisation, "
            "comparing hardened Bloom-filter encodings (or the plaintext), and write "
            "left_id,right_id,score."
        )
    )
    @click.option(
        "--left",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("First CSV file (the queries)."),
    )
    @click.option(
        "--right",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Second CSV file (the records searched)."),
    )
    @click.option(
        "--kind",
        type=click.Choice(KINDS),
        default="person",
        show_default=True,
        help=_("What the records are."),
    )
    @click.option(
        "--map",
        "mapping",
        multiple=True,
        metavar="COLUMN=FIELD",
        help=_(
            "Map a CSV column of either file to a field ({fields}); repeat for each column.",
            fields=", ".join(FIELDS),
        ),
    )
    @click.option(
        "--id", "id_column", default="id", show_default=True, help=_("Column with the record id.")
    )
    @click.option(
        "--privacy",
        type=click.Choice(["clk", "plain"]),
        default="clk",
        show_default=True,
        help=_("clk: compare hardened encodings; plain: compare the normalised plaintext."),
    )
    @click.option(
        "--threshold",
        type=click.FloatRange(0.0, 1.0),
        default=None,
        help=_("Lowest match probability kept (default: 0.5, or 0.2 with --one-to-one)."),
    )
    @click.option(
        "--one-to-one",
        is_flag=True,
        help=_("Link whole collections: keep each record's best partner only."),
    )
    @click.option(
        "--out",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Where to write the matches (CSV)."),
    )
    @click.option(
        "--progress/--no-progress",
        default=None,
        help=_("Show a progress bar (default: when on a terminal)."),
    )
    def link(
        left: Path,
        right: Path,
        kind: str,
        mapping: tuple[str, ...],
        id_column: str,
        privacy: str,
        threshold: float | None,
        one_to_one: bool,
        out: Path,
        progress: bool | None,
    ) -> None:
        from paridad.match.clk import LinkageKey
        from paridad.match.linkage import encode_side, link_encoded, link_plain
        from paridad.match.sources import check_columns, parse_mapping, read_side, write_matches

        fields = parse_mapping(mapping)
        a = read_side(left, fields, id_column, kind)
        b = read_side(right, fields, id_column, kind)
        check_columns(fields, [a, b])
        bars = _bars(progress)
        if privacy == "plain":
            outcome = link_plain(
                a.ids, a.records, b.ids, b.records, threshold, one_to_one, progress=bars
            )
        else:
            key = LinkageKey.random()
            outcome = link_encoded(
                encode_side(a.ids, a.records, key, progress=bars),
                encode_side(b.ids, b.records, key, progress=bars),
                threshold,
                one_to_one,
                progress=bars,
            )
        pairs = outcome.pairs()
        write_matches(out, pairs)
        click.echo(
            _(
                "{matches} matches between {left} and {right} records ({comparisons} pairs "
                "compared) written to {out}.",
                matches=format_number(len(pairs)),
                left=format_number(len(a.ids)),
                right=format_number(len(b.ids)),
                comparisons=format_number(outcome.comparisons),
                out=out,
            )
        )
