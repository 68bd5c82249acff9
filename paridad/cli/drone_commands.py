"""``paridad drones``: drones at the border. ``decode FILE`` turns a Remote ID capture (pcap,
pcapng) or a hex file into one JSON object per message.

Decoded messages go to stdout (or ``--out``) as JSON Lines, so they can be piped into the
next tool; frames that could not be decoded go to stderr as one line each with the reason, in
the user's language (or to ``--errors`` as JSON Lines that keep the message id for a later
rendering in the other language); a summary closes stderr. A file that cannot be read at all
exits with 2; rejected frames do not change the exit code, because one damaged frame must not
make a night's capture look like a failure to a script.
"""

from __future__ import annotations

from contextlib import ExitStack
from itertools import chain
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
import orjson

from paridad.errors import ParidadError
from paridad.i18n import _, format_number

if TYPE_CHECKING:
    from paridad.drones.remote_id.decode_file import DecodeSummary


class _Group(click.Group):
    """Lists commands in the order they are added."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def _write(fh: IO[bytes] | None, data: dict[str, Any]) -> None:
    """One JSON object per line, to ``fh`` or (None) to stdout."""
    line = orjson.dumps(data, default=str)
    if fh is None:
        click.echo(line.decode("utf-8"))
    else:
        fh.write(line + b"\n")


def decode_command() -> click.Command:
    """``decode FILE``: a command of its own, so it can join whichever ``drones`` group the
    command tree builds."""

    @click.command(
        "decode",
        help=_(
            "Decode Open Drone ID (Remote ID) traffic in FILE: a pcap or pcapng capture of "
            "Wi-Fi beacon, Wi-Fi NaN or Bluetooth advertising frames, or a text file with one "
            "message or message pack in hex per line. Writes one JSON object per message."
        ),
    )
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option(
        "--out",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Write the decoded messages (JSON Lines) to this file instead of stdout."),
    )
    @click.option(
        "--errors",
        "errors_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_(
            "Write the rejected frames (JSON Lines, with reasons) to this file instead of stderr."
        ),
    )
    @click.pass_context
    def decode(ctx: click.Context, file: Path, out: Path | None, errors_path: Path | None) -> None:
        from paridad.drones.remote_id.decode_file import Decoded, DecodeSummary, decode_file

        summary = DecodeSummary()
        items = decode_file(file, summary)
        try:
            # The file is opened on the first step: fail before creating any output file.
            first = next(items, None)
        except ParidadError as exc:
            click.echo(click.style("Error: ", fg="red") + exc.localized(), err=True)
            ctx.exit(2)
        with ExitStack() as stack:
            out_fh = stack.enter_context(Path(out).open("wb")) if out is not None else None
            err_fh = (
                stack.enter_context(Path(errors_path).open("wb"))
                if errors_path is not None
                else None
            )
            for item in chain([first] if first is not None else [], items):
                if isinstance(item, Decoded):
                    _write(out_fh, item.to_dict())
                elif err_fh is not None:
                    _write(err_fh, item.to_dict())
                else:
                    reason = item.reason.localized()
                    click.echo(
                        _("Frame {frame}: {reason}", frame=item.frame, reason=reason), err=True
                    )
        _echo_summary(summary)

    return decode


def _echo_summary(summary: DecodeSummary) -> None:
    click.echo(
        _(
            "{frames} frames read ({format}): {messages} messages decoded, {rejected} rejected, "
            "{skipped} skipped (not Remote ID).",
            frames=format_number(summary.frames),
            format=summary.format,
            messages=format_number(summary.messages),
            rejected=format_number(summary.rejected_total),
            skipped=format_number(summary.skipped),
        ),
        err=True,
    )
    for msgid, count in summary.rejected.most_common():
        click.echo(f"  {format_number(count)} × {summary.reason_label(msgid)}", err=True)


def drones_group() -> click.Group:
    """The ``drones`` group with its ``decode`` command."""

    @click.group(
        "drones",
        cls=_Group,
        help=_("Drones at the border: Remote ID traffic, sensors, tracks and alerts."),
    )
    def drones() -> None:
        pass

    drones.add_command(decode_command())
    return drones
