"""The drone half of ``make demo``: a simulated night at the line, replayed into both nodes.

The operators sign a second agreement (``border-security``: drone alerts, each side's own).
A night of flights is simulated with its truth planted; each country's detections stream into
its own node, whose watch tracks them, raises alerts at the line and hands them to the partner
through the release gate — the servers already running deliver them. Then the analysts' view:
both countries' detections fused (the binational picture), crossings scored against the
planted ones outside the ambiguity band, hotspots and repeat launch sites against the planted
sites, and the incident report, GeoJSON and KML written in both languages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.drones.alerts.handoff import PURPOSE
from paridad.drones.alerts.listing import list_alerts
from paridad.exchange.context import Exchange
from paridad.exchange.pairing import sign_agreement
from paridad.i18n import LANGS, Lang, _, format_number, translate
from paridad.node import Node

NIGHT = {"seed": 7, "flights": 40, "hours": 4.0}


@dataclass
class DronesSummary:
    night: str = ""
    replay: dict[str, Any] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _ensure_agreement(mx: Node, us: Node) -> None:
    with Exchange(mx) as ex:
        if ex.agreement_with(us.config.name, PURPOSE) is not None:
            return
    sign_agreement(mx, us, "border-security")


def _drained(nodes: tuple[Node, ...], timeout: float = 60.0) -> None:
    """Wait until both outboxes are delivered (the servers' couriers are at work)."""
    exchanges = [Exchange(node) for node in nodes]
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(
                ex.db.query("SELECT 1 FROM outbox WHERE delivered_at IS NULL LIMIT 1")
                for ex in exchanges
            ):
                return
            time.sleep(0.2)
    finally:
        for ex in exchanges:
            ex.close()


def run_drones(
    workdir: Path, mx: Node, us: Node, log: Callable[[str], None] = print
) -> DronesSummary:
    from paridad.drones.analysis import analyse
    from paridad.drones.fusion import fuse_files
    from paridad.drones.replay import replay
    from paridad.drones.simulator import NightConfig, read_truth, simulate_night, write_night
    from paridad.drones.truth_scores import crossing_scores, majority_flights, site_scores

    started = time.perf_counter()
    summary = DronesSummary()
    _ensure_agreement(mx, us)
    folder = workdir / "drones"
    night = folder / "night"
    summary.night = str(night)
    if not (night / "truth.json").is_file():
        log(_("Simulating a night of drone flights at the border…"))
        config = NightConfig(
            seed=int(NIGHT["seed"]), flights=int(NIGHT["flights"]), hours=float(NIGHT["hours"])
        )
        write_night(simulate_night(config), night)
    log(_("Replaying the night into both nodes: tracks, alerts and the handoff…"))
    result = replay(night, {"mx": mx.path, "us": us.path})
    summary.replay = result.to_dict()
    _drained((mx, us))
    for key, node in (("mx", mx), ("us", us)):
        with Exchange(node) as ex:
            summary.received[key] = sum(1 for a in list_alerts(ex, limit=100_000) if a.sender)
    log(_("Fusing both countries' detections and scoring them against the planted truth…"))
    fused = fuse_files(
        [night / "mx" / "detections.jsonl", night / "us" / "detections.jsonl"],
        night / "sensors.yaml",
    )
    truth = read_truth(night)
    owners, purity = majority_flights(fused, truth)
    summary.scores = {
        "tracks": len(fused.tracks),
        "flights": len(truth.flights),
        "track_purity": round(purity, 4),
        **crossing_scores(fused, truth, owners),
        **site_scores(fused, truth, owners),
    }
    analysis = analyse(fused.tracks, fused.crossings)
    summary.scores["hotspots"] = len(analysis.hotspots)
    import json

    geojson = folder / "drones.geojson"
    geojson.write_text(json.dumps(analysis.geojson(), ensure_ascii=False), encoding="utf-8")
    summary.files.append(str(geojson))
    for lang in LANGS:
        kml = folder / f"drones.{lang}.kml"
        kml.write_text(analysis.kml(lang), encoding="utf-8")
        report = folder / f"incidents.{lang}.md"
        report.write_text(analysis.report(lang), encoding="utf-8")
        summary.files += [str(kml), str(report)]
    summary.seconds = time.perf_counter() - started
    return summary


def _n(value: Any, lang: Lang, digits: int = 0) -> str:
    if value is None:
        return "-"
    return format_number(value, lang, digits=digits)


def drones_lines(s: DronesSummary, lang: Lang) -> list[str]:
    if not s.replay:
        return []
    sides = s.replay.get("sides", {})
    lines = []
    for key, partner in (("mx", "us"), ("us", "mx")):
        side = sides.get(key, {})
        lines.append(
            translate(
                "Drones, node {node}: {detections} detections of its own sensors, {tracks} "
                "tracks, {alerts} alerts raised; {received} alerts received by the partner.",
                lang,
                node=side.get("node", key),
                detections=_n(side.get("detections"), lang),
                tracks=_n(side.get("tracks"), lang),
                alerts=_n(sum(side.get("alerts", {}).values()), lang),
                received=_n(s.received.get(partner), lang),
            )
        )
    sc = s.scores
    lines += [
        translate(
            "Drones, both countries fused: {tracks} tracks of {flights} flights (purity "
            "{purity}); crossings outside the ambiguity band found {found} of {true}, "
            "{false} false; repeat launch sites recovered {sites} of {planted}.",
            lang,
            tracks=_n(sc.get("tracks"), lang),
            flights=_n(sc.get("flights"), lang),
            purity=_n(sc.get("track_purity"), lang, 3),
            found=_n(sc.get("crossings_matched"), lang),
            true=_n(sc.get("crossings_true"), lang),
            false=_n(sc.get("crossings_false"), lang),
            sites=_n(sc.get("launch_sites_found"), lang),
            planted=_n(sc.get("launch_sites_planted_reused"), lang),
        ),
        translate("Drone incident report and maps: {path}", lang, path=str(Path(s.night).parent)),
    ]
    return lines
