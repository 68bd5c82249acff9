"""``paridad bench resolve``: entity resolution inside one node, scored against the truth.

The synthetic scenario keeps one record of a person (or company) per country and says which
records are one entity. A node that holds both sides' records — a joint task force's, or one
that received its partner's records — holds those pairs as duplicates, with every drift the
scenario plants between agencies (accents, one surname, swapped surnames, nicknames, day and
month swapped, typos) and namesakes that must stay apart. The benchmark loads both sides'
people and organisations into one node, runs ``paridad resolve`` and scores the clusters
pairwise against ``people_pairs`` and ``organization_pairs``.

The peer is Splink as its documentation sets it up for people — its own name and date-of-birth
comparisons on the raw first name, surname, birth date and identifier, trained by EM — on the
same records, so the figure shows what Paridad's features (canonical given names, sound keys,
swapped dates, shared identifiers, addresses) add to the same engine.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from paridad.model.normalize import fold, identifier_key

SECTIONS = {"Person": "people_pairs", "Organization": "organization_pairs"}


def _pairs(groups: list[tuple[str, ...]]) -> set[tuple[str, str]]:
    return {(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1 :]}


def _scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def _truth(root: Path, section: str) -> set[tuple[str, str]]:
    data = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    return {(min(p["mx"], p["us"]), max(p["mx"], p["us"])) for p in data[section]}


def _paridad(root: Path, workdir: Path, engine: str, dataset: str) -> Iterator[dict[str, Any]]:
    from paridad.ingest import ingest_file
    from paridad.node import Node
    from paridad.resolve import Resolver
    from paridad.resolve.engines import open_engine
    from paridad.resolve.resolver import model_for

    node = Node.init(workdir / f"node-{engine}", "MX", "FGR", name=f"bench-{engine}")
    with node.open_store() as store:
        for side in ("mx", "us"):
            for name in ("people", "organizations"):
                ingest_file(store, root / side / f"{name}.jsonl", dataset=f"{side}-{name}")
    with Resolver(node) as resolver, open_engine(engine) as api:
        for schema, section in SECTIONS.items():
            started = time.perf_counter()
            summary = resolver.run(schema, engine=engine, api=api, actor="bench")
            seconds = time.perf_counter() - started
            allowed = set(model_for(schema).schemata)
            groups = resolver.clustering().clusters()
            kinds = resolver.schemata([i for g in groups for i in g])
            found = {p for p in _pairs(groups) if kinds[p[0]][0] in allowed}
            yield {
                "bench": "resolve",
                "system": "paridad",
                "backend": engine,
                "dataset": dataset,
                "schema": schema,
                "n": summary.entities,
                "seconds": round(seconds, 3),
                "per_second": round(summary.entities / seconds, 1) if seconds else None,
                "training": summary.training,
                "candidates": summary.candidates,
                "review_pairs": summary.unsure,
                **_scores(found, _truth(root, section)),
            }


def _peer_rows(root: Path) -> list[dict[str, Any]]:
    rows = []
    for side in ("mx", "us"):
        with (root / side / "people.jsonl").open(encoding="utf-8") as fh:
            for line in fh:
                item = json.loads(line)
                props = item["properties"]
                ids = [
                    identifier_key(v)
                    for key in ("idNumber", "passportNumber", "taxNumber")
                    for v in props.get(key, [])
                ]
                rows.append(
                    {
                        "unique_id": item["id"],
                        "first_name": fold(props.get("firstName", [""])[0]) or None,
                        "surname": fold(props.get("lastName", [""])[0]) or None,
                        "dob": props.get("birthDate", [None])[0],
                        "identifier": sorted(ids)[0] if ids else None,
                    }
                )
    return rows


def _splink(root: Path, dataset: str) -> dict[str, Any]:
    """Splink's documented person setup on the raw columns (the peer)."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from paridad.resolve.clusters import build_clusters
    from paridad.resolve.judgements import SAME, Judgement

    rows = _peer_rows(root)
    started = time.perf_counter()
    api = DuckDBAPI()
    table = api.register(rows)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("identifier"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("dob"),
            block_on("surname", "dob"),
            block_on("identifier"),
        ],
    )
    logging.getLogger("splink").setLevel(logging.ERROR)
    linker = Linker(table, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.9).as_record_list()
    seconds = time.perf_counter() - started
    edges = [
        Judgement(
            i,
            min(str(p["unique_id_l"]), str(p["unique_id_r"])),
            max(str(p["unique_id_l"]), str(p["unique_id_r"])),
            SAME,
            float(p["match_probability"]),
            "splink:peer",
            "bench",
            "",
            "",
        )
        for i, p in enumerate(predictions)
    ]
    found = _pairs(build_clusters(edges).clusters())
    api.duckdb_con.close()
    return {
        "bench": "resolve",
        "system": "splink",
        "backend": "duckdb",
        "dataset": dataset,
        "schema": "Person",
        "n": len(rows),
        "seconds": round(seconds, 3),
        "per_second": round(len(rows) / seconds, 1) if seconds else None,
        "training": "em",
        "candidates": len(predictions),
        **_scores(found, _truth(root, "people_pairs")),
    }


def _trim(root: Path, size: int) -> None:
    """Keep ``size`` people pairs, a tenth as many namesakes, ``size`` people alone and a
    third as many organisations of each kind, with the truth cut to match (for quick runs)."""
    truth = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    people_pairs = truth["people_pairs"][:size]
    negatives = truth["people_hard_negatives"][: max(1, size // 10)]
    org_pairs = truth["organization_pairs"][: max(1, size // 3)]
    paired = {
        i for p in truth["people_pairs"] + truth["organization_pairs"] for i in (p["mx"], p["us"])
    }
    keep = {i for p in people_pairs + negatives + org_pairs for i in (p["mx"], p["us"])}
    for side in ("mx", "us"):
        for name, alone in (("people", size), ("organizations", max(1, size // 3))):
            path = root / side / f"{name}.jsonl"
            lines = path.read_text(encoding="utf-8").splitlines()
            kept = []
            for line in lines:
                entity_id = json.loads(line)["id"]
                if entity_id in keep:
                    kept.append(line)
                elif entity_id not in paired and alone > 0:
                    kept.append(line)
                    alone -= 1
            path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    truth["people_pairs"] = people_pairs
    truth["organization_pairs"] = org_pairs
    (root / "truth.json").write_text(json.dumps(truth), encoding="utf-8")


def run(
    size: int | None = None,
    dataset: str | None = None,
    backends: list[str] | None = None,
    seed: int = 1,
    **_: Any,
) -> Iterator[dict[str, Any]]:
    """``dataset``: the scenario's scale (small, the default, medium or large); ``backends``:
    engines to run Paridad on (duckdb, the default, and/or spark); ``size``: keep only that
    many planted people pairs (and a proportion of the rest) for a quick run."""
    from paridad.synth import generate

    scale = dataset or "small"
    engines = [b for b in (backends or []) if b in ("duckdb", "spark")] or ["duckdb"]
    name = f"synthetic-{scale}"
    with tempfile.TemporaryDirectory(prefix="paridad-bench-resolve-") as tmp:
        root = Path(tmp) / "scenario"
        generate(root, seed=seed, scale=scale)  # type: ignore[arg-type]
        if size is not None:
            _trim(root, size)
            name = f"{name}-{size}"
        for engine in engines:
            yield from _paridad(root, Path(tmp), engine, name)
        yield _splink(root, name)
