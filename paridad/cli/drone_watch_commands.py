"""``paridad drones simulate|replay|tracks|alerts``: a night of flights at the line, streamed into
the nodes, fused from files, and the alerts each node raised or received."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from paridad.cli.output import echo_json
from paridad.i18n import _, format_number, get_lang
from paridad.model.vocabularies import vocabulary


def _count(value: float) -> str:
    return format_number(value, get_lang())


def simulate_command() -> click.Command:
    @click.command(
        "simulate", help=_("Simulate a night of drone flights at the border, with planted truth.")
    )
    @click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
    @click.option(
        "--flights",
        default=120,
        show_default=True,
        type=click.IntRange(1),
        help=_("How many flights."),
    )
    @click.option("--seed", default=7, show_default=True, type=int, help=_("Random seed."))
    @click.option(
        "--hours",
        default=10.0,
        show_default=True,
        type=click.FloatRange(0.5, 24),
        help=_("How long the night lasts."),
    )
    @click.option(
        "--us-clock-offset",
        default=2.0,
        show_default=True,
        type=float,
        help=_("Seconds the US sensors' clocks run ahead."),
    )
    def simulate(
        directory: Path, flights: int, seed: int, hours: float, us_clock_offset: float
    ) -> None:
        from paridad.drones.simulator import NightConfig, simulate_night, write_night

        night = simulate_night(
            NightConfig(seed=seed, flights=flights, hours=hours, us_clock_offset_s=us_clock_offset)
        )
        write_night(night, directory)
        click.echo(_("Night written to {path}.", path=str(directory)))

    return simulate


def replay_command() -> click.Command:
    @click.command(
        "replay",
        help=_(
            "Stream a night's detections into the nodes: each node tracks its own sensors, "
            "raises alerts at the line and hands them to the partner through the agreement."
        ),
    )
    @click.argument("directory", type=click.Path(path_type=Path, exists=True, file_okay=False))
    @click.option(
        "--mx",
        "mx_node",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("The Mexican node's directory."),
    )
    @click.option(
        "--us",
        "us_node",
        type=click.Path(path_type=Path, file_okay=False),
        help=_("The US node's directory."),
    )
    @click.option(
        "--speed",
        default=0.0,
        show_default=True,
        type=float,
        help=_("How many times faster than recorded (0: as fast as possible)."),
    )
    @click.option(
        "--bus",
        default="memory",
        show_default=True,
        help=_("memory (in-process) or a NATS address (nats://127.0.0.1:4222) for JetStream."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON only."))
    def replay(
        directory: Path,
        mx_node: Path | None,
        us_node: Path | None,
        speed: float,
        bus: str,
        as_json: bool,
    ) -> None:
        from paridad.drones.replay import replay as run_replay

        nodes = {side: path for side, path in (("mx", mx_node), ("us", us_node)) if path}
        if not nodes:
            raise click.UsageError(_("Give --mx, --us or both."))
        summary = run_replay(directory, nodes, bus=bus, speed=speed)
        if as_json:
            echo_json(summary.to_dict())
            return
        for s in summary.sides.values():
            shared = sum(s.shared.values())
            click.echo(
                _(
                    "{node}: {detections} detections, {tracks} tracks, {crossings} crossings, "
                    "{alerts} alerts ({shared} handed to the partner), {rejected} rejected.",
                    node=s.node,
                    detections=_count(s.stats.detections),
                    tracks=_count(s.tracks),
                    crossings=_count(s.stats.crossings),
                    alerts=_count(sum(s.stats.alerts.values())),
                    shared=_count(shared),
                    rejected=_count(sum(s.stats.errors.values())),
                )
            )

    return replay


def tracks_command() -> click.Command:
    @click.command(
        "tracks",
        help=_(
            "Fuse detection files of both countries into tracks; print the crossings and "
            "write GeoJSON, KML and the incident report if asked."
        ),
    )
    @click.argument(
        "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False)
    )
    @click.option(
        "--sensors",
        "sensors_file",
        required=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("The sensors file (sensors.yaml)."),
    )
    @click.option(
        "--geojson",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Write tracks, crossings, hotspots and launch sites as GeoJSON."),
    )
    @click.option(
        "--kml", type=click.Path(path_type=Path, dir_okay=False), help=_("Write them as KML.")
    )
    @click.option(
        "--report",
        type=click.Path(path_type=Path, dir_okay=False),
        help=_("Write the incident report (Markdown) in the current language."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON only."))
    def tracks(
        files: tuple[Path, ...],
        sensors_file: Path,
        geojson: Path | None,
        kml: Path | None,
        report: Path | None,
        as_json: bool,
    ) -> None:
        from paridad.drones.analysis import analyse
        from paridad.drones.fusion import fuse_files

        result = fuse_files(list(files), sensors_file)
        analysis = analyse(result.tracks, result.crossings)
        lang = get_lang()
        if geojson:
            geojson.write_text(json.dumps(analysis.geojson(), ensure_ascii=False), encoding="utf-8")
        if kml:
            kml.write_text(analysis.kml(lang), encoding="utf-8")
        if report:
            report.write_text(analysis.report(lang), encoding="utf-8")
        data: dict[str, Any] = {
            **result.summary(),
            "rejected_records": [e.localized() for e in result.errors[:20]],
            "crossing_events": [c.to_dict() for c in result.crossings],
            "hotspots": len(analysis.hotspots),
            "repeat_launch_sites": len(analysis.repeat_sites),
        }
        if as_json:
            echo_json(data)
            return
        directions = vocabulary("crossing_direction")
        for crossing in result.crossings:
            direction = "northbound" if crossing.direction == "mx-to-us" else "southbound"
            click.echo(
                _(
                    "{time}  {direction}  {sector}, {distance} m from {port}  (track {track})",
                    time=crossing.to_dict()["time"],
                    direction=directions.term(direction).label(lang),
                    sector=crossing.sector,
                    distance=_count(round(crossing.port_distance_m)),
                    port=crossing.port.name if lang == "en" else crossing.port.name_es,
                    track=crossing.track_id,
                )
            )
        click.echo(
            _(
                "{detections} detections, {tracks} tracks, {crossings} crossings, {hotspots} "
                "hotspots, {sites} repeat launch sites; {rejected} records rejected.",
                detections=_count(result.detections),
                tracks=_count(len(result.tracks)),
                crossings=_count(len(result.crossings)),
                hotspots=_count(len(analysis.hotspots)),
                sites=_count(len(analysis.repeat_sites)),
                rejected=_count(len(result.errors)),
            )
        )
        for error in result.errors[:20]:
            click.echo(error.localized(), err=True)

    return tracks


def alerts_command() -> click.Command:
    @click.command(
        "alerts", help=_("The drone alerts a node raised and those it received from its partner.")
    )
    @click.option(
        "--node",
        "node_dir",
        required=True,
        type=click.Path(path_type=Path, exists=True, file_okay=False),
        help=_("The node's directory."),
    )
    @click.option("--json", "as_json", is_flag=True, help=_("Print JSON only."))
    def alerts(node_dir: Path, as_json: bool) -> None:
        from paridad.drones.alerts.listing import list_alerts
        from paridad.exchange.context import Exchange

        with Exchange.open(node_dir) as ex:
            rows = list_alerts(ex)
        if as_json:
            echo_json([r.to_dict() for r in rows])
            return
        lang = get_lang()
        kinds = vocabulary("drone_alert")
        for row in rows:
            origin = _("received from {partner}", partner=row.sender) if row.sender else _("own")
            click.echo(
                f"{row.date}  {kinds.term(row.kind).label(lang)}  {row.sector}  "
                f"{row.latitude:.5f},{row.longitude:.5f}  ({origin})"
            )
        click.echo(_("{count} alerts.", count=_count(len(rows))))

    return alerts


def add_watch_commands(group: click.Group) -> None:
    for make in (simulate_command, replay_command, tracks_command, alerts_command):
        group.add_command(make())
