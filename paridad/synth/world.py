"""Builds the whole binational scenario, part by part, in a fixed order.

The order matters only for which records exist when a later part looks for them (a seizure
needs the typology accounts); each part draws from its own seeded generator, so the numbers
one part draws do not depend on the others.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from paridad.i18n import N_
from paridad.synth import (
    cast,
    drones,
    finance,
    firearms,
    fuel,
    justice,
    mappings,
    meetings,
    organizations,
)
from paridad.synth.cases import CaseBook
from paridad.synth.context import REFERENCE_DATE, Progress, Scale, World
from paridad.synth.people import People
from paridad.synth.writer import ScenarioWriter, _sha256

GENERATOR = "paridad.synth"
VERSION = "1"


def travellers(world: World, people: People) -> None:
    """Ordinary people both countries know: border crossers, residents of one country with
    records in the other. They keep matching honest: most people on both sides are not
    suspects."""
    rng = world.rng("travellers")
    for i in range(world.sizes.travellers):
        on = REFERENCE_DATE
        if rng.random() < 0.7:
            ident = people.new_mx(rng, "traveller", passport_p=0.8)
            people.record(rng, ident, "mx", "SSPC", "border", on)
            people.record(rng, ident, "us", "CBP", "border", on)
        else:
            ident = people.new_us(rng, "traveller", passport_p=0.9, border=True)
            people.record(rng, ident, "us", "CBP", "border", on)
            people.record(rng, ident, "mx", "SSPC", "border", on)
        if i % 5 == 0:
            # ... and their namesakes, who are someone else.
            twin = people.namesake(rng, ident, "namesake")
            other = "us" if ident.home == "mx" else "mx"
            twin_id = people.record(rng, twin, other, "CBP" if other == "us" else "SSPC", "border")
            world.truth.add(
                "people_hard_negatives",
                {
                    "mx": ident.records["mx"] if other == "us" else twin_id,
                    "us": twin_id if other == "us" else ident.records["us"],
                    "name": ident.full_name,
                    "reason": "namesake",
                },
            )
    world.step(N_("travellers"), world.sizes.travellers)


def build(out: Path, seed: int, scale: Scale, progress: Progress | None) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    writer = ScenarioWriter(out)
    world = World(writer, seed, scale, progress)
    orgs = organizations.generate(world)
    people = People(world)
    groups = cast.generate(world, people, orgs)
    cases = CaseBook(world)
    firearms.generate(world, people, orgs, groups, cases)
    drones.generate(world, orgs, groups, cases)
    money = finance.generate(world, people, orgs, groups, cases)
    fuel.generate(world, people, orgs, groups, cases, money)
    justice.extraditions(world, people, groups, cases)
    justice.seizures(world, people, orgs, groups, cases, money)
    travellers(world, people)
    cases.write()
    meetings.generate(world)
    mappings.write(world)
    summary = writer.close()
    meta = {
        "seed": seed,
        "scale": scale,
        "generator": GENERATOR,
        "version": VERSION,
        "reference_date": REFERENCE_DATE.isoformat(),
    }
    truth_path = out / "truth.json"
    truth_path.write_bytes(
        orjson.dumps(world.truth.to_dict(meta), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
    )
    files = dict(summary["files"])
    files["truth.json"] = {
        "entities": 0,
        "records": world.truth.count(),
        "sha256": _sha256(truth_path),
    }
    manifest = {
        **meta,
        "files": dict(sorted(files.items())),
        "counts": summary["counts"],
        "sides": summary["sides"],
    }
    (out / "manifest.json").write_bytes(
        orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    )
    world.step(N_("done"), summary["sides"]["mx"]["entities"] + summary["sides"]["us"]["entities"])
    return manifest
