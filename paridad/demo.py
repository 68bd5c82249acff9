"""The demonstration behind ``make demo``: one synthetic world, two sovereign nodes.

It generates the binational scenario, creates a Mexican node and a US node (each a directory
with its own store), loads into each only what that country would hold, and summarises the
result in Spanish and English side by side. Running it again reuses what is there: the
scenario is deterministic and ingest skips content it already loaded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from paridad.audit.ingests import record_ingest
from paridad.i18n import LANGS, _, format_number, translate
from paridad.ingest import IngestReport, TabularMapping, ingest_file
from paridad.model import model
from paridad.model.labels import schema_label
from paridad.node import CONFIG_FILE, Node
from paridad.node.summary import summarise

NODES = (("mx", "MX", "FGR"), ("us", "US", "ATF"))


@dataclass
class DemoSummary:
    workdir: Path
    seed: int
    scale: str
    seconds: float = 0.0
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    reports: dict[str, list[IngestReport]] = field(default_factory=dict)


def _scenario(workdir: Path, seed: int, scale: str, log: Callable[[str], None]) -> Path:
    from paridad.synth import generate

    out = workdir / "scenario"
    manifest = out / "manifest.json"
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("seed") == seed and data.get("scale") == scale:
            log(
                _(
                    "Scenario already in {path} (seed {seed}, {scale}).",
                    path=out,
                    seed=seed,
                    scale=scale,
                )
            )
            return out
    log(_("Generating the synthetic scenario (seed {seed}, {scale})…", seed=seed, scale=scale))
    generate(out, seed=seed, scale=scale)  # type: ignore[arg-type]
    return out


def _sources(side: Path) -> list[tuple[Path, Path | None]]:
    """Files to load for one side: entity streams as they are, CSVs with their mapping."""
    found: list[tuple[Path, Path | None]] = [(p, None) for p in sorted(side.glob("*.jsonl"))]
    for csv_path in sorted(side.glob("*.csv")):
        mapping = csv_path.with_suffix(".mapping.yml")
        found.append((csv_path, mapping if mapping.is_file() else None))
    return found


def run_demo(
    workdir: Path, seed: int = 1, scale: str = "small", log: Callable[[str], None] = print
) -> DemoSummary:
    started = time.perf_counter()
    summary = DemoSummary(workdir=workdir, seed=seed, scale=scale)
    scenario = _scenario(workdir, seed, scale, log)
    for key, country, agency in NODES:
        path = workdir / "nodes" / key
        node = (
            Node.open(path) if (path / CONFIG_FILE).exists() else Node.init(path, country, agency)
        )
        log(
            _(
                "Loading what {country} holds into node {name}…",
                country=country,
                name=node.config.name,
            )
        )
        reports = []
        with node.open_store() as store:
            for source, mapping_path in _sources(scenario / key):
                mapping = TabularMapping.load(mapping_path) if mapping_path else None
                dataset = None if mapping else f"{key}-{source.stem.split('.')[0]}"
                reports.append(ingest_file(store, source, dataset=dataset, mapping=mapping))
        for report in reports:
            record_ingest(node.store_url, report)
        summary.reports[key] = reports
        summary.nodes[key] = summarise(node)
    summary.seconds = time.perf_counter() - started
    return summary


def demo_summary_text(summary: DemoSummary) -> str:
    """The same summary in Spanish and in English, side by side."""
    mx, us = summary.nodes["mx"], summary.nodes["us"]
    schemata = sorted(set(mx["by_schema"]) | set(us["by_schema"]))
    width = max(
        [
            len(f"{schema_label(model[s], 'es', True)} / {schema_label(model[s], 'en', True)}")
            for s in schemata
        ]
        + [20]
    )
    title = " · ".join(
        translate("Paridad demo: two sovereign nodes, one synthetic world", lang) for lang in LANGS
    )
    lines = [title, "=" * len(title)]
    for node in (mx, us):
        for lang in LANGS:
            lines.append(
                translate(
                    "Node {name} ({country}, {agency}): {entities} entities, {statements} "
                    "statements, {quarantined} in quarantine, store {backend} in {path}",
                    lang,
                    name=node["name"],
                    country=node["country"],
                    agency=node["agency"],
                    entities=format_number(node["entities"], lang),
                    statements=format_number(node["statements"], lang),
                    quarantined=format_number(node["quarantined"], lang),
                    backend=node["backend"],
                    path=node["path"],
                )
            )
    header = " / ".join(translate("Schema", lang) for lang in LANGS)
    lines += ["", f"{header:<{width}}  {'MX':>8}  {'US':>8}"]
    for schema in schemata:
        label = (
            f"{schema_label(model[schema], 'es', True)} / {schema_label(model[schema], 'en', True)}"
        )
        lines.append(
            f"{label:<{width}}  {mx['by_schema'].get(schema, 0):>8}  "
            f"{us['by_schema'].get(schema, 0):>8}"
        )
    lines.append("")
    for lang in LANGS:
        lines.append(
            translate(
                'Done in {seconds} s. Try: paridad search --node {path} "garcia"',
                lang,
                seconds=format_number(summary.seconds, lang, digits=1),
                path=summary.workdir / "nodes" / "mx",
            )
        )
    return "\n".join(lines)
